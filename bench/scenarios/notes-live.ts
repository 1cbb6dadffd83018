/**
 * The reasons whose figures change from run to run, written from the run itself
 * (serverPerSecond, counts, health() snapshots), so the explanation always matches
 * the table next to it.
 */
import type { BenchResults, ClientFigures, ScenarioId } from './types.js';

const fig = (r: BenchResults, s: ScenarioId, c: string): ClientFigures | undefined =>
  r.scenarios[s]?.clients[c];
const list = (xs: readonly number[]) => xs.join(', ');
const rateOf = (f: ClientFigures | undefined) => {
  const rate = (f?.diagnostics as { rate?: number | null } | undefined)?.rate;
  return typeof rate === 'number' ? `${Math.round(rate)} req/s` : 'off';
};

export function overloadDefaults(r: BenchResults): string {
  const f = fig(r, 'overload', 'selfheal');
  const t = fig(r, 'overload', 'selfheal-tuned');
  if (!f) return 'selfheal was not run';
  const capacity = r.scenarios.overload?.capacity;
  const late = f.serverOk - f.successes;
  return (
    'the adaptive rate is learned, not told: it engages at the first 429 at the goodput measured over the ' +
    'client’s first few hundred ms, grows ×3 per second until the next push-back (slow start), then runs AIMD ' +
    `around the latest push-back rate: the upstream saw ${list(f.serverPerSecond)} req/s (capacity ${capacity}; ` +
    `health() rate at the end ${rateOf(f)}), goodput ${f.goodput}, ${f.throttled429} 429s (the slow start’s ` +
    'overshoot and AIMD’s probes above the capacity). maxWaitMs is unbounded by default, so at 3 × capacity ' +
    `the queue only grows: every call waits until it is served or its caller gives up (p50 ${f.p50Ms} ms; ` +
    `${f.failedTimeout} calls timed out at the ${r.deadlineMs} ms deadline, which selfheal cannot see: it is the ` +
    'caller’s signal, and the default totalTimeout is 30 s). The queue serves the oldest waiter first, so once ' +
    `it is ${r.deadlineMs / 1000} s long the requests sent are those about to be given up: ${late} answers met an ` +
    `aborted call. Amplification ${f.serverRequests} ÷ ${f.successes} = ${f.amplification}. The tuned client (told ` +
    `the capacity, maxWaitMs 500 ms) sheds instead: amplification ${t?.amplification ?? '–'}, goodput ` +
    `${t?.goodput ?? '–'}`
  );
}

export function throttledDefaults(r: BenchResults): string {
  const f = fig(r, 'overload', 'selfheal');
  const c = fig(r, 'overload', 'cockatiel');
  return (
    `${f?.throttled429} 429s: requests sent before the bucket engaged, the slow start’s overshoot and the ` +
    'adaptive rate probing above the push-back rate. cockatiel provokes fewer only because its breaker counts ' +
    `429s and shuts the server off (goodput ${c?.goodput}); the tuned client, told the capacity, provoked ` +
    `${fig(r, 'overload', 'selfheal-tuned')?.throttled429}`
  );
}

export function outageTuned(r: BenchResults): string {
  const f = fig(r, 'outage', 'selfheal-tuned');
  return (
    `${f?.failedRefused ?? 0} call(s) failed. Earlier, the call that happened to carry the half-open probes of ` +
    'the outage ran out of retries (each failed probe counted against its limit, and so did each wait at the ' +
    'open breaker); neither counts now. A call can still fail if all five of its attempts land in the few ' +
    'hundred ms before the breaker opens'
  );
}

export function flakyDefaults(r: BenchResults): string {
  const f = fig(r, 'flaky', 'selfheal');
  const calls = f?.calls ?? 0;
  return (
    'the default retry limit is 3: a call fails when all four attempts draw a 500, 0.2⁴ = 0.16 % of calls at ' +
    `20 % errors — ${((calls * 0.0016) | 0) + 1} or so of ${calls}, and 0.998 allows ${Math.floor(calls * 0.002)}. ` +
    `This run: ${f?.failedRefused} call(s) drew four 500s (success ${f?.successRate}); the retry budget (ratio 0.3) ` +
    'refused none. The tuned limit 4 leaves 0.03 %'
  );
}

export function pacing(r: BenchResults): string {
  const d = fig(r, 'rate-limit', 'selfheal');
  const t = fig(r, 'rate-limit', 'selfheal-tuned');
  const s = r.scenarios['rate-limit'];
  return (
    'the quota is paced, not spent at once: the rest of each window goes evenly over what is left of it, the ' +
    'reset instant narrowed from every answer (`t` itself is whole seconds rounded up). The upstream saw ' +
    `${list(d?.serverPerSecond ?? [])} req/s from selfheal against a ${s?.capacity} req/s quota: zero 429s, ` +
    `goodput ${d?.goodput} (defaults) and ${t?.goodput} (tuned): the pace plans with the latest reset ` +
    'instant the answers allow, so a little of each window’s quota goes unused. ' +
    `At ${s?.params.loadFactor} × the quota, calls ` +
    `queue (defaults: p50 ${d?.p50Ms} ms, all served within the deadline), or are shed after maxWaitMs 500 ms ` +
    `(tuned: ${t?.failedShed} shed, success ${t?.successRate}); p-retry’s 1 s·2ⁿ backoff carries its calls into ` +
    `later windows at the price of ${fig(r, 'rate-limit', 'p-retry')?.throttled429} 429s`
  );
}

export function overhead(r: BenchResults): string {
  const f = fig(r, 'overhead', 'selfheal');
  const k = fig(r, 'overhead', 'ky');
  return (
    `selfheal p50 ${f?.p50Ms} ms against ky’s ${k?.p50Ms} ms for a request to a local server that answers at ` +
    `once (ratio ${f?.overheadRatio}): the per-attempt timeout, the 30 s deadline, the breaker and reading the ` +
    'body inside the attempt each add a few µs; `npx tsx bench/scenarios/attribution.ts` measures each policy, ' +
    'and bench/results/http.md has the per-policy breakdown. Against a server 5 ms away the whole cost is ~1 % ' +
    'of a request'
  );
}
