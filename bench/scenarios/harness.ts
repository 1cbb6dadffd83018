/**
 * The scenario harness, in-process: one upstream on 127.0.0.1, every scenario run for
 * every client turn by turn (a fresh client and fresh upstream counters each time), the
 * figures computed from the calls and from what the upstream counted.
 */
import { startUpstream, type Upstream } from '../upstream.js';
import { scenarioById, upstreamPhase } from './catalog.js';
import { openLoop } from './load.js';
import { environment } from './machine.js';
import { computeFigures } from './metrics.js';
import { runOverhead } from './overhead.js';
import { progressLine } from './progress.js';
import type {
  BenchResults,
  ClientSpec,
  ScenarioId,
  ScenarioParams,
  ScenarioResult,
  TimedPhase,
} from './types.js';

export interface HarnessOptions {
  scenarios: readonly ScenarioId[];
  clients: readonly ClientSpec[];
  params: Partial<Record<ScenarioId, ScenarioParams>>;
  deadlineMs: number;
  quick?: boolean;
  /** One line per finished client × scenario. */
  onProgress?: (line: string) => void;
}

export async function runHarness(options: HarnessOptions): Promise<BenchResults> {
  const upstream = await startUpstream();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    quick: options.quick ?? false,
    deadlineMs: options.deadlineMs,
    environment: await environment(),
    clients: Object.fromEntries(
      options.clients.map((c) => [c.id, { label: c.label, config: c.config }]),
    ),
    scenarios: {},
  };
  try {
    for (const id of options.scenarios) {
      results.scenarios[id] = await runScenario(upstream, id, options);
    }
  } finally {
    await upstream.close();
  }
  return results;
}

async function runScenario(
  upstream: Upstream,
  id: ScenarioId,
  options: HarnessOptions,
): Promise<ScenarioResult> {
  const spec = scenarioById(id);
  const params = { ...spec.defaults, ...options.params[id] };
  const capacity = spec.capacity(params);
  const result: ScenarioResult = {
    id,
    title: spec.title,
    summary: spec.summary,
    params,
    capacity: capacity ?? null,
    offeredRps: id === 'overhead' ? null : spec.rate(params),
    clients: {},
  };
  if (id === 'overhead') {
    result.clients = await runOverhead({
      upstream,
      spec,
      params,
      clients: options.clients,
      deadlineMs: options.deadlineMs,
      onProgress: options.onProgress,
    });
    return result;
  }
  const phases = spec.phases(params);
  const { offsets, windowMs, outage } = layout(phases);
  const rate = spec.rate(params);
  for (const clientSpec of options.clients) {
    const clientId = `${id}/${clientSpec.id}`;
    await upstream.setPhase(upstreamPhase(phases[0]!));
    upstream.resetStats();
    const client = await clientSpec.create({
      origin: upstream.url,
      clientId,
      capacity: spec.documented ? capacity : undefined,
      deadlineMs: options.deadlineMs,
    });
    const started = performance.now();
    const records = await openLoop({
      client,
      rate,
      durationMs: windowMs,
      deadlineMs: options.deadlineMs,
      t0: started,
      timeline: {
        at: phases.slice(1).map((p, i) => ({
          atMs: offsets[i + 1]!,
          run: () => upstream.setPhase(upstreamPhase(p)),
        })),
      },
    });
    await client.close?.();
    const figures = computeFigures({
      client: clientSpec.id,
      label: clientSpec.label,
      records,
      counts: upstream.stats().clients[clientId],
      windowMs,
      referenceRps: capacity ?? result.offeredRps ?? undefined,
      outage,
    });
    if (client.diagnostics) figures.diagnostics = client.diagnostics();
    result.clients[clientSpec.id] = figures;
    options.onProgress?.(progressLine(id, figures, performance.now() - started));
  }
  return result;
}

/** When each phase starts, how long the load lasts, and where the outage is, if any. */
function layout(phases: readonly TimedPhase[]) {
  const offsets: number[] = [];
  let windowMs = 0;
  for (const p of phases) {
    offsets.push(windowMs);
    windowMs += p.durationMs;
  }
  const i = phases.findIndex((p) => p.phase.outage);
  const outage =
    i < 0
      ? undefined
      : {
          startMs: offsets[i]!,
          endMs: offsets[i]! + phases[i]!.durationMs,
          phase: phases[i]!.name,
        };
  return { offsets, windowMs, outage };
}
