/**
 * The goals for selfheal, checked against a run, and every figure on which a
 * selfheal client does worse than a peer — so the report states its losses, not only
 * its wins.
 */
import type { BenchResults, ClientFigures, ScenarioId } from './types.js';

export const SELFHEAL_IDS = ['selfheal', 'selfheal-tuned'] as const;

export interface GoalCheck {
  scenario: ScenarioId;
  goal: string;
  /** Per selfheal client: met / missed / n/a, and the figures that decided it. */
  verdicts: Record<string, { met: boolean | null; detail: string }>;
}

type Fig = ClientFigures | undefined;
const pct = (part: number, whole: number) =>
  `${whole ? ((part / whole) * 100).toFixed(1) : '0.0'} %`;
const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : String(n));

const GOALS: Array<{
  scenario: ScenarioId;
  goal: string;
  check(own: ClientFigures, all: Record<string, Fig>): [boolean | null, string];
}> = [
  {
    scenario: 'overload',
    goal: 'overload: amplification ≤ 1.10 with goodput ≥ 0.97',
    check: (f) => [
      f.amplification !== null && f.amplification <= 1.1 && f.goodput >= 0.97,
      `amplification ${fmt(f.amplification)}, goodput ${f.goodput}`,
    ],
  },
  {
    scenario: 'outage',
    goal: "outage: success ≥ the p-retry loop's, with ≤ 5 % of its requests reaching the dead server",
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
    scenario: 'flaky',
    goal: 'flaky: success ≥ 0.998 at amplification ≤ 1.26',
    check: (f) => [
      f.successRate >= 0.998 && f.amplification !== null && f.amplification <= 1.26,
      `success ${f.successRate}, amplification ${fmt(f.amplification)}`,
    ],
  },
  {
    scenario: 'rate-limit',
    goal: 'rate-limit headers: fewest 429s provoked (no numeric goal in the issue)',
    check: (f, all) => {
      const fewest = Math.min(
        ...Object.values(all).map((c) => c?.throttled429 ?? Number.POSITIVE_INFINITY),
      );
      return [f.throttled429 <= fewest, `${f.throttled429} 429s (fewest of all: ${fewest})`];
    },
  },
  {
    scenario: 'overhead',
    goal: 'overhead: p50 ≤ 1.05 × bare ky',
    check: (f) => [
      f.overheadRatio === null ? null : f.overheadRatio <= 1.05,
      `ratio ${fmt(f.overheadRatio)}`,
    ],
  },
];

export function checkGoals(results: BenchResults): GoalCheck[] {
  return GOALS.filter((g) => results.scenarios[g.scenario]).map((g) => {
    const all = results.scenarios[g.scenario]!.clients;
    const verdicts: GoalCheck['verdicts'] = {};
    for (const id of SELFHEAL_IDS) {
      const own = all[id];
      if (!own) verdicts[id] = { met: null, detail: 'not run' };
      else {
        const [met, detail] = g.check(own, all);
        verdicts[id] = { met, detail };
      }
    }
    return { scenario: g.scenario, goal: g.goal, verdicts };
  });
}

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
  { key: 'outageRequests', better: 'low', margin: (a) => Math.max(2, a * 0.1) },
  { key: 'recoveryMs', better: 'low', margin: (a) => Math.max(50, a * 0.2) },
  { key: 'recoveryPeakRps', better: 'low', margin: (a) => Math.max(5, a * 0.2) },
  {
    key: 'p50Ms',
    better: 'low',
    margin: (a) => Math.max(1, a * 0.2),
    only: ['overload', 'outage', 'flaky', 'rate-limit'],
  },
  {
    key: 'p99Ms',
    better: 'low',
    margin: (a) => Math.max(5, a * 0.3),
    only: ['overload', 'outage', 'flaky', 'rate-limit'],
  },
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
