/**
 * The adaptive rate's arithmetic (AIMD, as TCP and the AWS SDK's adaptive retry mode):
 * multiplicative decrease on a throttling answer, additive increase on successes,
 * bounded by a floor and a ceiling. Pure functions, so the formulas are property-tested.
 */

/** Settings of the adaptive rate. */
export interface AimdSettings {
  /** Multiplier on a throttling answer, (0, 1). */
  beta: number;
  /** Floor, requests/s. */
  minRate: number;
  /** Share of the reference rate regained per second at full use. */
  recoveryPerSecond: number;
  /** Minimum time between two decreases, ms. */
  cooldownMs: number;
}

/** The rate after a throttling answer: `max(minRate, rate · beta)`. */
export function decreased(rate: number, s: Pick<AimdSettings, 'beta' | 'minRate'>): number {
  return Math.max(s.minRate, rate * s.beta);
}

/**
 * The rate after one success: at full use (one success per token) the rate grows by
 * `recoveryPerSecond · reference` per second, so one success adds that divided by the
 * rate. Never above `ceiling`, never below the current rate.
 */
export function increased(
  rate: number,
  reference: number,
  ceiling: number,
  s: Pick<AimdSettings, 'minRate' | 'recoveryPerSecond'>,
): number {
  const step = (Math.max(s.minRate, reference) * s.recoveryPerSecond) / Math.max(rate, s.minRate);
  return Math.max(rate, Math.min(ceiling, rate + step));
}

/**
 * The rate a bucket engages at on the first throttling answer: the goodput measured just
 * before (what the server admitted), or the send rate when nothing got through (further
 * throttling answers then lower it by `beta`); never below `minRate`.
 */
export function engagedRate(
  sendRate: number,
  goodput: number,
  s: Pick<AimdSettings, 'minRate'>,
): number {
  return Math.max(s.minRate, goodput > 0 ? Math.min(goodput, sendRate) : sendRate);
}

/** The pace that spreads `remaining` requests over `resetMs` evenly, requests/s (0 when none are left). */
export function quotaPace(remaining: number, resetMs: number): number {
  if (remaining <= 0) return 0;
  return remaining / Math.max(resetMs / 1000, 0.001);
}
