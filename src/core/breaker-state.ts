/**
 * What the circuit breaker keeps besides opossum: its serialisable snapshot, and how
 * long it waits before each probe — the probe interval, which grows with the length of
 * the outage (as Envoy's ejection time grows with repeated ejections) instead of a fixed
 * reset timeout.
 */
import { numberOption } from './validate.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker's state as plain JSON, for `initialState`. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Clock time the circuit last opened (open / half-open only). */
  openedAt?: number;
  /** Requests and failures in the current window. */
  requests: number;
  failures: number;
}

/** Throws a TypeError/RangeError naming the field when a snapshot is malformed. */
export function validateSnapshot(s: BreakerSnapshot): void {
  if (typeof s !== 'object' || s === null || !['closed', 'open', 'half-open'].includes(s.state)) {
    throw new TypeError("Expected `initialState.state` to be one of 'closed', 'open', 'half-open'");
  }
  numberOption('initialState.requests', s.requests, { min: 0, integer: true });
  numberOption('initialState.failures', s.failures, { min: 0, max: s.requests, integer: true });
  if (s.openedAt !== undefined) numberOption('initialState.openedAt', s.openedAt);
}

/** How the wait before a half-open probe follows the outage (see `probeInterval`). */
export interface ProbeInterval {
  /** The wait while the outage is young: a dead server sees one probe per `minMs` at most. */
  minMs: number;
  /** The wait as a share of the outage so far, once that is longer than `minMs`. */
  ratio: number;
}

/**
 * The default: the first probes come a second apart, so a server back within 5 s
 * (`minMs / ratio`) is found within a second while a dead one sees one request per
 * second; past that the wait is a fifth of the outage so far — each failed probe waits
 * 1.2 × longer than the last, and a server is never found later than a fifth of its
 * outage after it is back.
 */
export const probeInterval: Readonly<ProbeInterval> = Object.freeze({ minMs: 1000, ratio: 0.2 });

/**
 * The wait before the next probe when the circuit opens after an outage of `outageMs`
 * so far: `min(capMs, max(minMs, ratio × outageMs))`.
 */
export function probeDelayMs(outageMs: number, interval: ProbeInterval, capMs: number): number {
  return Math.min(capMs, Math.max(interval.minMs, interval.ratio * outageMs));
}

/**
 * The length of the current outage, as the probe interval reads it: it grows while the
 * circuit is open or half-open and shrinks back, at the same pace, while it stays closed
 * (a server that flaps keeps its long interval; one healthy for as long as it was down
 * starts again from `minMs`).
 */
export class OutageLength {
  #ms = 0;
  #since = 0;
  #growing = false;

  /** The outage's length at `now`. */
  at(now: number): number {
    const elapsed = Math.max(0, now - this.#since);
    return this.#growing ? this.#ms + elapsed : Math.max(0, this.#ms - elapsed);
  }

  /** The circuit opened (`growing`) or closed at `now`. */
  set(now: number, growing: boolean, ms = this.at(now)): void {
    this.#ms = ms;
    this.#since = now;
    this.#growing = growing;
  }
}

/** When the next probe is due: the open period's start, and its length from the outage. */
export class ProbeSchedule {
  readonly #outage = new OutageLength();
  readonly #interval: Readonly<ProbeInterval> | false;
  readonly #capMs: number;
  /** Clock time the circuit last opened; `undefined` while closed. */
  openedAt: number | undefined;
  /** Clock time the probe is due. */
  probeAt = 0;

  /** @param interval `false`: always `capMs`. */
  constructor(interval: Readonly<ProbeInterval> | false, capMs: number) {
    this.#interval = interval;
    this.#capMs = capMs;
  }

  /** The circuit opened at `now`; returns the wait before the probe. */
  open(now: number): number {
    const outage = this.#outage.at(now);
    this.#outage.set(now, true, outage);
    this.openedAt = now;
    const wait = this.#wait(outage);
    this.probeAt = now + wait;
    return wait;
  }

  /** A restored circuit that opened at `openedAt`: the probe is due when it was then. */
  restore(openedAt: number): void {
    this.#outage.set(openedAt, true, 0);
    this.openedAt = openedAt;
    this.probeAt = openedAt + this.#wait(0);
  }

  /** The circuit closed at `now`: the outage starts to shrink back. */
  close(now: number): void {
    this.#outage.set(now, false);
    this.openedAt = undefined;
  }

  #wait(outageMs: number): number {
    return this.#interval === false
      ? this.#capMs
      : probeDelayMs(outageMs, this.#interval, this.#capMs);
  }
}
