/**
 * The circuit breaker's options, validated once. `new BreakerSettings(options)` checks
 * every field and fills the defaults; a breaker built from a `BreakerSettings` does not
 * check them again, so a client that makes one breaker per origin validates its options
 * when it is created, not once per origin.
 */
import { MAX_TIMER_MS } from './breaker-gate.js';
import { type ProbeInterval, probeInterval } from './breaker-state.js';
import { functionOption, objectOption, optionalNumber } from './validate.js';

/** What the breaker's own options can say (everything but the clock and the initial state). */
export interface BreakerSettingsOptions {
  /** Failure share (0–1] above which the circuit opens. @default 0.5 */
  failureRateThreshold?: number;
  /** Requests the window must hold before the rate is judged. @default 10 */
  minimumRequests?: number;
  /** Length of the rolling window. @default 10000 */
  windowMs?: number;
  /**
   * The longest the circuit stays open before a probe; with `probeInterval: false`, how
   * long it always stays open. @default 30000
   */
  resetTimeoutMs?: number;
  /**
   * Failures in a row that open the circuit whatever the window holds (an outage shows at
   * once as an unbroken run, at any traffic; the rate needs volume and forgets slowly);
   * `Infinity` for none. @default Infinity
   */
  consecutiveFailures?: number;
  /**
   * How long the circuit stays open before each probe: `minMs` while the outage is young,
   * then `ratio` × how long it has lasted, never more than `resetTimeoutMs` — a server
   * that comes back is probed within max(`minMs`, `ratio` × the outage), a dead one sees
   * one probe per `minMs` at most. The outage's length shrinks back as long as the
   * circuit then stays closed. `false`: always `resetTimeoutMs`.
   * @default { minMs: 1000, ratio: 0.2 }
   */
  probeInterval?: Partial<ProbeInterval> | false;
  /** Which errors count as failures. @default every error but an abort */
  isFailure?: (error: unknown) => boolean;
}

/** The breaker's options, validated, with their defaults filled in. */
export class BreakerSettings {
  readonly failureRateThreshold: number;
  readonly minimumRequests: number;
  readonly windowMs: number;
  readonly resetTimeoutMs: number;
  readonly consecutiveFailures: number;
  /** `false`: a fixed `resetTimeoutMs`. */
  readonly probeInterval: Readonly<ProbeInterval> | false;
  readonly isFailure: (error: unknown) => boolean;

  /**
   * Throws a TypeError/RangeError naming the option (as `${path}.${name}` when `path` is
   * given) and its accepted range. `defaults` replace the built-in defaults (a client's own).
   */
  constructor(
    options: BreakerSettingsOptions = {},
    path?: string,
    defaults: BreakerSettingsOptions = {},
  ) {
    const name = (key: string) => (path ? `${path}.${key}` : key);
    const o = { ...defaults, ...definedOnly(objectOption(path || 'options', options) ?? {}) };
    this.failureRateThreshold = optionalNumber(
      name('failureRateThreshold'),
      o.failureRateThreshold,
      0.5,
      { min: 0, max: 1, exclusiveMin: true },
    );
    this.minimumRequests = optionalNumber(name('minimumRequests'), o.minimumRequests, 10, {
      min: 1,
      integer: true,
    });
    this.windowMs = optionalNumber(name('windowMs'), o.windowMs, 10_000, {
      min: 10,
      integer: true,
    });
    this.resetTimeoutMs = optionalNumber(name('resetTimeoutMs'), o.resetTimeoutMs, 30_000, {
      min: 0,
      max: MAX_TIMER_MS,
    });
    this.consecutiveFailures = optionalNumber(
      name('consecutiveFailures'),
      o.consecutiveFailures,
      Number.POSITIVE_INFINITY,
      { min: 1, integer: true, allowInfinity: true },
    );
    this.probeInterval = probeIntervalOption(name('probeInterval'), o.probeInterval);
    this.isFailure = functionOption(
      name('isFailure'),
      o.isFailure,
      (e: unknown) => (e as Error)?.name !== 'AbortError',
    );
    Object.freeze(this);
  }
}

function probeIntervalOption(
  name: string,
  value: BreakerSettingsOptions['probeInterval'],
): Readonly<ProbeInterval> | false {
  if (value === false) return false;
  const o = objectOption<Partial<ProbeInterval>>(name, value) ?? {};
  return Object.freeze({
    minMs: optionalNumber(`${name}.minMs`, o.minMs, probeInterval.minMs, {
      min: 0,
      max: MAX_TIMER_MS,
    }),
    ratio: optionalNumber(`${name}.ratio`, o.ratio, probeInterval.ratio, { min: 0, max: 10 }),
  });
}

/** `{ a: undefined }` means "the default", as an absent key does. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
