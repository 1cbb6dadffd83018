/**
 * The pool's connections as the server sees them, counted from the driver's public
 * events: opened when the handshake succeeded, closed once the socket has ended (so a
 * connection being closed still counts — the server still does).
 */
export class Connections {
  #open = 0;
  #closing = 0;

  /** Connections open on the server (closing ones included). */
  get open(): number {
    return this.#open;
  }

  /** Open and not being closed: what the pool can still hand out or holds checked out. */
  get usable(): number {
    return Math.max(0, this.#open - this.#closing);
  }

  opened(): void {
    this.#open++;
  }

  closed(): void {
    this.#open = Math.max(0, this.#open - 1);
    if (this.#closing > 0) this.#closing--;
  }

  /** The guard asked the pool to close one. */
  closing(): void {
    this.#closing++;
  }
}
