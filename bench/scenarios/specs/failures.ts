/**
 * Scenarios where the upstream fails: an outage of 4 s or 5 s (what the dead server
 * sees, how fast requests resume, the herd the recovered server gets), a metastable
 * trigger (a queue that retries can keep full), and a flaky upstream.
 */
import type { ScenarioSpec } from '../types.js';
import { latency } from './throttling.js';

function outageSpec(id: 'outage' | 'outage-5s', outageMs: number, quickMs: number): ScenarioSpec {
  return {
    id,
    title: `Outage and recovery (${outageMs / 1000} s)`,
    summary:
      'Healthy for `healthyMs`, then every request gets 503 (no Retry-After) for `outageMs`, then healthy ' +
      'again for `afterMs`. Open-loop arrivals at `rate` req/s throughout. recovery = from the server being ' +
      'back to the first success; full goodput = to the first 500 ms from which on every 500 ms holds ≥ 0.9 × ' +
      'the offered rate of successes; herd = the recovered server’s busiest 250 ms and 1 s ÷ the offered rate.',
    defaults: { healthyMs: 2_000, outageMs, afterMs: 4_000, rate: 50, latencyMs: 5 },
    quick: { healthyMs: 500, outageMs: quickMs, afterMs: 1_500, rate: 50, latencyMs: 5 },
    load: 'open',
    capacity: () => undefined,
    documented: false,
    rate: (p) => p.rate!,
    marks: { outage: 'outage' },
    phases: (p) => [
      { name: 'healthy', durationMs: p.healthyMs!, phase: { latency: latency(p) } },
      { name: 'outage', durationMs: p.outageMs!, phase: { outage: '503' } },
      { name: 'recovered', durationMs: p.afterMs!, phase: { latency: latency(p) } },
    ],
  };
}

export const outage = outageSpec('outage', 4_000, 1_000);
export const outage5s = outageSpec('outage-5s', 5_000, 1_500);

export const metastable: ScenarioSpec = {
  id: 'metastable',
  title: 'Metastable trigger',
  summary:
    'A server that serves `capacity` req/s one request after the other, FIFO, never shedding (latency grows ' +
    'with its queue; work for callers that gave up is still done) loses `loss` of its capacity for ' +
    '`triggerMs`, then is whole again. Open-loop arrivals at `load` × capacity throughout; every client sets ' +
    'a per-attempt timeout of `attemptTimeoutMs`. goodput/s after = successes completed in each second after ' +
    'the trigger ÷ the offered rate.',
  defaults: {
    capacity: 100,
    load: 0.8,
    loss: 0.7,
    warmupMs: 2_000,
    triggerMs: 2_000,
    afterMs: 5_000,
    attemptTimeoutMs: 1_000,
  },
  quick: {
    capacity: 100,
    load: 0.8,
    loss: 0.7,
    warmupMs: 1_000,
    triggerMs: 1_500,
    afterMs: 3_000,
    attemptTimeoutMs: 1_000,
  },
  load: 'open',
  capacity: () => undefined,
  documented: false,
  rate: (p) => p.capacity! * p.load!,
  settings: (p) => ({ attemptTimeoutMs: p.attemptTimeoutMs }),
  marks: { trigger: 'trigger' },
  phases: (p) => [
    { name: 'warmup', durationMs: p.warmupMs!, phase: { queue: true, capacity: p.capacity } },
    {
      name: 'trigger',
      durationMs: p.triggerMs!,
      phase: { queue: true, capacity: p.capacity! * (1 - p.loss!) },
    },
    { name: 'after', durationMs: p.afterMs!, phase: { queue: true, capacity: p.capacity } },
  ],
};

export const flaky: ScenarioSpec = {
  id: 'flaky',
  title: 'Flaky',
  summary:
    'A random `errorRate` share of requests gets 500. Open-loop arrivals at `rate` req/s for `durationMs`.',
  defaults: { durationMs: 6_000, rate: 100, errorRate: 0.2, latencyMs: 5 },
  quick: { durationMs: 1_500, rate: 50, errorRate: 0.2, latencyMs: 5 },
  load: 'open',
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
