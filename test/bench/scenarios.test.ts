/**
 * The scenario harness in quick mode, in-process, with tiny durations: every scenario
 * and every client yields well-formed figures that agree with what the upstream
 * counted. Structure and sanity only — never speed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_IDS } from '../../bench/scenarios/catalog.js';
import { CLIENTS } from '../../bench/scenarios/clients/index.js';
import { checkGoals } from '../../bench/scenarios/goals.js';
import { runHarness } from '../../bench/scenarios/harness.js';
import { renderMarkdown } from '../../bench/scenarios/report.js';
import type {
  BenchResults,
  ClientSpec,
  ScenarioId,
  ScenarioParams,
} from '../../bench/scenarios/types.js';

const TINY: Record<ScenarioId, ScenarioParams> = {
  overload: { durationMs: 400, capacity: 50, loadFactor: 3, latencyMs: 1 },
  outage: { healthyMs: 200, outageMs: 400, afterMs: 400, rate: 50, latencyMs: 1 },
  flaky: { durationMs: 400, rate: 50, errorRate: 0.2, latencyMs: 1 },
  'rate-limit': { durationMs: 400, capacity: 50, loadFactor: 1.5, windowSec: 1, latencyMs: 1 },
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
  });
}, 90_000);

describe('scenario harness (quick, tiny durations)', () => {
  it('runs every scenario for every client', () => {
    expect(clients.map((c) => c.id)).toEqual([
      'fetch',
      'ky',
      'p-retry',
      'cockatiel',
      'selfheal',
      'selfheal-tuned',
    ]);
    expect(Object.keys(results.scenarios)).toEqual([...SCENARIO_IDS]);
    for (const s of Object.values(results.scenarios)) {
      expect(Object.keys(s!.clients)).toEqual(clients.map((c) => c.id));
    }
  });

  it.each(SCENARIO_IDS)('%s: figures are well formed and agree with the upstream', (id) => {
    const s = results.scenarios[id]!;
    for (const f of Object.values(s.clients)) {
      const failed =
        f.failedShed + f.failedRefused + f.failedTimeout + f.failedNetwork + f.failedOther;
      expect(f.calls, f.client).toBeGreaterThan(0);
      expect(f.successes + failed, f.client).toBe(f.calls);
      expect(f.successRate).toBeGreaterThanOrEqual(0);
      expect(f.successRate).toBeLessThanOrEqual(1);
      expect(f.goodput).toBeGreaterThanOrEqual(0);
      // Every success needed a 2xx from the upstream; every 2xx and 429 is a request it counted.
      expect(f.serverOk, f.client).toBeGreaterThanOrEqual(f.successes);
      expect(f.serverRequests, f.client).toBeGreaterThanOrEqual(f.serverOk + f.throttled429);
      if (f.successes > 0) expect(f.amplification!, f.client).toBeGreaterThanOrEqual(1);
      else expect(f.amplification).toBeNull();
      if (f.p50Ms !== null) expect(f.p99Ms!).toBeGreaterThanOrEqual(f.p50Ms);
      if (id !== 'overhead') {
        expect(
          f.serverPerSecond.reduce((a, b) => a + b, 0),
          f.client,
        ).toBe(f.serverRequests);
        expect(f.calls).toBe(Math.floor((windowOf(s.params) / 1000) * s.offeredRps!));
      }
      expect(f.outageRequests === null).toBe(id !== 'outage');
      expect(f.recoveryPeakRps === null).toBe(id !== 'outage');
      expect(f.overheadRatio === null).toBe(id !== 'overhead');
    }
  });

  it('bare fetch sends exactly one request per call that reached the upstream', () => {
    for (const id of SCENARIO_IDS.filter((s) => s !== 'overhead')) {
      const f = results.scenarios[id]!.clients.fetch!;
      // A call that timed out may or may not have reached the upstream before its deadline.
      expect(f.serverRequests, id).toBeLessThanOrEqual(f.calls - f.failedNetwork);
      expect(f.serverRequests, id).toBeGreaterThanOrEqual(
        f.calls - f.failedNetwork - f.failedTimeout,
      );
      expect(f.amplification ?? 1).toBeGreaterThanOrEqual(1);
    }
    const outage = results.scenarios.outage!;
    const expected = (outage.params.outageMs! / 1000) * outage.params.rate!;
    expect(Math.abs(outage.clients.fetch!.outageRequests! - expected)).toBeLessThanOrEqual(2);
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
    expect(checkGoals(results)).toHaveLength(5);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});

function windowOf(params: ScenarioParams): number {
  return params.durationMs ?? params.healthyMs! + params.outageMs! + params.afterMs!;
}
