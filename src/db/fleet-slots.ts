/**
 * The fleet-wide cap: every connection this process holds — checked out or idle in the
 * pool — is backed by one slot of the store's lease semaphore, so the fleet's connections
 * never exceed `max`. A checkout reuses a spare slot (its connection waits idle in the
 * pool: no store call at all) or takes a new one. Slots are refreshed on a timer while
 * held; a holder that dies loses them after `leaseMs`.
 *
 * Fairness: a process under load would keep its slots forever. While other processes
 * wait (they leave a `wanted` mark in the store's counters), a slot nobody here needs goes
 * back at once (closing its idle connection), and a process holding more than its share —
 * max ÷ the processes that use the key (each holds one lease of a members semaphore) —
 * hands a slot back at its first release after about `turnMs`; whoever waits longest
 * takes it. Only slots above the share turn over, so the fleet reconnects a few times per
 * turn, not once per slot.
 */
import type { CancelTimer, Clock, Lease, RandomSource } from '../core/internal.js';
import type { GlobalLimitOptions } from './options.js';

/** The members semaphore's size: it counts processes, it never refuses one. */
const MEMBERS_MAX = 100_000;

/** One held slot. */
export interface Slot {
  readonly lease: Lease;
  /** Clock time after which the slot is handed back while others wait. */
  readonly turnEndsAt: number;
  lost: boolean;
}

export class FleetSlots {
  readonly #spare: Slot[] = [];
  readonly #held = new Set<Slot>();
  readonly #wantedKey: string;
  readonly #membersKey: string;
  readonly #tickMs: number;
  #contended = false;
  #member: Lease | undefined;
  #joining: Promise<void> | undefined;
  #members = 1;
  #cancelTick: CancelTimer | undefined;
  #closed = false;

  constructor(
    readonly o: Required<GlobalLimitOptions>,
    readonly clock: Clock,
    readonly random: RandomSource,
    /**
     * A spare slot must go back (lost, or its turn ended while others wait): close one
     * idle connection and resolve when it has ended; the slot is released after that.
     */
    readonly closeOneIdle: (slot: Slot) => Promise<void>,
  ) {
    this.#wantedKey = `${o.key}:wanted`;
    this.#membersKey = `${o.key}:members`;
    this.#tickMs = Math.max(1, Math.min(o.turnMs, o.leaseMs / 3));
  }

  /** Slots this process holds (in use, spare, and those whose connection is closing). */
  get held(): number {
    return this.#held.size;
  }

  /** Held slots whose connection is idle in the pool. */
  get spare(): number {
    return this.#spare.length;
  }

  /** True while other processes have been waiting for a slot lately. */
  get contended(): boolean {
    return this.#contended;
  }

  /** Processes using the key, at the last count (this one included). */
  get members(): number {
    return this.#members;
  }

  /** A slot for one checkout, waiting until `deadline`; undefined when none freed up. */
  async take(deadline: number, signal: AbortSignal | undefined): Promise<Slot | undefined> {
    const spare = this.#spare.pop();
    if (spare) return spare;
    this.#joining ??= this.#join();
    await this.#joining;
    const { store, key, max, leaseMs } = this.o;
    let lease = await store.leases.acquire(key, { max, leaseMs, signal });
    if (!lease) {
      // Tell the holders someone waits, so they hand slots over in turn.
      await store.counters.increment(this.#wantedKey, { ttlMs: this.o.turnMs * 2 });
      const waitMs = Math.max(0, deadline - this.clock.now());
      lease = await store.leases.acquire(key, { max, leaseMs, waitMs, signal });
    }
    if (!lease) return undefined;
    if (this.#closed) {
      await lease.release();
      return undefined;
    }
    const slot: Slot = {
      lease,
      turnEndsAt: this.clock.now() + this.o.turnMs * (0.5 + this.random()),
      lost: false,
    };
    this.#held.add(slot);
    this.#scheduleTick();
    return slot;
  }

  /**
   * A checkout ends. `keep`: its connection stays idle in the pool. Returns true when the
   * slot goes back to the store (lost, its turn over, or no connection left to back):
   * the caller closes the connection and passes its end to {@link retire}.
   */
  give(slot: Slot, keep: boolean, waitingHere: boolean): boolean {
    // Nobody here needs it while others wait, or this process has more than its share.
    const wanted = this.#contended && !waitingHere;
    const turnOver = this.#aboveShare() && this.clock.now() >= slot.turnEndsAt;
    if (slot.lost || wanted || turnOver || (!keep && !waitingHere)) return true;
    // A slot whose connection was closed still backs the next checkout here (it opens one).
    this.#spare.push(slot);
    return false;
  }

  /** Releases `slot` once its connection has ended (`ended`), so the fleet never counts one twice. */
  retire(slot: Slot, ended: Promise<void> | undefined): void {
    const release = () => {
      if (this.#held.delete(slot)) void slot.lease.release().catch(() => undefined);
    };
    if (ended) void ended.then(release);
    else release();
  }

  /** The pool closed connections itself (idle timeout, errors, closeIdle): release the slots that back none. */
  trim(idleConnections: number): void {
    while (this.#spare.length > Math.max(0, idleConnections))
      this.retire(this.#spare.shift()!, undefined);
  }

  /** Hands back every slot and stops the timer. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTick?.();
    this.#cancelTick = undefined;
    await this.#joining;
    const all = [...this.#held].map((slot) => slot.lease);
    if (this.#member) all.push(this.#member);
    this.#held.clear();
    this.#spare.length = 0;
    this.#member = undefined;
    await Promise.all(all.map((lease) => lease.release().catch(() => undefined)));
  }

  /** Others wait and this process holds more than its share: its slots take turns. */
  #aboveShare(): boolean {
    return this.#contended && this.#held.size > Math.floor(this.o.max / this.#members);
  }

  /** Counts this process among the key's users (one lease of a large semaphore), once. */
  async #join(): Promise<void> {
    const lease = await this.o.store.leases
      .acquire(this.#membersKey, { max: MEMBERS_MAX, leaseMs: this.o.leaseMs })
      .catch(() => undefined);
    if (this.#closed) await lease?.release();
    else this.#member = lease;
  }

  #scheduleTick(): void {
    if (this.#cancelTick || this.#closed) return;
    this.#cancelTick = this.clock.setTimer(() => {
      this.#cancelTick = undefined;
      void this.#tick().finally(() => {
        if (this.#held.size > 0) this.#scheduleTick();
      });
    }, this.#tickMs);
  }

  /** Refreshes every held slot and reads whether others wait. */
  async #tick(): Promise<void> {
    const store = this.o.store;
    const [wanted, members] = await Promise.all([
      store.counters.get(this.#wantedKey).catch(() => 0),
      store.leases.held(this.#membersKey).catch(() => this.#members),
      this.#member?.refresh().catch(() => true),
      ...[...this.#held].map(async (slot) => {
        // A store that cannot answer keeps the slot: it says so through its own events.
        if (!(await slot.lease.refresh().catch(() => true))) slot.lost = true;
      }),
    ]);
    this.#contended = wanted > 0;
    this.#members = Math.max(1, members);
    // Idle slots go back while others wait (and lost ones always).
    for (const slot of [...this.#spare]) {
      if (!slot.lost && !this.#contended) continue;
      this.#spare.splice(this.#spare.indexOf(slot), 1);
      this.retire(slot, this.closeOneIdle(slot));
    }
  }
}
