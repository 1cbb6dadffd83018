/**
 * The scenario harness in quick mode, in-process, with tiny durations: every scenario
 * and every client yields well-formed figures that agree with what the upstream
 * counted. Structure and sanity only — never speed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { clientIdsOf, SCENARIO_IDS, scenarioById } from '../../bench/scenarios/catalog.js';
import { CLIENTS } from '../../bench/scenarios/clients/index.js';
import { checkGoals } from '../../bench/scenarios/goals.js';
import { runHarness } from '../../bench/scenarios/harness.js';
import { renderMarkdown } from '../../bench/scenarios/report.js';
import { LIMITERS } from '../../bench/scenarios/specs/limiters.js';
import type {
  BenchResults,
  ClientSpec,
  ScenarioId,
  ScenarioParams,
} from '../../bench/scenarios/types.js';

// A limit of 1 per window, so refusals show even when a busy machine spreads the 30 calls over seconds.
const limiter = { rate: 50, durationMs: 600, limit: 1 };
const TINY: Record<ScenarioId, ScenarioParams> = {
  overload: { durationMs: 400, capacity: 50, loadFactor: 3, latencyMs: 1 },
  storm: {
    concurrency: 20,
    // Long enough that a stall of a busy machine cannot carry the first attempts past it.
    stormMs: 2_500,
    retryAfterSec: 1,
    capacity: 100,
    deadlineMs: 4_000,
    latencyMs: 1,
  },
  'first-burst': {
    concurrency: 12,
    capacity: 20,
    burst: 5,
    retryLimit: 30,
    deadlineMs: 3_000,
    waves: 2,
    gapMs: 100,
    latencyMs: 1,
  },
  'rate-limit': { durationMs: 400, capacity: 50, loadFactor: 1.5, windowSec: 1, latencyMs: 1 },
  'limiter-erl-draft8': { ...limiter, windowSec: 1 },
  'limiter-erl-draft6': { ...limiter, windowSec: 1 },
  'limiter-erl-epoch': { ...limiter, windowSec: 1 },
  'limiter-fastify': { ...limiter, windowSec: 1 },
  'limiter-nginx': { ...limiter, burst: 2, nodelay: 1, latencyMs: 1 },
  'limiter-haproxy': { ...limiter, latencyMs: 1 },
  outage: { healthyMs: 200, outageMs: 400, afterMs: 1_000, rate: 50, latencyMs: 1 },
  'outage-5s': { healthyMs: 200, outageMs: 500, afterMs: 1_000, rate: 50, latencyMs: 1 },
  metastable: {
    capacity: 50,
    load: 0.8,
    loss: 0.9,
    warmupMs: 500,
    triggerMs: 800,
    afterMs: 1_000,
    attemptTimeoutMs: 300,
  },
  flaky: { durationMs: 400, rate: 50, errorRate: 0.2, latencyMs: 1 },
  overhead: { durationMs: 600, rounds: 1, latencyMs: 0 },
};

let results: BenchResults;
const clients: readonly ClientSpec[] = CLIENTS;

beforeAll(async () => {
  results = await runHarness({
    scenarios: SCENARIO_IDS,
    clients,
    params: TINY,
    deadlineMs: 1_000,
    quick: true,
    // Tiny loads: side by side keeps the test short without saturating the event loop.
    parallel: true,
  });
}, 120_000);

const ids = (s: ScenarioId) => Object.keys(results.scenarios[s]!.clients);
const fig = (s: ScenarioId, c: string) => results.scenarios[s]!.clients[c]!;

describe('scenario harness (quick, tiny durations)', () => {
  it('runs every scenario for the clients it names', () => {
    expect(clients.map((c) => c.id)).toEqual([
      'fetch',
      'ky',
      'p-retry',
      'cockatiel',
      'selfheal',
      'selfheal-tuned',
      'selfheal-rate',
    ]);
    expect(Object.keys(results.scenarios)).toEqual([...SCENARIO_IDS]);
    for (const id of SCENARIO_IDS) {
      expect(ids(id), id).toEqual([...clientIdsOf(scenarioById(id))]);
      expect(results.scenarios[id]!.parallel, id).toBe(id !== 'overhead');
    }
    expect(ids('limiter-nginx')).toContain('selfheal-rate');
    expect(ids('storm')).not.toContain('selfheal-rate');
  });

  it.each(SCENARIO_IDS)('%s: figures are well formed and agree with the upstream', (id) => {
    const s = results.scenarios[id]!;
    const spec = scenarioById(id);
    for (const f of Object.values(s.clients)) {
      const failed =
        f.failedShed + f.failedRefused + f.failedTimeout + f.failedNetwork + f.failedOther;
      expect(f.calls, f.client).toBeGreaterThan(0);
      expect(f.successes + failed, f.client).toBe(f.calls);
      expect(f.successRate).toBeGreaterThanOrEqual(0);
      expect(f.successRate).toBeLessThanOrEqual(1);
      expect(f.goodput === null, f.client).toBe(spec.load !== 'open');
      // Every success needed a 2xx from the upstream; every 2xx and 429 is a request it counted.
      expect(f.serverOk, f.client).toBeGreaterThanOrEqual(f.successes);
      expect(f.serverRequests, f.client).toBeGreaterThanOrEqual(f.serverOk + f.throttled429);
      if (f.successes > 0) expect(f.amplification!, f.client).toBeGreaterThanOrEqual(1);
      else expect(f.amplification).toBeNull();
      if (f.p50Ms !== null) expect(f.p99Ms!).toBeGreaterThanOrEqual(f.p50Ms);
      expect(f.lateCalls, f.client).toBeGreaterThanOrEqual(0);
      if (id !== 'overhead') {
        expect(
          f.serverPerSecond.reduce((a, b) => a + b, 0),
          f.client,
        ).toBe(f.serverRequests);
        expect(f.calls).toBe(expectedCalls(id));
      }
      const recovery = spec.marks?.outage !== undefined;
      for (const k of ['outageRequests', 'herd250ms', 'herd1s'] as const)
        expect(f[k] === null, `${f.client} ${k}`).toBe(!recovery);
      expect(f.goodputAfter === null).toBe(id !== 'metastable');
      expect(f.waves === null).toBe(spec.load !== 'burst');
      expect(f.overheadRatio === null).toBe(id !== 'overhead');
    }
  });

  it('bare fetch sends exactly one request per call that reached the upstream', () => {
    for (const id of SCENARIO_IDS.filter((s) => s !== 'overhead')) {
      const f = fig(id, 'fetch');
      // A call that timed out may or may not have reached the upstream before its deadline.
      expect(f.serverRequests, id).toBeLessThanOrEqual(f.calls - f.failedNetwork);
      expect(f.serverRequests, id).toBeGreaterThanOrEqual(
        f.calls - f.failedNetwork - f.failedTimeout,
      );
      expect(f.amplification ?? 1).toBeGreaterThanOrEqual(1);
    }
    // Every request of the outage got its 503 and failed its call — refused, or timed out when
    // the 503 came back after the call's deadline (a busy machine's timers run late).
    const outage = fig('outage', 'fetch');
    expect(outage.outageRequests).toBeGreaterThan(0);
    expect(outage.serverErrors).toBe(outage.outageRequests);
    expect(outage.failedRefused).toBeLessThanOrEqual(outage.outageRequests);
    expect(outage.failedRefused + outage.failedTimeout).toBeGreaterThanOrEqual(
      outage.outageRequests,
    );
  });

  it('storm: the upstream throttles every request at first; clients are told the total timeout', () => {
    const s = results.scenarios.storm!;
    expect(s.settings).toEqual({ totalTimeoutMs: TINY.storm.deadlineMs });
    expect(s.deadlineMs).toBe(TINY.storm.deadlineMs);
    for (const f of Object.values(s.clients)) expect(f.throttled429, f.client).toBeGreaterThan(0);
    // Bare fetch sends one request per call: a 429 during the storm, else a 200 or a 429 after it.
    const fetch = fig('storm', 'fetch');
    expect(fetch.successes + fetch.throttled429).toBe(fetch.calls);
    expect(fetch.throttled429).toBeGreaterThanOrEqual(fetch.calls / 2);
  });

  it('first burst: two waves of `concurrency` calls; their requests add up', () => {
    for (const f of Object.values(results.scenarios['first-burst']!.clients)) {
      expect(
        f.waves!.map((w) => w.calls),
        f.client,
      ).toEqual([12, 12]);
      expect(
        f.waves!.reduce((a, w) => a + w.serverRequests, 0),
        f.client,
      ).toBe(f.serverRequests);
    }
    // The bucket (burst 5) refuses part of a wave of 12: bare fetch gets a 200 or a 429 per call.
    const fetch = fig('first-burst', 'fetch');
    expect(fetch.throttled429).toBeGreaterThan(0);
    expect(fetch.successes + fetch.throttled429).toBe(24);
    expect(results.scenarios['first-burst']!.settings.retryLimit).toBe(30);
  });

  it('outage: bare fetch recovers with the server; herds are multiples of the offered rate', () => {
    for (const id of ['outage', 'outage-5s'] as const) {
      const f = fig(id, 'fetch');
      expect(f.recoveryMs, id).not.toBeNull();
      expect(f.herd1s!, id).toBeGreaterThan(0);
      // The busiest 250 ms lies within the busiest second.
      expect(f.herd250ms! / 4, id).toBeLessThanOrEqual(f.herd1s! + 1e-9);
    }
  });

  it('metastable: the queue outgrows the attempt timeout, so bare fetch loses calls to it', () => {
    const f = fig('metastable', 'fetch');
    // One value per whole second of load after the trigger, at most 5.
    expect(f.goodputAfter).toHaveLength(1);
    expect(f.failedTimeout).toBeGreaterThan(0);
    expect(f.successes).toBeGreaterThan(0);
    expect(results.scenarios.metastable!.settings).toEqual({ attemptTimeoutMs: 300 });
  });

  it.each(LIMITERS.map((s) => s.id))('%s: the limiter refuses bare fetch over its limit', (id) => {
    const f = fig(id, 'fetch');
    expect(f.throttled429).toBeGreaterThan(0);
    expect(f.successes).toBeGreaterThan(0);
    expect(f.successes).toBeLessThan(f.calls);
  });

  it('overhead: one request per call on a healthy upstream; ratios relative to bare ky', () => {
    const overhead = results.scenarios.overhead!.clients;
    for (const f of Object.values(overhead)) expect(f.serverRequests, f.client).toBe(f.calls);
    expect(overhead.ky!.overheadRatio).toBe(1);
  });

  it('writes a report with a table per scenario and a goals section', () => {
    const md = renderMarkdown(results);
    for (const s of Object.values(results.scenarios)) expect(md).toContain(`## ${s!.title}`);
    for (const c of clients) expect(md).toContain(`| ${c.id} |`);
    expect(md).toContain('## Where selfheal loses to a peer');
    const goals = checkGoals(results);
    for (const id of SCENARIO_IDS)
      expect(
        goals.some((g) => g.scenario === id),
        id,
      ).toBe(true);
    // Each limiter's goal is judged for selfheal's defaults and for throttle.rate, not for tuned.
    const nginx = goals.find((g) => g.scenario === 'limiter-nginx')!;
    expect(Object.keys(nginx.verdicts)).toEqual(['selfheal', 'selfheal-rate']);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});

function expectedCalls(id: ScenarioId): number {
  const spec = scenarioById(id);
  const p = { ...spec.defaults, ...TINY[id] };
  if (spec.load === 'burst') return p.concurrency! * (p.waves ?? 1);
  const window = spec.phases(p).reduce((a, ph) => a + ph.durationMs, 0);
  return Math.floor((window / 1000) * spec.rate(p));
}
