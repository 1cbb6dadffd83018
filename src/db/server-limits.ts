/**
 * The server's limits as last read, and what they leave this guard: the tighter of the
 * server's cap and the user's cap, minus the connections other clients hold (other
 * processes, other services — "not just your own load, but that of all the other
 * services"). Between two reads the guard's own connections are counted live, so
 * utilization follows this guard's load at once and other clients' load at each read.
 */
import type { ServerFigures } from './adapters/types.js';
import type { LearnedLimits } from './events.js';

/** Utilization of the tighter limit, every client counted. */
export interface Utilization {
  value: number;
  limit: number;
  connections: number;
  others: number;
  /** Which limit binds: the user's own or the server's. */
  of: 'user' | 'server';
}

export class ServerLimits {
  #figures: ServerFigures | undefined;
  #othersUser = 0;
  #othersServer = 0;
  #learnedAt = Number.NEGATIVE_INFINITY;

  /** True once a read succeeded. */
  get known(): boolean {
    return this.#figures !== undefined;
  }

  get learnedAt(): number {
    return this.#learnedAt;
  }

  /** The figures are out of date (the server just refused a connection): read them at the next checkout. */
  stale(): void {
    this.#learnedAt = Number.NEGATIVE_INFINITY;
  }

  /** A read failed at `now`: the next one is due a refresh period later. */
  tried(now: number): void {
    this.#learnedAt = now;
  }

  /**
   * Takes in a read made while this guard held `ours` connections (those being opened
   * included, so a connection the server already counts is never taken for another client's).
   */
  learn(figures: ServerFigures, ours: number, now: number): LearnedLimits {
    this.#figures = figures;
    this.#learnedAt = now;
    this.#othersUser = Math.max(0, figures.userConnections - ours);
    this.#othersServer = Math.max(0, figures.serverConnections - ours);
    return this.limits()!;
  }

  /** What this guard may open: the tighter cap minus other clients' connections, at least 1. */
  allowance(): number | undefined {
    const f = this.#figures;
    if (!f) return undefined;
    const user = f.userMax === null ? Number.POSITIVE_INFINITY : f.userMax - this.#othersUser;
    return Math.max(1, Math.min(user, f.serverMax - this.#othersServer));
  }

  /** The tighter cap itself, other clients not subtracted (a fleet shares it through its own slots). */
  cap(): number | undefined {
    const f = this.#figures;
    if (!f) return undefined;
    return Math.max(1, Math.min(f.userMax ?? Number.POSITIVE_INFINITY, f.serverMax));
  }

  /** Utilization now, with this guard's `open` connections counted live. */
  utilization(open: number): Utilization | undefined {
    const f = this.#figures;
    if (!f) return undefined;
    const server: Utilization = {
      value: (this.#othersServer + open) / f.serverMax,
      limit: f.serverMax,
      connections: this.#othersServer + open,
      others: this.#othersServer,
      of: 'server',
    };
    if (f.userMax === null) return server;
    const user: Utilization = {
      value: (this.#othersUser + open) / f.userMax,
      limit: f.userMax,
      connections: this.#othersUser + open,
      others: this.#othersUser,
      of: 'user',
    };
    return user.value >= server.value ? user : server;
  }

  /** The figures of the last read, for events and health. */
  limits(): LearnedLimits | undefined {
    const f = this.#figures;
    if (!f) return undefined;
    return {
      serverMax: f.serverMax,
      serverConnections: f.serverConnections,
      userMax: f.userMax,
      userConnections: f.userConnections,
      others: this.#othersUser,
      allowance: this.allowance()!,
    };
  }
}

/**
 * The utilization alarm: fires once per crossing of `threshold`, re-arms when
 * utilization falls back under 90 % of it (so a figure hovering at the threshold does
 * not page twice a second).
 */
export class UtilizationAlarm {
  #armed = true;

  constructor(readonly threshold: number) {}

  /** True when `share` crosses the threshold now. */
  check(share: number): boolean {
    if (share < this.threshold * 0.9) this.#armed = true;
    if (share < this.threshold || !this.#armed) return false;
    this.#armed = false;
    return true;
  }
}
