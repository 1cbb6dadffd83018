/** Turns the calls a client made and what the upstream counted into the published figures. */
import type { ClientCounts } from '../upstream.js';
import { goodputAfter, recoveryFigures, waveFigures } from './metrics-phases.js';
import { percentile, round } from './stats.js';
import type { CallRecord, ClientFigures } from './types.js';

/** A call counts as late when its client settled more than this after its deadline. */
export const LATE_TOLERANCE_MS = 200;

/** Where a phase sits in the run, ms since it started. */
export interface PhaseSpan {
  startMs: number;
  endMs: number;
  phase: string;
}

export interface FigureInputs {
  client: string;
  label: string;
  records: readonly CallRecord[];
  counts: ClientCounts | undefined;
  /** Length of the load window (ms); successes after it count for success rate, not goodput. Null for a burst load. */
  windowMs: number | null;
  /** Goodput's reference rate: capacity, or the offered rate when the upstream has no limit. */
  referenceRps: number | undefined;
  /** The open-loop arrival rate, for the recovery and metastable figures. */
  offeredRps?: number;
  /** The deadline each call had, for `lateCalls`. */
  deadlineMs: number;
  /** The outage, if the scenario has one (recovery figures). */
  outage?: PhaseSpan;
  /** The metastable trigger, if the scenario has one. */
  trigger?: PhaseSpan;
  /** Requests the upstream had counted when each wave of a burst load started. */
  waveStarts?: readonly number[];
}

export function computeFigures(input: FigureInputs): ClientFigures {
  const { records, counts } = input;
  const successes = records.filter((r) => r.ok);
  const failed = (kind: string) => records.filter((r) => r.failure === kind).length;
  const serverRequests = counts?.requests ?? 0;
  const latencies = successes.map((r) => r.endMs - r.startMs);
  const window = input.windowMs;
  const inWindow = window === null ? 0 : successes.filter((r) => r.endMs <= window).length;
  const goodput =
    window === null
      ? null
      : input.referenceRps && window > 0
        ? round(inWindow / (window / 1000) / input.referenceRps)
        : 0;
  const recovery =
    input.outage && input.offeredRps && window !== null
      ? recoveryFigures(records, counts?.per250ms ?? [], input.outage, window, input.offeredRps)
      : undefined;
  return {
    client: input.client,
    label: input.label,
    calls: records.length,
    successes: successes.length,
    successRate: round(records.length ? successes.length / records.length : 0, 4)!,
    failedShed: failed('shed'),
    failedRefused: failed('refused'),
    failedTimeout: failed('timeout'),
    failedNetwork: failed('network'),
    failedOther: failed('other'),
    goodput,
    serverRequests,
    serverOk: counts?.ok ?? 0,
    amplification: successes.length ? round(serverRequests / successes.length) : null,
    throttled429: counts?.throttled ?? 0,
    serverErrors: (counts?.errors ?? 0) + (counts?.outage ?? 0),
    outageRequests: input.outage ? (counts?.byPhase[input.outage.phase] ?? 0) : null,
    recoveryMs: recovery?.recoveryMs ?? null,
    fullGoodputMs: recovery?.fullGoodputMs ?? null,
    herd250ms: recovery?.herd250ms ?? null,
    herd1s: recovery?.herd1s ?? null,
    goodputAfter:
      input.trigger && input.offeredRps
        ? goodputAfter(records, input.trigger.endMs, input.offeredRps, secondsAfter(input))
        : null,
    waves: input.waveStarts ? waveFigures(records, input.waveStarts, serverRequests) : null,
    lateCalls: records.filter(
      (r) => r.settledMs === null || r.settledMs - r.startMs > input.deadlineMs + LATE_TOLERANCE_MS,
    ).length,
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    overheadRatio: null,
    serverPerSecond: counts?.perSecond ?? [],
  };
}

/** Seconds of the load window after the trigger, at most 5 (the look-out). */
function secondsAfter(input: FigureInputs): number {
  const left = (input.windowMs ?? 0) - input.trigger!.endMs;
  return Math.max(0, Math.min(5, Math.floor(left / 1000)));
}
