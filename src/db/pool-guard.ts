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
  type CancelTimer,
  EventHub,
  PoolSaturatedError,
  SelfhealError,
  sleep,
} from '../core/internal.js';
import type { DriverAdapter } from './adapters/types.js';
import { Admission, type Refusal, type Ticket } from './admission.js';
import { Backpressure } from './backpressure.js';
import { Abandoned, bounded } from './bounded-checkout.js';
import { ConnectBreaker } from './connect-breaker.js';
import { Connections } from './connections.js';
import type { DbEventMap, Emit, Priority } from './events.js';
import { FleetSlots, type Slot } from './fleet-slots.js';
import { type GuardHealth, healthOf } from './health.js';
import { acquirerStack, LeakWatch } from './leaks.js';
import { CROWDED_MS, LimitWatch } from './limit-watch.js';
import type { ResolvedOptions } from './options.js';

/** One call's settings, resolved. */
export interface Call {
  priority: Priority;
  signal: AbortSignal | undefined;
  acquireTimeoutMs: number;
}

export class PoolGuard<C> {
  readonly name: string;
  readonly events = new EventHub<DbEventMap>();
  readonly admission: Admission;
  readonly connections = new Connections();
  readonly backpressure = new Backpressure();
  readonly watch: LimitWatch<C>;
  readonly connect: ConnectBreaker<C>;
  readonly fleet: FleetSlots | undefined;
  readonly #leaks: LeakWatch;
  readonly #unwatch: () => void;
  readonly #leave: (() => void) | undefined;
  #busy = 0;
  #seq = 0;
  #cancelIdle: CancelTimer | undefined;
  #closed = false;
  readonly totals = { acquired: 0, shed: 0, refused: 0 };
  readonly #emit: Emit = (type, payload) => {
    if (!this.events.listening) return;
    this.events.emit({
      type,
      source: 'db',
      at: this.o.clock.now(),
      name: this.name,
      ...payload,
    } as never);
  };

  constructor(
    readonly adapter: DriverAdapter<C>,
    readonly o: ResolvedOptions,
  ) {
    this.name = o.name ?? adapter.label;
    this.watch = new LimitWatch(adapter, o, this.name, this.#emit);
    this.admission = new Admission(this.#ceiling(), o.queueLimit, o.clock, (r, t) =>
      this.#saturated(r, t, {}),
    );
    this.#leaks = new LeakWatch(o.leakDetectionMs, o.clock, (heldMs, stack) =>
      this.#emit('leak', { heldMs, thresholdMs: o.leakDetectionMs, stack }),
    );
    // Callers waiting for a slot would only meet the open circuit: tell them now.
    this.connect = new ConnectBreaker(adapter, o.breaker, o.clock, this.#emit, () =>
      this.admission.rejectAll(() => this.connect.failFast()),
    );
    this.fleet =
      o.globalLimit &&
      new FleetSlots(o.globalLimit, o.clock, o.random, (slot) => this.#spareGone(slot));
    this.#unwatch = adapter.watch({
      opened: () => {
        this.connections.opened();
        this.watch.check(this.connections.open);
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
      if (this.connect.open) throw this.connect.failFast();
      if (!this.admission.tryEnter()) {
        if (this.events.listening)
          this.#emit('queued', { ...this.#figures(), priority: call.priority });
        await this.admission.enter(ticket);
      }
      const round = this.backpressure.round;
      let slot: Slot | undefined;
      let connection: C;
      try {
        if (this.fleet) slot = await this.#fleetSlot(ticket);
        connection = await this.#checkoutBy(ticket, slot);
      } catch (error) {
        // The attempt still runs and keeps its slot; it cleans up after itself.
        if (error instanceof Abandoned) throw error.error;
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
    let lost = false;
    this.adapter.guard(connection);
    const stopLeakWatch = this.#leaks.watch(stack);
    try {
      if (this.watch.due(this.admission.waiting > 0)) await this.#learn(connection);
      return await work(connection);
    } catch (error) {
      if (this.adapter.classify(error) === 'connection') lost = true;
      throw error;
    } finally {
      stopLeakWatch?.();
      const errored = this.adapter.unguard(connection);
      this.#release(connection, slot, lost || errored);
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
    if (this.admission.active > 0 || this.#closed) return;
    const crowded = this.watch.crowded(this.connections.open);
    const delay = this.o.idleCloseMs ?? (crowded ? CROWDED_MS : undefined);
    if (delay === undefined) return;
    this.#cancelIdle?.();
    this.#cancelIdle = this.o.clock.setTimer(() => {
      this.#cancelIdle = undefined;
      void this.closeIdle('idle');
    }, delay);
  }

  /** The checkout, bounded by the caller's deadline and signal when it opens a connection. */
  #checkoutBy(ticket: Ticket, slot: Slot | undefined): Promise<C> {
    const reuses = this.#idle() > 0;
    const checkout = this.connect.checkout();
    if (reuses) return checkout;
    return bounded(checkout, ticket, this.o.clock, {
      timedOut: () => this.#saturated('timeout', ticket, {}),
      connectedLate: (connection) => {
        this.#busy++;
        this.#release(connection, slot, false);
      },
      failedLate: () => {
        if (slot && this.fleet!.give(slot, false, this.admission.waiting > 0))
          this.fleet!.retire(slot, undefined);
        this.#leaveAdmission();
      },
    });
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

  /** The delay before the next attempt, or undefined when the error goes to the caller. */
  #retryDelay(error: unknown, attempt: number, ticket: Ticket, round: number): number | undefined {
    const verdict = this.adapter.classify(error);
    if (verdict === 'other' || error instanceof PoolSaturatedError) return undefined;
    if (this.connect.open || (error as Error)?.name === 'BrokenCircuitError') return undefined;
    if (verdict === 'saturated') {
      this.totals.refused++;
      const inForce = this.admission.limit;
      if (this.backpressure.refused(round, inForce, this.connections.usable))
        this.#applyLimit('backpressure');
      // Someone else took connections since the last read: count them again now.
      if (this.watch.limits.known) this.watch.limits.stale();
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
    if (this.connect.open && this.adapter.classify(error) === 'connection')
      return this.connect.failFast();
    if (this.adapter.classify(error) !== 'saturated') return error;
    return this.#saturated('timeout', ticket, { cause: error });
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

  /** The limit without the server's refusals: option, pool, and what the server leaves us. */
  #ceiling(): number {
    if (this.o.discoverLimits && !this.watch.attempted) return 1;
    const limits = this.watch.limits;
    const server = this.fleet ? limits.cap() : limits.allowance();
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

  /** Reads the server's limits on `connection`, then moves the limit to what they leave. */
  async #learn(connection: C): Promise<void> {
    await this.watch.read(
      connection,
      () => this.connections.usable + (this.admission.active - this.#busy),
      () => this.connections.usable,
    );
    this.#applyLimit('learned');
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
    this.connect.dispose();
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
}
