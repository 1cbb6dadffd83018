/**
 * The scenario harness, in-process: every scenario run for each of its clients, each
 * client against its own fresh upstream on 127.0.0.1 (and its own rate-limiter app,
 * where the scenario has one) — turn by turn, or side by side with `parallel` — and the
 * figures computed from the calls and from what that upstream counted.
 */
import { startUpstream } from '../upstream.js';
import { clientIdsOf, scenarioById, upstreamPhase } from './catalog.js';
import { burstWaves, type CallTiming, openLoop, timedCall } from './load.js';
import { environment } from './machine.js';
import { computeFigures, type PhaseSpan } from './metrics.js';
import { runOverhead } from './overhead.js';
import { progressLine } from './progress.js';
import type {
  BenchResults,
  CallRecord,
  ClientFigures,
  ClientSpec,
  ScenarioId,
  ScenarioParams,
  ScenarioResult,
  ScenarioSpec,
  TimedPhase,
} from './types.js';

/** When a client sets its own total timeout, the caller's signal fires this much later. */
const BACKSTOP_MS = 1_000;
/** A running scenario says what it is waiting for this often. */
const HEARTBEAT_MS = 15_000;

export interface HarnessOptions {
  scenarios: readonly ScenarioId[];
  clients: readonly ClientSpec[];
  params: Partial<Record<ScenarioId, ScenarioParams>>;
  /** The caller's deadline for scenarios that set none of their own. */
  deadlineMs: number;
  quick?: boolean;
  /**
   * Run a scenario's clients side by side instead of turn by turn: about 4 × faster, but
   * they then share one event loop (a limiter run costs a client ~20 % of a core), so
   * only on a quiet machine, and never for the overhead scenario.
   */
  parallel?: boolean;
  /** One line per finished client × scenario, and a heartbeat while one runs. */
  onProgress?: (line: string) => void;
}

export async function runHarness(options: HarnessOptions): Promise<BenchResults> {
  const started = performance.now();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    quick: options.quick ?? false,
    deadlineMs: options.deadlineMs,
    environment: await environment(),
    clients: {},
    scenarios: {},
  };
  await warmUp(options.clients);
  for (const id of options.scenarios) {
    const spec = scenarioById(id);
    const ids = clientIdsOf(spec);
    const clients = options.clients.filter((c) => ids.includes(c.id));
    if (clients.length === 0) continue;
    for (const c of clients) results.clients[c.id] = { label: c.label, config: c.config };
    const ranAt = new Date().toISOString();
    results.scenarios[id] = {
      ...(await runScenario(spec, clients, options)),
      ranAt,
      selfheal: results.environment.selfheal,
    };
  }
  results.wallTimeS = Math.round((performance.now() - started) / 1000);
  return results;
}

async function runScenario(
  spec: ScenarioSpec,
  clients: readonly ClientSpec[],
  options: HarnessOptions,
): Promise<ScenarioResult> {
  const params = { ...spec.defaults, ...options.params[spec.id] };
  const settings = spec.settings?.(params) ?? {};
  const capacity = spec.capacity(params);
  const parallel = options.parallel === true && spec.load !== 'closed';
  const result: ScenarioResult = {
    id: spec.id,
    title: spec.title,
    summary: spec.summary,
    params,
    capacity: capacity ?? null,
    offeredRps: spec.load === 'open' ? spec.rate(params) : null,
    deadlineMs: params.deadlineMs ?? options.deadlineMs,
    settings: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    parallel,
    clients: {},
  };
  const say = options.onProgress ?? (() => {});
  if (spec.load === 'closed') {
    const upstream = await startUpstream();
    try {
      result.clients = await runOverhead({
        upstream,
        spec,
        params,
        clients,
        deadlineMs: options.deadlineMs,
        onProgress: options.onProgress,
      });
    } finally {
      await upstream.close();
    }
    return result;
  }
  if (spec.app) await warmUpApp(spec, params);
  const started = performance.now();
  const running = new Set<string>();
  let finished = 0;
  say(`[${spec.id}] ${clients.length} clients ${parallel ? 'side by side' : 'turn by turn'}…`);
  const heartbeat = setInterval(
    () =>
      say(
        `[${spec.id}] … ${((performance.now() - started) / 1000).toFixed(0)} s, ${finished}/${clients.length} clients done, running ${[...running].join(', ')}`,
      ),
    HEARTBEAT_MS,
  );
  const figures: Record<string, ClientFigures> = {};
  const one = async (c: ClientSpec) => {
    const t = performance.now();
    running.add(c.id);
    figures[c.id] = await runClient(spec, params, c, result);
    running.delete(c.id);
    finished++;
    say(progressLine(spec.id, figures[c.id]!, performance.now() - t));
  };
  try {
    if (parallel) await Promise.all(clients.map(one));
    else for (const c of clients) await one(c);
  } finally {
    clearInterval(heartbeat);
  }
  for (const c of clients) result.clients[c.id] = figures[c.id]!;
  return result;
}

/**
 * Every client makes a few hundred calls to a healthy upstream before anything is
 * measured, so the first scenario does not pay for loading and compiling fetch, the
 * peers and selfheal (the first fetch of a process alone stalls it for ~0.3 s).
 */
async function warmUp(clients: readonly ClientSpec[]): Promise<void> {
  const upstream = await startUpstream();
  try {
    for (const spec of clients) {
      const client = await spec.create({
        origin: upstream.url,
        clientId: 'warm-up',
        deadlineMs: 5_000,
      });
      const timing = { backstopMs: 5_000, t0: performance.now() };
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => timedCall(client, `/warm?i=${i}`, timing)),
        );
      }
      await client.close?.();
    }
  } finally {
    await upstream.close();
  }
}

/** The first requests to an express or fastify app cost ~1 s on a busy machine: pay it on a throwaway instance. */
async function warmUpApp(spec: ScenarioSpec, params: ScenarioParams): Promise<void> {
  const app = await spec.app!(params);
  const upstream = await startUpstream({ phase: { handler: app.handler } });
  try {
    for (let i = 0; i < 50; i++) await (await fetch(`${upstream.url}/work`)).arrayBuffer();
  } finally {
    await upstream.close();
    await app.close();
  }
}

/** One client through one scenario, against its own upstream (and limiter app). */
async function runClient(
  spec: ScenarioSpec,
  params: ScenarioParams,
  clientSpec: ClientSpec,
  result: ScenarioResult,
): Promise<ClientFigures> {
  const app = await spec.app?.(params);
  const upstream = await startUpstream();
  try {
    const phases = spec
      .phases(params)
      .map((p) => (app ? { ...p, phase: { ...p.phase, handler: app.handler } } : p));
    const { offsets, windowMs } = layout(phases);
    const span = (name: string | undefined): PhaseSpan | undefined => {
      const i = phases.findIndex((p) => p.name === name);
      return i < 0
        ? undefined
        : { startMs: offsets[i]!, endMs: offsets[i]! + phases[i]!.durationMs, phase: name! };
    };
    await upstream.setPhase(upstreamPhase(phases[0]!));
    const clientId = `${spec.id}/${clientSpec.id}`;
    const client = await clientSpec.create({
      origin: upstream.url,
      clientId,
      capacity: spec.documented ? (result.capacity ?? undefined) : undefined,
      deadlineMs: result.deadlineMs,
      ...result.settings,
    });
    upstream.resetStats();
    const t0 = performance.now();
    const timers = phases
      .slice(1)
      .map((p, i) => setTimeout(() => void upstream.setPhase(upstreamPhase(p)), offsets[i + 1]!));
    const timing: CallTiming = {
      backstopMs: result.deadlineMs + (result.settings.totalTimeoutMs ? BACKSTOP_MS : 0),
      t0,
    };
    const waveStarts: number[] = [];
    let records: CallRecord[];
    try {
      records =
        spec.load === 'open'
          ? await openLoop({ client, rate: result.offeredRps!, durationMs: windowMs!, timing })
          : await burstWaves({
              client,
              concurrency: params.concurrency!,
              waves: params.waves ?? 1,
              gapMs: params.gapMs ?? 0,
              timing,
              onWave: () => waveStarts.push(upstream.stats().clients[clientId]?.requests ?? 0),
            });
    } finally {
      for (const t of timers) clearTimeout(t);
      await client.close?.();
    }
    const figures = computeFigures({
      client: clientSpec.id,
      label: clientSpec.label,
      records,
      counts: upstream.stats().clients[clientId],
      windowMs,
      referenceRps: result.capacity ?? result.offeredRps ?? undefined,
      offeredRps: result.offeredRps ?? undefined,
      deadlineMs: result.deadlineMs,
      outage: span(spec.marks?.outage),
      trigger: span(spec.marks?.trigger),
      waveStarts: spec.load === 'burst' ? waveStarts : undefined,
    });
    if (client.diagnostics) figures.diagnostics = client.diagnostics();
    return figures;
  } finally {
    await upstream.close();
    await app?.close();
  }
}

/** When each phase starts, and how long the load lasts (null when a phase is open-ended). */
function layout(phases: readonly TimedPhase[]) {
  const offsets: number[] = [];
  let total = 0;
  for (const p of phases) {
    offsets.push(total);
    total += p.durationMs;
  }
  return { offsets, windowMs: Number.isFinite(total) ? total : null };
}
