/**
 * What the server's refusals teach ("too many connections"): a limit found by
 * multiplicative decrease and additive increase, as TCP finds a window. A refusal cuts
 * the limit to 70 % of what was in force (and never above the connections that do
 * work), once per round: refusals of attempts started before the last cut are the same
 * news and change nothing. Each run of `limit` good checkouts adds one connection back,
 * until the limit reaches the other caps and steps aside.
 */

const DECREASE = 0.7;

export class Backpressure {
  #limit = Number.POSITIVE_INFINITY;
  #successes = 0;
  #round = 0;
  #refusals = 0;

  /** The learned limit; Infinity while the server has not refused anything lately. */
  get limit(): number {
    return this.#limit;
  }

  /** Refusals seen. */
  get refusals(): number {
    return this.#refusals;
  }

  /** The round an attempt starting now belongs to; pass it back to {@link refused}. */
  get round(): number {
    return this.#round;
  }

  /**
   * The server refused an attempt of `round` while `inForce` was the limit and `open`
   * connections worked. Returns true when the limit changed.
   */
  refused(round: number, inForce: number, open: number): boolean {
    this.#refusals++;
    if (round < this.#round) return false;
    const next = Math.max(1, Math.min(Math.floor(inForce * DECREASE), Math.max(open, 1)));
    this.#round++;
    this.#successes = 0;
    if (next >= this.#limit) return false;
    this.#limit = next;
    return true;
  }

  /** A connection was checked out; `ceiling` is the limit without backpressure. True when the limit changed. */
  succeeded(ceiling: number): boolean {
    if (!Number.isFinite(this.#limit) || ++this.#successes < this.#limit) return false;
    this.#successes = 0;
    this.#limit = this.#limit + 1 >= ceiling ? Number.POSITIVE_INFINITY : this.#limit + 1;
    return true;
  }
}
