/**
 * When and how the guard reads the server's limits: on the first checkout, then on the
 * first checkout after `limitsRefreshMs` (after one second while callers wait and other
 * clients hold connections, and at once after a refusal), always on a connection the
 * guard already holds — no timer, no extra connection. Each read is reported, and the
 * utilization alarm checked.
 */
import type { DriverAdapter } from './adapters/types.js';
import type { Emit } from './events.js';
import type { ResolvedOptions } from './options.js';
import { ServerLimits, UtilizationAlarm } from './server-limits.js';

/**
 * While other clients crowd the user's connections: how soon the guard reads the limits
 * again when its callers wait, and closes its idle connections after its last operation
 * (when `idleCloseMs` is not set), so what one process leaves another can use.
 */
export const CROWDED_MS = 1_000;

export class LimitWatch<C> {
  readonly limits = new ServerLimits();
  readonly #alarm: UtilizationAlarm;
  #reading = false;
  /** A read was tried (done or failed): the guard's limit leaves 1. */
  attempted = false;

  constructor(
    readonly adapter: DriverAdapter<C>,
    readonly o: Pick<ResolvedOptions, 'discoverLimits' | 'limitsRefreshMs' | 'alarmAt' | 'clock'>,
    readonly name: string,
    readonly emit: Emit,
  ) {
    this.#alarm = new UtilizationAlarm(o.alarmAt);
  }

  /** True when a read is due; `waiting`: callers wait for a connection now. */
  due(waiting: boolean): boolean {
    if (!this.o.discoverLimits || this.#reading) return false;
    const others = this.limits.limits()?.others ?? 0;
    const every =
      waiting && others > 0 ? Math.min(this.o.limitsRefreshMs, CROWDED_MS) : this.o.limitsRefreshMs;
    return this.o.clock.now() - this.limits.learnedAt >= every;
  }

  /**
   * Reads the limits on `connection` while the guard holds `ours` connections (being
   * opened included) of which `open` are open; a failed read keeps the last figures.
   */
  async read(connection: C, ours: () => number, open: () => number): Promise<void> {
    this.#reading = true;
    try {
      const figures = await this.adapter.discover(connection);
      const learned = this.limits.learn(figures, ours(), this.o.clock.now());
      this.emit('limit-learned', {
        ...learned,
        utilization: this.limits.utilization(open())!.value,
      });
      this.check(open());
    } catch (error) {
      this.limits.tried(this.o.clock.now());
      this.emit('limits-unavailable', { error });
    } finally {
      this.#reading = false;
      this.attempted = true;
    }
  }

  /** Raises the utilization alarm when `open` connections of ours cross the threshold. */
  check(open: number): void {
    const u = this.limits.utilization(open);
    if (!u || !this.#alarm.check(u.value)) return;
    const percent = Math.round(u.value * 100);
    const whose = u.of === 'user' ? "this user's" : "the server's";
    const others = u.others > 0 ? `; ${u.others} held by other clients` : '';
    this.emit('alarm', {
      kind: 'utilization',
      message: `${this.name} is at ${percent} % of ${whose} ${u.limit} connections (${u.connections} in use${others}; alarm at ${Math.round(this.o.alarmAt * 100)} %)`,
      value: u.value,
      limit: u.limit,
      connections: u.connections,
      others: u.others,
    });
  }

  /** Other clients hold connections and the user's are nearly all taken: ours are wanted elsewhere. */
  crowded(open: number): boolean {
    const u = this.limits.utilization(open);
    return u !== undefined && u.others > 0 && u.value >= this.o.alarmAt;
  }
}
