/**
 * Every scenario, in run and report order, with their groups for `--only`; each spec
 * says what the upstream does in each phase, the load, and its default and `--quick`
 * parameters (every one a CLI flag `--<scenario>-<param>`).
 */
import type { UpstreamPhase } from '../upstream.js';
import { flaky, metastable, outage, outage5s } from './specs/failures.js';
import { LIMITERS } from './specs/limiters.js';
import { firstBurst, latency, overload, rateLimit, storm } from './specs/throttling.js';
import type { ScenarioId, ScenarioSpec, TimedPhase } from './types.js';

/** The clients a scenario runs unless it names its own. */
export const DEFAULT_CLIENT_IDS = [
  'fetch',
  'ky',
  'p-retry',
  'cockatiel',
  'selfheal',
  'selfheal-tuned',
] as const;

const overhead: ScenarioSpec = {
  id: 'overhead',
  title: 'Overhead',
  summary:
    'A healthy upstream answering at once; closed loop, one call at a time. The clients take turns in ' +
    '`rounds` rounds sharing `durationMs`, so drift in machine load hits them alike. ' +
    'overheadRatio = p50 ÷ bare ky p50.',
  defaults: { durationMs: 12_000, rounds: 6, latencyMs: 0 },
  quick: { durationMs: 1_800, rounds: 2, latencyMs: 0 },
  load: 'closed',
  capacity: () => undefined,
  documented: false,
  rate: () => 0,
  phases: (p) => [{ name: 'healthy', durationMs: p.durationMs!, phase: { latency: latency(p) } }],
};

export const SCENARIOS: readonly ScenarioSpec[] = [
  overload,
  storm,
  firstBurst,
  rateLimit,
  ...LIMITERS,
  outage,
  outage5s,
  metastable,
  flaky,
  overhead,
];

export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id);

/** Names for several scenarios at once, for `--only`. */
export const GROUPS: Record<string, readonly ScenarioId[]> = {
  limiters: LIMITERS.map((s) => s.id),
  recovery: ['outage', 'outage-5s'],
};

export function scenarioById(id: string): ScenarioSpec {
  const spec = SCENARIOS.find((s) => s.id === id);
  if (!spec)
    throw new TypeError(
      `Unknown scenario \`${id}\`; expected one of ${[...SCENARIO_IDS, ...Object.keys(GROUPS)].join(', ')}`,
    );
  return spec;
}

/** Scenario ids and group names → scenario ids, in catalog order, each once. */
export function expandScenarios(names: readonly string[]): ScenarioId[] {
  const wanted = new Set(names.flatMap((n) => GROUPS[n] ?? [scenarioById(n).id]));
  return SCENARIO_IDS.filter((id) => wanted.has(id));
}

/** The clients that run a scenario, by id. */
export function clientIdsOf(spec: ScenarioSpec): readonly string[] {
  return spec.clients ?? DEFAULT_CLIENT_IDS;
}

/** The upstream behaviour of a timed phase, named so the upstream counts per phase. */
export function upstreamPhase(p: TimedPhase): UpstreamPhase {
  return { name: p.name, ...p.phase };
}
