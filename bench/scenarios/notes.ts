/**
 * Why selfheal loses where it does: the mechanism behind each loss, read from the runs
 * (serverPerSecond, the clients' health() snapshots in scenarios.json) and from
 * src/http. Looked up by `client.scenario.figure`, then `scenario.figure`, then figure.
 */
import type { Loss } from './goals.js';
import {
  epochReset,
  firstBurstDefaults,
  firstBurstTuned,
  haproxy,
  metastableDefaults,
  metastableTuned,
  nginxRate,
  overloadTuned,
  recovery,
  stormDefaults,
  stormTuned,
} from './notes-issue10.js';
import {
  flakyDefaults,
  outageTuned,
  overhead,
  overloadDefaults,
  pacing,
  throttledDefaults,
} from './notes-live.js';
import type { BenchResults } from './types.js';

/** A reason, fixed or written from the run's own figures. */
type Note = string | ((results: BenchResults) => string);

const outageDefaults = recovery('outage', 'selfheal');

const PACER_WAIT =
  'calls wait in the quota pacer (unbounded by default, up to maxWaitMs 500 ms tuned) instead of drawing 429s; ' +
  'the pace itself is explained in the goodput rows';

const BY_KEY: Record<string, Note> = {
  'selfheal.overload.successRate': overloadDefaults,
  'selfheal.overload.goodput': overloadDefaults,
  'selfheal.overload.amplification': overloadDefaults,
  'selfheal.overload.p50Ms': overloadDefaults,
  'selfheal.overload.p99Ms': overloadDefaults,
  'selfheal.outage.herd250ms': outageDefaults,
  'selfheal.outage.herd1s': outageDefaults,
  'selfheal.overload.throttled429': throttledDefaults,
  'selfheal-tuned.overload.successRate':
    'by design: at 3 × capacity the tuned client sends exactly the capacity and sheds the rest locally after ' +
    'a 500 ms wait (failedShed); p-retry’s 1 s·2ⁿ backoff carries calls past the load window into the drain, ' +
    'so more of them succeed eventually — at amplification ~4 and ~4 000 429s',
  'selfheal-tuned.overload.p50Ms':
    'by design: at 3 × capacity every admitted call waited in the token bucket (up to maxWaitMs 500 ms) for its ' +
    'turn at the server’s rate; bare fetch’s successes are the few that found a token at the server at once',
  'selfheal-tuned.overload.p99Ms': 'as p50: the wait for a token, bounded by maxWaitMs (500 ms)',
  'selfheal.outage.successRate': outageDefaults,
  'selfheal.outage.outageRequests': outageDefaults,
  'selfheal.outage.recoveryMs': outageDefaults,
  'selfheal.outage.p50Ms': outageDefaults,
  'selfheal.outage.p99Ms': outageDefaults,
  'selfheal-tuned.outage.successRate': outageTuned,
  'selfheal-tuned.outage.recoveryMs':
    'calls that meet the open breaker wait for the half-open probe (resetTimeoutMs 1 000 ms); the first fresh ' +
    'call after the outage succeeds only once a probe has closed the breaker, while clients without a breaker ' +
    'succeed on their next request. The waiting calls are then released together (a burst of ~200 req in the ' +
    'first second after the outage, serverPerSecond)',
  'selfheal-tuned.outage.herd1s':
    'the calls that waited through the open breaker are all released when the half-open probe succeeds: the ' +
    'upstream gets the backlog of the whole outage within about a second, a herd a fragile server might not ' +
    'survive. Peers that failed those calls (or spread their retries by backoff) send less at once',
  'selfheal-tuned.outage.p50Ms':
    'calls started during the outage waited for the breaker to close instead of failing; they succeed, slowly',
  'selfheal-tuned.outage.p99Ms':
    'calls started during the outage waited for the breaker to close instead of failing; they succeed, slowly',
  'rate-limit.goodput': pacing,
  'rate-limit.p50Ms': PACER_WAIT,
  'rate-limit.p99Ms': PACER_WAIT,
  'overhead.overheadRatio': overhead,
  'selfheal.flaky.goal': flakyDefaults,
  'selfheal.flaky.successRate': flakyDefaults,
  'rate-limit.successRate': pacing,
  'flaky.amplification':
    'not a mechanism: every client that retries until success pays 1 ÷ 0.8 = 1.25 at 20 % errors; ±0.02 is ' +
    'which calls drew the error cards near the end of the run',
};

const BY_FIGURE: Record<string, Note> = {
  p50Ms:
    'latency of successes only: a client that fails fast keeps only the calls that got through at once, ' +
    'while selfheal makes some calls wait (token bucket, backoff, half-open probe) and turns them into slow successes',
  p99Ms:
    'latency of successes only: calls that selfheal held back (throttle wait, backoff, breaker wait) and then ' +
    'completed count here; a peer that failed them instead has no such tail',
};

/** Why a selfheal client misses a scenario's goals; also the fallback for its losses there. */
const GOALS: Record<string, Note> = {
  'selfheal.overload': overloadDefaults,
  'selfheal-tuned.overload': overloadTuned,
  'selfheal.storm': stormDefaults,
  'selfheal-tuned.storm': stormTuned,
  'selfheal.first-burst': firstBurstDefaults,
  'selfheal-tuned.first-burst': firstBurstTuned,
  'selfheal.limiter-erl-epoch': epochReset,
  'selfheal-rate.limiter-erl-epoch': epochReset,
  'selfheal.limiter-nginx': nginxRate,
  'selfheal-rate.limiter-nginx': nginxRate,
  'selfheal.limiter-haproxy': haproxy,
  'selfheal-rate.limiter-haproxy': haproxy,
  'selfheal.outage': outageDefaults,
  'selfheal-tuned.outage': recovery('outage', 'selfheal-tuned'),
  'selfheal.outage-5s': recovery('outage-5s', 'selfheal'),
  'selfheal-tuned.outage-5s': recovery('outage-5s', 'selfheal-tuned'),
  'selfheal.metastable': metastableDefaults,
  'selfheal-tuned.metastable': metastableTuned,
  'selfheal.overhead': overhead,
  'selfheal-tuned.overhead': overhead,
};

const LATENCY_FIGURES = new Set(['p50Ms', 'p99Ms']);

const text = (note: Note | undefined, results: BenchResults) =>
  typeof note === 'function' ? note(results) : note;

/** Why a selfheal client missed a goal of the issue. */
export function goalReason(
  client: string,
  scenario: string,
  results: BenchResults,
): string | undefined {
  return text(GOALS[`${client}.${scenario}`] ?? BY_KEY[`${client}.${scenario}.goal`], results);
}

/** Why a selfheal client does worse than a peer on one figure. */
export function reasonFor(loss: Loss, results: BenchResults): string {
  const note =
    BY_KEY[`${loss.client}.${loss.scenario}.${loss.figure}`] ??
    BY_KEY[`${loss.scenario}.${loss.figure}`] ??
    (LATENCY_FIGURES.has(loss.figure) ? undefined : GOALS[`${loss.client}.${loss.scenario}`]) ??
    BY_FIGURE[loss.figure];
  return text(note, results) ?? 'not explained yet: see docs/benchmarks.md';
}
