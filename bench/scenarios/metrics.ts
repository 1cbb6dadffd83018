/** Turns the calls a client made and what the upstream counted into the published figures. */
import type { ClientCounts } from '../upstream.js';
import { percentile, round } from './stats.js';
import type { CallRecord, ClientFigures } from './types.js';

export interface FigureInputs {
  client: string;
  label: string;
  records: readonly CallRecord[];
  counts: ClientCounts | undefined;
  /** Length of the load window (ms); successes after it count for success rate, not goodput. */
  windowMs: number;
  /** Goodput's reference rate: capacity, or the offered rate when the upstream has no limit. */
  referenceRps: number | undefined;
  /** [start, end] of the outage in ms since the run started, if the scenario has one. */
  outage?: { startMs: number; endMs: number; phase: string };
}

export function computeFigures(input: FigureInputs): ClientFigures {
  const { records, counts } = input;
  const successes = records.filter((r) => r.ok);
  const failed = (kind: string) => records.filter((r) => r.failure === kind).length;
  const inWindow = successes.filter((r) => r.endMs <= input.windowMs).length;
  const serverRequests = counts?.requests ?? 0;
  const latencies = successes.map((r) => r.endMs - r.startMs);
  const goodput =
    input.referenceRps && input.windowMs > 0
      ? inWindow / (input.windowMs / 1000) / input.referenceRps
      : 0;
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
    goodput: round(goodput)!,
    serverRequests,
    serverOk: counts?.ok ?? 0,
    amplification: successes.length ? round(serverRequests / successes.length) : null,
    throttled429: counts?.throttled ?? 0,
    serverErrors: (counts?.errors ?? 0) + (counts?.outage ?? 0),
    outageRequests: input.outage ? (counts?.byPhase[input.outage.phase] ?? 0) : null,
    recoveryMs: input.outage ? recovery(records, input.outage.endMs) : null,
    recoveryPeakRps: input.outage
      ? Math.max(0, ...(counts?.perSecond ?? []).slice(Math.ceil(input.outage.endMs / 1000)))
      : null,
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    overheadRatio: null,
    serverPerSecond: counts?.perSecond ?? [],
  };
}

/** From the outage's end to the first success among calls started after it. */
function recovery(records: readonly CallRecord[], outageEndMs: number): number | null {
  const fresh = records.filter((r) => r.ok && r.startMs >= outageEndMs);
  if (fresh.length === 0) return null;
  const first = fresh.reduce((a, b) => (b.endMs < a.endMs ? b : a));
  return round(first.endMs - outageEndMs, 1);
}
