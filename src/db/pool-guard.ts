/**
 * The guard of one pool: the one object that owns its state. A call goes
 *   breaker (fail fast while the database is down)
 *   ▸ admission (a slot under the limit, or a bounded, prioritised wait)
 *   ▸ fleet slot (when `globalLimit` is set)
 *   ▸ checkout (a refusal backs off with jitter, lowers the limit, and retries in time)
 *   ▸ the caller's work on the connection, which is always released.
 * The limit is the tightest of `maxConcurrent`, the pool's max, what the server leaves
 * this user (read on the first checkout, then every `limitsRefreshMs`) and what the
 * server's refusals taught. Until the first read, one caller at a time goes through.
 */
import {
  BrokenCircuitError,
  type CancelTimer,
  type CircuitBreakerPolicy,
  circuitBreaker,
  EventHub,
  PoolSaturatedError,
  SelfhealError,
  sleep,
} from '../core/internal.js';
import type { DriverAdapter } from './adapters/types.js';
import { Admission, type Refusal, type Ticket } from './admission.js';
import { Backpressure } from './backpressure.js';
import { Connections } from './connections.js';
import type { DbEventMap, Priority } from './events.js';
import { FleetSlots, type Slot } from './fleet-slots.js';
import { type GuardHealth, healthOf } from './health.js';
import { acquirerStack, LeakWatch } from './leaks.js';
import type { ResolvedOptions } from './options.js';
import { ServerLimits, UtilizationAlarm } from './server-limits.js';

/** One call's settings, resolved. */
export interface Call {
  priority: Priority;
  signal: AbortSignal | undefined;
  acquireTimeoutMs: number;
}

type Payload<K extends keyof DbEventMap> = Omit<DbEventMap[K], 'name'>;

export class PoolGuard<C> {
  readonly name: string;
  readonly events = new EventHub<DbEventMap>();
  readonly admission: Admission;
  readonly connections = new Connections();
  readonly backpressure = new Backpressure();
  readonly limits = new ServerLimits();
  readonly breaker: CircuitBreakerPolicy | undefined;
  readonly fleet: FleetSlots | undefined;
  readonly #leaks: LeakWatch;
  readonly #alarm: UtilizationAlarm;
  readonly #unwatch: () => void;
  readonly #leave: (() => void) | undefined;
  #busy = 0;
  #seq = 0;
  #learning = false;
  /** A read of the server's limits was tried (done or failed): the limit leaves 1. */
  #attempted = false;
  #consecutive = 0;
  #lastConnectionError: unknown;
  #cancelIdle: CancelTimer | undefined;
  #closed = false;
  readonly totals = { acquired: 0, shed: 0, refused: 0, connectionFailures: 0 };

  constructor(
    readonly adapter: DriverAdapter<C>,
    readonly o: ResolvedOptions,
  ) {
    this.name = o.name ?? adapter.label;
    this.admission = new Admission(this.#ceiling(), o.queueLimit, o.clock, (r, t) =>
      this.#refuse(r, t),
    );
    this.#leaks = new LeakWatch(o.leakDetectionMs, o.clock, (heldMs, stack) =>
      this.#emit('leak', { heldMs, thresholdMs: o.leakDetectionMs, stack }),
    );
    this.#alarm = new UtilizationAlarm(o.alarmAt);
    this.breaker = o.breaker && this.#makeBreaker(o.breaker.resetTimeoutMs);
    this.fleet =
      o.globalLimit &&
      new FleetSlots(o.globalLimit, o.clock, o.random, (slot) => this.#spareGone(slot));
    this.#unwatch = adapter.watch({
      opened: () => {
        this.connections.opened();
        this.#checkUtilization();
      },
      closed: () => {
        this.connections.closed();
        this.fleet?.trim(this.#idle());
      },
    });
    this.#leave = o.registry?.register({
      name: this.name,
      kind: 'db',
      health: () => this.health(),
      events: this.events,
    });
  }

  /** The limit in force. */
  get limit(): number {
    return this.admission.limit;
  }

  /** Runs `work` on a checked-out connection, released whatever `work` does. */
  async run<T>(work: (connection: C) => T | PromiseLike<T>, call: Call): Promise<T> {
    if (this.#closed) throw new SelfhealError(`The pool guard of ${this.name} is closed`);
    const stack = this.#leaks.enabled ? acquirerStack() : undefined;
    const now = this.o.clock.now();
    const ticket: Ticket = {
      priority: call.priority,
      seq: ++this.#seq,
      since: now,
      deadline: now + call.acquireTimeoutMs,
      signal: call.signal,
    };
    for (let attempt = 1; ; attempt++) {
      if (this.breaker?.state === 'open') throw this.#failFast();
      if (!this.admission.tryEnter()) {
        this.#emit('queued', { ...this.#figures(), priority: call.priority });
        await this.admission.enter(ticket);
      }
      const round = this.backpressure.round;
      let slot: Slot | undefined;
      let connection: C;
      try {
        slot = await this.#fleetSlot(ticket);
        connection = await this.#checkout();
      } catch (error) {
        if (slot && this.fleet!.give(slot, false, this.admission.waiting > 0))
          this.fleet!.retire(slot, undefined);
        this.#leaveAdmission();
        const delay = this.#retryDelay(error, attempt, ticket, round);
        if (delay === undefined) throw this.#finalError(error, ticket);
        await sleep(this.o.clock, delay, call.signal);
        continue;
      }
      return this.#use(connection, slot, work, ticket, stack);
    }
  }

  async #use<T>(
    connection: C,
    slot: Slot | undefined,
    work: (connection: C) => T | PromiseLike<T>,
    ticket: Ticket,
    stack: string | undefined,
  ): Promise<T> {
    this.#busy++;
    this.totals.acquired++;
    this.#cancelIdle?.();
    this.#cancelIdle = undefined;
    if (this.events.listening)
      this.#emit('acquired', {
        ...this.#figures(),
        priority: ticket.priority,
        waitedMs: this.o.clock.now() - ticket.since,
      });
    if (this.backpressure.succeeded(this.#ceiling())) this.#applyLimit('recovered');
    let broken = false;
    const offError = this.adapter.onError(connection, () => {
      broken = true;
    });
    const stopLeakWatch = this.#leaks.watch(stack);
    try {
      if (this.#limitsDue()) await this.#learn(connection);
      return await work(connection);
    } catch (error) {
      if (this.adapter.classify(error) === 'connection') broken = true;
      throw error;
    } finally {
      stopLeakWatch?.();
      offError();
      this.#release(connection, slot, broken);
    }
  }

  #release(connection: C, slot: Slot | undefined, broken: boolean): void {
    this.#busy--;
    let destroy = broken || this.connections.usable > this.admission.limit;
    const retire =
      slot !== undefined && this.fleet!.give(slot, !destroy, this.admission.waiting > 0);
    if (retire && slot.lost) this.#emit('lease-lost', { key: slot.lease.key });
    destroy ||= retire;
    if (destroy) this.connections.closing();
    const ended = this.adapter.release(connection, destroy);
    if (retire) this.fleet!.retire(slot, ended);
    this.#leaveAdmission();
  }

  #leaveAdmission(): void {
    this.admission.leave();
    if (this.admission.active > 0 || this.o.idleCloseMs === undefined || this.#closed) return;
    this.#cancelIdle?.();
    this.#cancelIdle = this.o.clock.setTimer(() => {
      this.#cancelIdle = undefined;
      void this.closeIdle('idle');
    }, this.o.idleCloseMs);
  }

  async #fleetSlot(ticket: Ticket): Promise<Slot | undefined> {
    if (!this.fleet) return undefined;
    const slot = await this.fleet.take(ticket.deadline, ticket.signal);
    if (slot) return slot;
    throw this.#saturated('timeout', ticket, {
      limit: this.o.globalLimit!.max,
      of: 'fleet slots',
    });
  }

  async #checkout(): Promise<C> {
    const breaker = this.breaker;
    try {
      const connection = await (breaker
        ? breaker.execute(() => this.adapter.checkout())
        : this.adapter.checkout());
      this.#consecutive = 0;
      return connection;
    } catch (error) {
      if (this.adapter.classify(error) !== 'connection') {
        if (this.adapter.classify(error) === 'saturated') this.#consecutive = 0;
        throw error;
      }
      this.totals.connectionFailures++;
      this.#lastConnectionError = error;
      this.#consecutive++;
      this.#emit('connection-failed', {
        code: this.adapter.codeOf(error),
        consecutive: this.#consecutive,
        error,
      });
      if (breaker && this.#consecutive >= this.o.breaker!.threshold && breaker.state === 'closed')
        breaker.open();
      throw error;
    }
  }

  /** The delay before the next attempt, or undefined when the error goes to the caller. */
  #retryDelay(error: unknown, attempt: number, ticket: Ticket, round: number): number | undefined {
    const verdict = this.adapter.classify(error);
    if (verdict === 'other' || error instanceof PoolSaturatedError) return undefined;
    if (error instanceof BrokenCircuitError || this.breaker?.state === 'open') return undefined;
    if (verdict === 'saturated') {
      this.totals.refused++;
      const inForce = this.admission.limit;
      if (this.backpressure.refused(round, inForce, this.connections.usable))
        this.#applyLimit('backpressure');
      // Someone else took connections since the last read: count them again now.
      if (this.limits.known) this.limits.stale();
    }
    const delayMs = this.o.backoff.delay({ retry: attempt, previousMs: 0, random: this.o.random });
    if (this.o.clock.now() + delayMs >= ticket.deadline) return undefined;
    this.#emit('backoff', {
      ...this.#figures(),
      code: this.adapter.codeOf(error),
      attempt,
      delayMs,
      error,
    });
    return delayMs;
  }

  /** What a caller gets when it cannot retry: a refusal becomes PoolSaturatedError, the rest passes. */
  #finalError(error: unknown, ticket: Ticket): unknown {
    if (this.breaker?.state === 'open' && this.adapter.classify(error) === 'connection')
      return this.#failFast();
    if (this.adapter.classify(error) !== 'saturated') return error;
    return this.#saturated('timeout', ticket, { cause: error });
  }

  #refuse(reason: Refusal, ticket: Ticket): Error {
    return this.#saturated(reason, ticket, {});
  }

  #saturated(
    reason: Refusal,
    ticket: Ticket,
    extra: { limit?: number; of?: string; cause?: unknown },
  ): PoolSaturatedError {
    const figures = this.#figures();
    const waitedMs = this.o.clock.now() - ticket.since;
    const error = new PoolSaturatedError(
      {
        reason,
        ...figures,
        waitedMs,
        ...(extra.limit !== undefined && { limit: extra.limit }),
        of: extra.of,
      },
      extra.cause === undefined ? undefined : { cause: extra.cause },
    );
    this.totals.shed++;
    this.#emit('shed', { ...figures, priority: ticket.priority, reason, waitedMs, error });
    return error;
  }

  #failFast(): BrokenCircuitError {
    const error = new BrokenCircuitError(
      'open',
      this.breaker!.retryAfterMs,
      this.#lastConnectionError,
    );
    this.#emit('rejected', { reason: 'circuit-open', error });
    return error;
  }

  #makeBreaker(resetTimeoutMs: number): CircuitBreakerPolicy {
    const breaker = circuitBreaker({
      // Only the consecutive-failure trip opens it (a rate over a window needs volume a
      // dead database does not give); a failed half-open probe re-opens it.
      failureRateThreshold: 1,
      resetTimeoutMs,
      isFailure: (error) => this.adapter.classify(error) === 'connection',
      clock: this.o.clock,
    });
    breaker.onEvent((event) => {
      if (event.type === 'breaker-open') {
        this.#emit('breaker-open', {
          retryAfterMs: event.retryAfterMs,
          consecutive: this.#consecutive,
          error: this.#lastConnectionError,
        });
        // Callers waiting for a slot would only meet the open circuit: tell them now.
        this.admission.rejectAll(() => this.#failFast());
      } else if (event.type === 'breaker-half-open') this.#emit('breaker-half-open', {});
      else if (event.type === 'breaker-closed') this.#emit('breaker-closed', {});
    });
    return breaker;
  }

  /** The limit without the server's refusals: option, pool, and what the server leaves us. */
  #ceiling(): number {
    if (this.o.discoverLimits && !this.#attempted) return 1;
    const server = this.fleet ? this.limits.cap() : this.limits.allowance();
    return Math.min(this.o.maxConcurrent, this.adapter.poolMax, server ?? Number.POSITIVE_INFINITY);
  }

  #applyLimit(reason: DbEventMap['limit-changed']['reason']): void {
    const from = this.admission.limit;
    const to = Math.max(1, Math.min(this.#ceiling(), this.backpressure.limit));
    if (to === from) return;
    this.#emit('limit-changed', { from, to, reason });
    this.admission.setLimit(to);
    const excess = this.connections.usable - to;
    if (excess > 0 && this.#idle() > 0) void this.#closeIdleConnections(excess, 'limit');
  }

  #limitsDue(): boolean {
    if (!this.o.discoverLimits || this.#learning) return false;
    return this.o.clock.now() - this.limits.learnedAt >= this.o.limitsRefreshMs;
  }

  /** Reads the server's limits on `connection`; a failed read keeps the last figures. */
  async #learn(connection: C): Promise<void> {
    this.#learning = true;
    try {
      const figures = await this.adapter.discover(connection);
      const ours = this.connections.usable + (this.admission.active - this.#busy);
      const learned = this.limits.learn(figures, ours, this.o.clock.now());
      const utilization = this.limits.utilization(this.connections.usable)!.value;
      this.#emit('limit-learned', { ...learned, utilization });
      this.#checkUtilization();
    } catch (error) {
      // Keep the last figures (or the pool's max) and try again at the next refresh.
      this.limits.tried(this.o.clock.now());
      this.#emit('limits-unavailable', { error });
    } finally {
      this.#learning = false;
      this.#attempted = true;
      this.#applyLimit('learned');
    }
  }

  #checkUtilization(): void {
    const u = this.limits.utilization(this.connections.open);
    if (!u || !this.#alarm.check(u.value)) return;
    const percent = Math.round(u.value * 100);
    const whose = u.of === 'user' ? "this user's" : "the server's";
    const others = u.others > 0 ? `; ${u.others} held by other clients` : '';
    this.#emit('alarm', {
      kind: 'utilization',
      message: `${this.name} is at ${percent} % of ${whose} ${u.limit} connections (${u.connections} in use${others}; alarm at ${Math.round(this.o.alarmAt * 100)} %)`,
      value: u.value,
      limit: u.limit,
      connections: u.connections,
      others: u.others,
    });
  }

  #idle(): number {
    return Math.max(0, this.connections.usable - this.#busy);
  }

  /** A fleet slot of an idle connection goes back: close that connection first. */
  async #spareGone(slot: Slot): Promise<void> {
    if (slot.lost) this.#emit('lease-lost', { key: slot.lease.key });
    await this.#closeIdleConnections(1, 'limit');
  }

  /** Closes every idle connection; resolves once the server has let them go. */
  async closeIdle(reason: 'idle' | 'requested' = 'requested'): Promise<number> {
    return this.#closeIdleConnections(this.#idle(), reason);
  }

  /** Checks out `count` idle connections (the pool hands idle ones first) and closes them. */
  async #closeIdleConnections(
    count: number,
    reason: 'idle' | 'requested' | 'limit',
  ): Promise<number> {
    const n = Math.min(count, this.#idle());
    if (n <= 0) return 0;
    this.#busy += n;
    const taken = await Promise.allSettled(
      Array.from({ length: n }, () => this.adapter.checkout()),
    );
    this.#busy -= n;
    let closed = 0;
    const ended: Array<Promise<void> | undefined> = [];
    for (const result of taken) {
      if (result.status !== 'fulfilled') continue;
      this.connections.closing();
      ended.push(this.adapter.release(result.value, true));
      closed++;
    }
    await Promise.all(ended);
    this.#emit('idle-closed', { closed, reason });
    return closed;
  }

  /** Stops admitting, fails the waiters, waits for checkouts to end, hands fleet slots back, ends the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelIdle?.();
    this.admission.rejectAll(() => new SelfhealError(`The pool guard of ${this.name} is closed`));
    this.#leave?.();
    this.breaker?.dispose();
    await this.adapter.end();
    this.#unwatch();
    await this.fleet?.close();
  }

  health(): GuardHealth {
    return healthOf(this, { idle: this.#idle(), closed: this.#closed });
  }

  #figures() {
    return {
      inUse: this.admission.active,
      waiting: this.admission.waiting,
      limit: this.admission.limit,
    };
  }

  #emit<K extends keyof DbEventMap & string>(type: K, payload: Payload<K>): void {
    if (!this.events.listening) return;
    this.events.emit({
      type,
      source: 'db',
      at: this.o.clock.now(),
      name: this.name,
      ...payload,
    } as never);
  }
}
