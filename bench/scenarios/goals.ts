/**
 * The goals for selfheal, checked against a run, and every figure on which a
 * selfheal client does worse than a peer — so the report states its losses, not only
 * its wins.
 */
import { LIMITERS } from './specs/limiters.js';
import type {
  BenchResults,
  ClientFigures,
  ScenarioId,
  ScenarioResult,
  WaveFigures,
} from './types.js';

export const SELFHEAL_IDS = ['selfheal', 'selfheal-tuned', 'selfheal-rate'] as const;

export interface GoalCheck {
  scenario: ScenarioId;
  goal: string;
  /** Per selfheal client: met / missed / n/a, and the figures that decided it. */
  verdicts: Record<string, { met: boolean | null; detail: string }>;
}

type Fig = ClientFigures | undefined;
type Verdict = [boolean | null, string];
const pct = (part: number, whole: number) =>
  `${whole ? ((part / whole) * 100).toFixed(1) : '0.0'} %`;
const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : String(n));
const LIMITER_IDS = LIMITERS.map((s) => s.id);
const RECOVERY_IDS: ScenarioId[] = ['outage', 'outage-5s'];

interface Goal {
  scenarios: readonly ScenarioId[];
  goal: string;
  check(own: ClientFigures, all: Record<string, Fig>, scenario: ScenarioResult): Verdict;
}

/** Issue 10's goals (and issue 5's, tightened to issue 10's figures). */
const GOALS: Goal[] = [
  {
    scenarios: ['overload'],
    goal: 'amplification ≤ 1.05 with goodput ≥ 0.98',
    check: (f) => [
      f.amplification !== null && f.amplification <= 1.05 && (f.goodput ?? 0) >= 0.98,
      `amplification ${fmt(f.amplification)}, goodput ${fmt(f.goodput)}`,
    ],
  },
  {
    scenarios: ['storm'],
    goal: 'success ≥ 0.99, amplification ≤ 1.5, no call ends after its deadline',
    check: (f) => [
      f.successRate >= 0.99 &&
        f.amplification !== null &&
        f.amplification <= 1.5 &&
        f.lateCalls === 0,
      `success ${f.successRate}, amplification ${fmt(f.amplification)}, late ${f.lateCalls}`,
    ],
  },
  {
    scenarios: ['first-burst'],
    goal: 'every call of both waves succeeds; amplification ≤ 2.0 on the first wave, ≤ 1.25 on the second',
    check: (f) => {
      const [a, b] = f.waves ?? [];
      if (!a || !b) return [null, 'fewer than two waves'];
      const ok = (w: WaveFigures, max: number) =>
        w.successes === w.calls && w.amplification !== null && w.amplification <= max;
      return [
        ok(a, 2.0) && ok(b, 1.25),
        `wave 1 ${a.successes}/${a.calls} at ${fmt(a.amplification)}, wave 2 ${b.successes}/${b.calls} at ${fmt(b.amplification)}`,
      ];
    },
  },
  {
    scenarios: LIMITER_IDS,
    goal: "success ≥ bare fetch's and ≥ ky's, amplification ≤ 1.1",
    check: (f, all) => {
      const floor = Math.max(all.fetch?.successRate ?? 0, all.ky?.successRate ?? 0);
      return [
        f.successRate >= floor && f.amplification !== null && f.amplification <= 1.1,
        `success ${f.successRate} (fetch ${fmt(all.fetch?.successRate)}, ky ${fmt(all.ky?.successRate)}), amplification ${fmt(f.amplification)}`,
      ];
    },
  },
  {
    scenarios: RECOVERY_IDS,
    goal: "success ≥ the p-retry loop's, with ≤ 5 % of its requests reaching the dead server",
    check: (f, all) => {
      const p = all['p-retry'];
      if (!p || p.outageRequests === null) return [null, 'no p-retry run'];
      const share = p.outageRequests ? f.outageRequests! / p.outageRequests : 0;
      return [
        f.successRate >= p.successRate && share <= 0.05,
        `success ${f.successRate} vs ${p.successRate}; outage requests ${f.outageRequests} vs ${p.outageRequests} ` +
          `(${(share * 100).toFixed(1)} % of p-retry's; ${pct(f.outageRequests!, f.serverRequests)} of its own requests)`,
      ];
    },
  },
  {
    scenarios: RECOVERY_IDS,
    goal: 'first success ≤ 1 s after the server is back',
    check: (f) => [
      f.recoveryMs !== null && f.recoveryMs <= 1000,
      `recovery ${fmt(f.recoveryMs)} ms (full goodput ${fmt(f.fullGoodputMs)} ms)`,
    ],
  },
  {
    scenarios: RECOVERY_IDS,
    goal: 'the dead server sees ≤ the trip (10) + one probe per second of outage',
    check: (f, _all, s) => {
      const max = 10 + Math.ceil(s.params.outageMs! / 1000);
      return [f.outageRequests! <= max, `${f.outageRequests} outage requests (≤ ${max})`];
    },
  },
  {
    scenarios: RECOVERY_IDS,
    goal: 'the recovered server sees ≤ 2 × the offered rate (busiest 250 ms and 1 s)',
    check: (f) => [
      f.herd250ms !== null && f.herd1s !== null && f.herd250ms <= 2 && f.herd1s <= 2,
      `busiest 250 ms ${fmt(f.herd250ms)}×, 1 s ${fmt(f.herd1s)}×`,
    ],
  },
  {
    scenarios: RECOVERY_IDS,
    goal: "the backlog finishes inside the callers' deadlines",
    check: (f) => [
      f.failedTimeout === 0 && f.lateCalls === 0,
      `${f.failedTimeout} timed out, ${f.lateCalls} late`,
    ],
  },
  {
    scenarios: ['metastable'],
    goal: 'goodput ≥ 0.95 × offered from 2 s after the trigger ends',
    check: (f) => {
      const after = f.goodputAfter ?? [];
      return [
        after.length > 2 && after.slice(2).every((g) => g >= 0.95),
        `goodput/s after the trigger ${after.join(', ')}`,
      ];
    },
  },
  {
    scenarios: ['flaky'],
    goal: 'success ≥ 0.998 at amplification ≤ 1.26',
    check: (f) => [
      f.successRate >= 0.998 && f.amplification !== null && f.amplification <= 1.26,
      `success ${f.successRate}, amplification ${fmt(f.amplification)}`,
    ],
  },
  {
    scenarios: ['rate-limit'],
    goal: 'fewest 429s provoked (no numeric goal in the issues)',
    check: (f, all) => {
      const fewest = Math.min(
        ...Object.values(all).map((c) => c?.throttled429 ?? Number.POSITIVE_INFINITY),
      );
      return [f.throttled429 <= fewest, `${f.throttled429} 429s (fewest of all: ${fewest})`];
    },
  },
  {
    scenarios: ['overhead'],
    goal: 'p50 ≤ 1.05 × bare ky',
    check: (f) => [
      f.overheadRatio === null ? null : f.overheadRatio <= 1.05,
      `ratio ${fmt(f.overheadRatio)}`,
    ],
  },
];

/** Each goal for each scenario of the run it applies to, checked for every selfheal client that ran it. */
export function checkGoals(results: BenchResults): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const [scenario, result] of Object.entries(results.scenarios) as Array<
    [ScenarioId, ScenarioResult]
  >) {
    for (const g of GOALS.filter((goal) => goal.scenarios.includes(scenario))) {
      const verdicts: GoalCheck['verdicts'] = {};
      for (const id of SELFHEAL_IDS) {
        const own = result.clients[id];
        if (own) {
          const [met, detail] = g.check(own, result.clients, result);
          verdicts[id] = { met, detail };
        }
      }
      checks.push({ scenario, goal: g.goal, verdicts });
    }
  }
  return checks;
}

/** Where latency of successes is compared (not where waiting is the point, as in a storm). */
const LATENCY_SCENARIOS: ScenarioId[] = ['overload', 'outage', 'outage-5s', 'flaky', 'rate-limit'];

/** Figures compared, with the better direction and the margin below which a gap is noise. */
const FIGURES: Array<{
  key: keyof ClientFigures;
  better: 'high' | 'low';
  margin: (a: number) => number;
  only?: ScenarioId[];
}> = [
  { key: 'successRate', better: 'high', margin: () => 0.002 },
  { key: 'goodput', better: 'high', margin: () => 0.02, only: ['overload', 'rate-limit'] },
  { key: 'amplification', better: 'low', margin: () => 0.02 },
  { key: 'throttled429', better: 'low', margin: (a) => Math.max(2, a * 0.05) },
  { key: 'lateCalls', better: 'low', margin: () => 0 },
  { key: 'outageRequests', better: 'low', margin: (a) => Math.max(2, a * 0.1) },
  { key: 'recoveryMs', better: 'low', margin: (a) => Math.max(50, a * 0.2) },
  { key: 'fullGoodputMs', better: 'low', margin: (a) => Math.max(250, a * 0.2) },
  { key: 'herd250ms', better: 'low', margin: (a) => Math.max(0.5, a * 0.2) },
  { key: 'herd1s', better: 'low', margin: (a) => Math.max(0.25, a * 0.2) },
  { key: 'p50Ms', better: 'low', margin: (a) => Math.max(1, a * 0.2), only: LATENCY_SCENARIOS },
  { key: 'p99Ms', better: 'low', margin: (a) => Math.max(5, a * 0.3), only: LATENCY_SCENARIOS },
  { key: 'overheadRatio', better: 'low', margin: () => 0.03, only: ['overhead'] },
];

const LATENCY = new Set<keyof ClientFigures>(['p50Ms', 'p99Ms']);

export interface Loss {
  scenario: ScenarioId;
  client: string;
  figure: string;
  value: number;
  peer: string;
  peerValue: number;
}

export function findLosses(results: BenchResults, peers: readonly string[]): Loss[] {
  const losses: Loss[] = [];
  for (const [scenario, result] of Object.entries(results.scenarios) as Array<
    [ScenarioId, NonNullable<BenchResults['scenarios'][ScenarioId]>]
  >) {
    for (const id of SELFHEAL_IDS) {
      const own = result.clients[id];
      if (!own) continue;
      for (const fig of FIGURES) {
        if (fig.only && !fig.only.includes(scenario)) continue;
        const mine = own[fig.key] as number | null;
        if (mine === null) continue;
        let best: { peer: string; value: number } | undefined;
        for (const peer of peers) {
          const other = result.clients[peer];
          const theirs = other?.[fig.key] as number | null | undefined;
          if (theirs === null || theirs === undefined) continue;
          // Latency of successes means little for a peer that succeeded less often.
          if (LATENCY.has(fig.key) && other!.successRate < own.successRate - 0.002) continue;
          const gap = fig.better === 'high' ? theirs - mine : mine - theirs;
          if (
            gap > fig.margin(Math.abs(mine)) &&
            (!best || (fig.better === 'high' ? theirs > best.value : theirs < best.value))
          ) {
            best = { peer, value: theirs };
          }
        }
        if (best)
          losses.push({
            scenario,
            client: id,
            figure: String(fig.key),
            value: mine,
            peer: best.peer,
            peerValue: best.value,
          });
      }
    }
  }
  return losses;
}
