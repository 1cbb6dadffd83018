/**
 * The figures that look at one stretch of a run: recovery after an outage (first
 * success, full goodput, the herd the recovered server gets), goodput per second after
 * a metastable trigger, and the waves of a burst load.
 */
import type { PhaseSpan } from './metrics.js';
import { round } from './stats.js';
import type { CallRecord, WaveFigures } from './types.js';

const FULL_BIN_MS = 500;
const FULL_SHARE = 0.9;

export function recoveryFigures(
  records: readonly CallRecord[],
  per250ms: readonly number[],
  outage: PhaseSpan,
  windowMs: number,
  offeredRps: number,
) {
  const back = outage.endMs;
  const after = records.filter((r) => r.ok && r.endMs >= back).map((r) => r.endMs - back);
  const first = after.length ? Math.min(...after) : null;
  // 500 ms bins from the outage's end to the end of the load window; full goodput starts
  // at the first bin from which on every bin holds ≥ 0.9 × the offered successes.
  const bins = Math.floor((windowMs - back) / FULL_BIN_MS);
  const counts = Array.from({ length: bins }, () => 0);
  for (const t of after) {
    const i = Math.floor(t / FULL_BIN_MS);
    if (i < bins) counts[i]!++;
  }
  const need = FULL_SHARE * offeredRps * (FULL_BIN_MS / 1000);
  let from = bins;
  while (from > 0 && counts[from - 1]! >= need) from--;
  const fullGoodputMs =
    first === null || from === bins ? null : round(Math.max(from * FULL_BIN_MS, first), 1);
  // The recovered server's busiest 250 ms, and 1 s sliding by 250 ms, as multiples of the offered rate.
  const bins250 = per250ms.slice(Math.ceil(back / 250));
  const peak250 = Math.max(0, ...bins250);
  let peak1s = 0;
  for (let i = 0; i < bins250.length; i++) {
    peak1s = Math.max(
      peak1s,
      bins250.slice(i, i + 4).reduce((a, b) => a + b, 0),
    );
  }
  return {
    recoveryMs: first === null ? null : round(first, 1),
    fullGoodputMs,
    herd250ms: round(peak250 / (offeredRps / 4), 2),
    herd1s: round(peak1s / offeredRps, 2),
  };
}

/** Successes completed in each of the `seconds` seconds after `fromMs`, ÷ the offered rate. */
export function goodputAfter(
  records: readonly CallRecord[],
  fromMs: number,
  offeredRps: number,
  seconds: number,
): number[] {
  const perSecond = Array.from({ length: seconds }, () => 0);
  for (const r of records) {
    const i = Math.floor((r.endMs - fromMs) / 1000);
    if (r.ok && i >= 0 && i < seconds) perSecond[i]!++;
  }
  return perSecond.map((n) => round(n / offeredRps, 2)!);
}

/** Per wave: calls, successes, the requests the upstream got meanwhile, and how long it took. */
export function waveFigures(
  records: readonly CallRecord[],
  starts: readonly number[],
  totalRequests: number,
): WaveFigures[] {
  return starts.map((before, w) => {
    const mine = records.filter((r) => r.wave === w);
    const successes = mine.filter((r) => r.ok).length;
    const serverRequests = (starts[w + 1] ?? totalRequests) - before;
    const start = Math.min(...mine.map((r) => r.startMs));
    const end = Math.max(...mine.map((r) => r.endMs));
    return {
      calls: mine.length,
      successes,
      serverRequests,
      amplification: successes ? round(serverRequests / successes) : null,
      durationMs: mine.length ? round(end - start, 0)! : 0,
    };
  });
}
