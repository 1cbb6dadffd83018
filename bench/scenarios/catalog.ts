/**
 * The five scenarios: what the upstream does in each phase, the offered load, and the
 * default and `--quick` parameters (every one a CLI flag `--<scenario>-<param>`).
 */
import type { UpstreamPhase } from '../upstream.js';
import type { ScenarioId, ScenarioParams, ScenarioSpec, TimedPhase } from './types.js';

const latency = (p: ScenarioParams) => ({ medianMs: p.latencyMs ?? 0, sigma: 0.5 });

const overload: ScenarioSpec = {
  id: 'overload',
  title: 'Overload',
  summary:
    'The upstream admits `capacity` req/s (token bucket, burst capacity/10; over it: `throttleStatus` — 429, ' +
    'or 503 as some gateways — with Retry-After). Open-loop arrivals at `loadFactor` × capacity for `durationMs`.',
  defaults: { durationMs: 6_000, capacity: 100, loadFactor: 3, latencyMs: 5, throttleStatus: 429 },
  quick: { durationMs: 1_500, capacity: 100, loadFactor: 3, latencyMs: 5, throttleStatus: 429 },
  capacity: (p) => p.capacity,
  documented: true,
  rate: (p) => p.capacity! * p.loadFactor!,
  phases: (p) => [
    {
      name: 'overload',
      durationMs: p.durationMs!,
      phase: {
        capacity: p.capacity,
        throttleStatus: p.throttleStatus === 503 ? 503 : 429,
        latency: latency(p),
      },
    },
  ],
};

const outage: ScenarioSpec = {
  id: 'outage',
  title: 'Outage',
  summary:
    'Healthy for `healthyMs`, then every request gets 503 (no Retry-After) for `outageMs`, then healthy ' +
    'again for `afterMs`. Open-loop arrivals at `rate` req/s throughout.',
  defaults: { healthyMs: 2_000, outageMs: 4_000, afterMs: 4_000, rate: 50, latencyMs: 5 },
  quick: { healthyMs: 500, outageMs: 1_000, afterMs: 1_000, rate: 50, latencyMs: 5 },
  capacity: () => undefined,
  documented: false,
  rate: (p) => p.rate!,
  phases: (p) => [
    { name: 'healthy', durationMs: p.healthyMs!, phase: { latency: latency(p) } },
    { name: 'outage', durationMs: p.outageMs!, phase: { outage: '503' } },
    { name: 'recovered', durationMs: p.afterMs!, phase: { latency: latency(p) } },
  ],
};

const flaky: ScenarioSpec = {
  id: 'flaky',
  title: 'Flaky',
  summary:
    'A random `errorRate` share of requests gets 500. Open-loop arrivals at `rate` req/s for `durationMs`.',
  defaults: { durationMs: 6_000, rate: 100, errorRate: 0.2, latencyMs: 5 },
  quick: { durationMs: 1_500, rate: 50, errorRate: 0.2, latencyMs: 5 },
  capacity: () => undefined,
  documented: false,
  rate: (p) => p.rate!,
  phases: (p) => [
    {
      name: 'flaky',
      durationMs: p.durationMs!,
      phase: { errorRate: p.errorRate, latency: latency(p) },
    },
  ],
};

const rateLimit: ScenarioSpec = {
  id: 'rate-limit',
  title: 'Rate-limit headers',
  summary:
    'The upstream grants a quota of capacity × `windowSec` requests per fixed window and advertises it ' +
    '(`RateLimit-Policy: "default";q=…;w=…` and `RateLimit: "default";r=…;t=…` on every answer; 429 with ' +
    'Retry-After over it). Open-loop arrivals at `loadFactor` × capacity.',
  defaults: { durationMs: 6_000, capacity: 50, loadFactor: 1.5, windowSec: 2, latencyMs: 5 },
  quick: { durationMs: 1_500, capacity: 50, loadFactor: 1.5, windowSec: 1, latencyMs: 5 },
  capacity: (p) => p.capacity,
  documented: false,
  rate: (p) => p.capacity! * p.loadFactor!,
  phases: (p) => [
    {
      name: 'rate-limit',
      durationMs: p.durationMs!,
      phase: {
        capacity: p.capacity,
        limiter: 'window',
        windowSec: p.windowSec,
        rateLimitHeaders: true,
        latency: latency(p),
      },
    },
  ],
};

const overhead: ScenarioSpec = {
  id: 'overhead',
  title: 'Overhead',
  summary:
    'A healthy upstream answering at once; closed loop, one call at a time. The clients take turns in ' +
    '`rounds` rounds sharing `durationMs`, so drift in machine load hits them alike. ' +
    'overheadRatio = p50 ÷ bare ky p50.',
  defaults: { durationMs: 12_000, rounds: 6, latencyMs: 0 },
  quick: { durationMs: 1_800, rounds: 2, latencyMs: 0 },
  capacity: () => undefined,
  documented: false,
  rate: () => 0,
  phases: (p) => [{ name: 'healthy', durationMs: p.durationMs!, phase: { latency: latency(p) } }],
};

export const SCENARIOS: readonly ScenarioSpec[] = [overload, outage, flaky, rateLimit, overhead];

export function scenarioById(id: string): ScenarioSpec {
  const spec = SCENARIOS.find((s) => s.id === id);
  if (!spec)
    throw new TypeError(
      `Unknown scenario \`${id}\`; expected one of ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  return spec;
}

export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id);

/** The upstream behaviour of a timed phase, named so the upstream counts per phase. */
export function upstreamPhase(p: TimedPhase): UpstreamPhase {
  return { name: p.name, ...p.phase };
}
