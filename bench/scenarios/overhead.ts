/**
 * The overhead scenario: a healthy upstream, closed loop, one call at a time. Clients
 * take turns in several rounds so drift in machine load hits them alike; overheadRatio
 * is each client's median latency ÷ bare ky's.
 */
import type { Upstream } from '../upstream.js';
import { upstreamPhase } from './catalog.js';
import { closedLoop } from './load.js';
import { computeFigures } from './metrics.js';
import { progressLine } from './progress.js';
import { round } from './stats.js';
import type {
  CallRecord,
  ClientFigures,
  ClientSpec,
  ScenarioParams,
  ScenarioSpec,
} from './types.js';

const WARMUP_CALLS = 50;

export async function runOverhead(options: {
  upstream: Upstream;
  spec: ScenarioSpec;
  params: ScenarioParams;
  clients: readonly ClientSpec[];
  deadlineMs: number;
  onProgress?: (line: string) => void;
}): Promise<Record<string, ClientFigures>> {
  const { upstream, params, clients, deadlineMs } = options;
  const rounds = Math.max(1, Math.round(params.rounds ?? 1));
  const sliceMs = params.durationMs! / rounds / clients.length;
  await upstream.setPhase(upstreamPhase(options.spec.phases(params)[0]!));
  upstream.resetStats();
  const instances = await Promise.all(
    clients.map((c) =>
      c.create({ origin: upstream.url, clientId: `overhead/${c.id}`, deadlineMs }),
    ),
  );
  const records = new Map<string, CallRecord[]>(clients.map((c) => [c.id, []]));
  for (const client of instances) {
    await closedLoop({ client, durationMs: sliceMs, deadlineMs, maxCalls: WARMUP_CALLS });
  }
  // Count only the measured calls.
  upstream.resetStats();
  for (let r = 0; r < rounds; r++) {
    for (const [i, client] of instances.entries()) {
      const done = await closedLoop({ client, durationMs: sliceMs, deadlineMs });
      records.get(clients[i]!.id)!.push(...done);
    }
  }
  await Promise.all(instances.map((c) => c.close?.()));
  const counts = upstream.stats().clients;
  const figures: Record<string, ClientFigures> = {};
  for (const c of clients) {
    figures[c.id] = computeFigures({
      client: c.id,
      label: c.label,
      records: records.get(c.id)!,
      counts: counts[`overhead/${c.id}`],
      windowMs: null,
      referenceRps: undefined,
      deadlineMs,
    });
  }
  const base = figures.ky?.p50Ms;
  for (const f of Object.values(figures)) {
    f.overheadRatio = base && f.p50Ms !== null ? round(f.p50Ms / base) : null;
    options.onProgress?.(progressLine('overhead', f));
  }
  return figures;
}
