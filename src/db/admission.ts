/**
 * Admission to the pool: at most `limit` callers hold a slot; the others wait in a
 * bounded queue, highest priority first and in arrival order within a priority. A caller
 * that backed off after a refusal comes back to its old place (its arrival number), not
 * the end of the line. When the queue is full, a newcomer evicts the newest waiter of a
 * lower priority (background work is shed first) or is refused itself.
 *
 * One timer for the whole queue, due at the earliest deadline: hundreds of waiters cost
 * no timer each (and no closure each) — a queue is where a saturated pool spends its time.
 */
import { abortReason, type CancelTimer, type Clock } from '../core/internal.js';
import type { Priority } from './events.js';

const RANK: Record<Priority, number> = { high: 0, normal: 1, background: 2 };

/** Why a waiter leaves without a slot. */
export type Refusal = 'timeout' | 'queue-full' | 'shed';

/** A caller's ticket. */
export interface Ticket {
  priority: Priority;
  /** Arrival number: lower goes first within a priority. */
  seq: number;
  /** Clock time the caller arrived (before any backoff). */
  since: number;
  /** Clock time by which it must have a slot. */
  deadline: number;
  signal: AbortSignal | undefined;
}

/** One waiting caller; it is its own abort listener (`handleEvent`), so it needs no closure. */
class Waiter {
  constructor(
    readonly owner: Admission,
    readonly ticket: Ticket,
    readonly rank: number,
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
  ) {}

  handleEvent(): void {
    this.owner.abandon(this);
  }
}

export class Admission {
  #active = 0;
  #limit: number;
  #waiting = 0;
  readonly #queues: Waiter[][] = [[], [], []];
  #cancelTimer: CancelTimer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #onTimer = (): void => this.#expire();

  constructor(
    limit: number,
    readonly queueLimit: number,
    readonly clock: Clock,
    /** Builds the error a refused ticket rejects with (and reports it). */
    readonly refuse: (reason: Refusal, ticket: Ticket) => Error,
  ) {
    this.#limit = limit;
  }

  /** Slots held. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting. */
  get waiting(): number {
    return this.#waiting;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit; a higher one admits waiters at once. */
  setLimit(limit: number): void {
    this.#limit = limit;
    this.#pump();
  }

  /** Takes a slot now when one is free and nobody waits for it. */
  tryEnter(): boolean {
    if (this.#active >= this.#limit || this.#waiting > 0) return false;
    this.#active++;
    return true;
  }

  /** Waits for a slot until the ticket's deadline. */
  enter(ticket: Ticket): Promise<void> {
    if (ticket.signal?.aborted) return Promise.reject(abortReason(ticket.signal));
    if (this.#enterAhead(ticket)) return Promise.resolve();
    const rank = RANK[ticket.priority];
    if (this.#waiting >= this.queueLimit && !this.#evictBelow(rank))
      return Promise.reject(this.refuse('queue-full', ticket));
    if (ticket.deadline <= this.clock.now()) return Promise.reject(this.refuse('timeout', ticket));
    let waiter!: Waiter;
    const promise = new Promise<void>((resolve, reject) => {
      waiter = new Waiter(this, ticket, rank, resolve, reject);
    });
    this.#insert(waiter);
    ticket.signal?.addEventListener('abort', waiter, { once: true });
    if (ticket.deadline < this.#timerAt) this.#schedule(ticket.deadline);
    return promise;
  }

  /** Gives a slot back; the next waiter gets it. */
  leave(): void {
    this.#active--;
    this.#pump();
  }

  /** Turns every waiter away with `error` (the breaker opened, the guard closes). */
  rejectAll(error: () => unknown): void {
    for (const queue of this.#queues)
      for (const waiter of queue.splice(0)) this.#fail(waiter, error());
    this.#waiting = 0;
    this.#schedule(Number.POSITIVE_INFINITY);
  }

  /** A waiter's signal aborted: it leaves the queue with the signal's reason. */
  abandon(waiter: Waiter): void {
    if (this.#remove(waiter)) this.#fail(waiter, abortReason(waiter.ticket.signal!));
  }

  /** A returning caller (older arrival) may enter while only newer callers wait. */
  #enterAhead(ticket: Ticket): boolean {
    if (this.#active >= this.#limit) return false;
    const rank = RANK[ticket.priority];
    for (let r = 0; r <= rank; r++) {
      const head = this.#queues[r]![0];
      if (head && (r < rank || head.ticket.seq < ticket.seq)) return false;
    }
    this.#active++;
    return true;
  }

  #insert(waiter: Waiter): void {
    const queue = this.#queues[waiter.rank]!;
    let i = queue.length;
    // Arrivals come in order; only a caller back from a backoff walks forward.
    while (i > 0 && queue[i - 1]!.ticket.seq > waiter.ticket.seq) i--;
    if (i === queue.length) queue.push(waiter);
    else queue.splice(i, 0, waiter);
    this.#waiting++;
  }

  #remove(waiter: Waiter): boolean {
    const queue = this.#queues[waiter.rank]!;
    const i = queue.indexOf(waiter);
    if (i < 0) return false;
    queue.splice(i, 1);
    this.#waiting--;
    return true;
  }

  #fail(waiter: Waiter, error: unknown): void {
    waiter.ticket.signal?.removeEventListener('abort', waiter);
    waiter.reject(error);
  }

  /** Sheds the newest waiter of a priority below `rank`; false when there is none. */
  #evictBelow(rank: number): boolean {
    for (let r = this.#queues.length - 1; r > rank; r--) {
      const victim = this.#queues[r]!.at(-1);
      if (!victim) continue;
      this.#remove(victim);
      this.#fail(victim, this.refuse('shed', victim.ticket));
      return true;
    }
    return false;
  }

  #pump(): void {
    while (this.#active < this.#limit && this.#waiting > 0) {
      let r = 0;
      while (this.#queues[r]!.length === 0) r++;
      const waiter = this.#queues[r]!.shift()!;
      this.#waiting--;
      this.#active++;
      waiter.ticket.signal?.removeEventListener('abort', waiter);
      waiter.resolve();
    }
    if (this.#waiting === 0) this.#schedule(Number.POSITIVE_INFINITY);
  }

  /** The timer fired: refuse every waiter past its deadline, then wait for the next one. */
  #expire(): void {
    this.#cancelTimer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const queue of this.#queues) {
      for (const waiter of [...queue]) {
        if (waiter.ticket.deadline > now) next = Math.min(next, waiter.ticket.deadline);
        else if (this.#remove(waiter)) this.#fail(waiter, this.refuse('timeout', waiter.ticket));
      }
    }
    this.#schedule(next);
  }

  /** Moves the one timer to `at` (Infinity: none). */
  #schedule(at: number): void {
    if (at === this.#timerAt) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerAt = at;
    if (Number.isFinite(at))
      this.#cancelTimer = this.clock.setTimer(this.#onTimer, Math.max(0, at - this.clock.now()));
  }
}
