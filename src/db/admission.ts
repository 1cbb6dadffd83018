/**
 * Admission to the pool: at most `limit` callers hold a slot; the others wait in a
 * bounded queue, highest priority first and in arrival order within a priority. A caller
 * that backed off after a refusal comes back to its old place (its arrival number), not
 * the end of the line. When the queue is full, a newcomer evicts the newest waiter of a
 * lower priority (background work is shed first) or is refused itself.
 *
 * One timer per waiter, for its deadline; it and the abort listener go when it leaves.
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

interface Waiter {
  ticket: Ticket;
  grant(): void;
  fail(error: unknown): void;
}

export class Admission {
  #active = 0;
  #limit: number;
  #waiting = 0;
  readonly #queues: Waiter[][] = [[], [], []];

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
    const wait = ticket.deadline - this.clock.now();
    if (wait <= 0) return Promise.reject(this.refuse('timeout', ticket));
    return new Promise<void>((resolve, reject) => {
      let cancelTimer: CancelTimer = noop;
      const signal = ticket.signal;
      const onAbort = () => leave(abortReason(signal!));
      const cleanup = () => {
        cancelTimer();
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        ticket,
        grant: () => {
          cleanup();
          resolve();
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const leave = (error: unknown) => {
        if (this.#remove(waiter)) waiter.fail(error);
      };
      this.#insert(rank, waiter);
      cancelTimer = this.clock.setTimer(() => {
        if (this.#remove(waiter)) waiter.fail(this.refuse('timeout', ticket));
      }, wait);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a slot back; the next waiter gets it. */
  leave(): void {
    this.#active--;
    this.#pump();
  }

  /** Turns every waiter away with `error` (the breaker opened, the guard closes). */
  rejectAll(error: () => unknown): void {
    for (const queue of this.#queues) {
      for (const waiter of queue.splice(0)) {
        this.#waiting--;
        waiter.fail(error());
      }
    }
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

  #insert(rank: number, waiter: Waiter): void {
    const queue = this.#queues[rank]!;
    let i = queue.length;
    // Arrivals come in order; only a caller back from a backoff walks forward.
    while (i > 0 && queue[i - 1]!.ticket.seq > waiter.ticket.seq) i--;
    queue.splice(i, 0, waiter);
    this.#waiting++;
  }

  #remove(waiter: Waiter): boolean {
    const queue = this.#queues[RANK[waiter.ticket.priority]]!;
    const i = queue.indexOf(waiter);
    if (i < 0) return false;
    queue.splice(i, 1);
    this.#waiting--;
    return true;
  }

  /** Sheds the newest waiter of a priority below `rank`; false when there is none. */
  #evictBelow(rank: number): boolean {
    for (let r = this.#queues.length - 1; r > rank; r--) {
      const victim = this.#queues[r]!.at(-1);
      if (!victim) continue;
      this.#remove(victim);
      victim.fail(this.refuse('shed', victim.ticket));
      return true;
    }
    return false;
  }

  #pump(): void {
    while (this.#active < this.#limit && this.#waiting > 0) {
      const waiter = this.#queues.find((q) => q.length > 0)!.shift()!;
      this.#waiting--;
      this.#active++;
      waiter.grant();
    }
  }
}

function noop(): void {}
