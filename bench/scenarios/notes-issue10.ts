/**
 * Why selfheal misses issue 10's goals, written from the run's own figures (server
 * requests per second, failure kinds, health() snapshots) and from the code they come
 * from (src/http, src/core/retry.ts, retry-budget.ts, circuit-breaker.ts), so the
 * behaviour work starts from a mechanism, not a guess.
 */
import type { BenchResults, ClientFigures, ScenarioId } from './types.js';

const fig = (r: BenchResults, s: ScenarioId, c: string): ClientFigures | undefined =>
  r.scenarios[s]?.clients[c];
const list = (xs: readonly number[] | undefined) => (xs ?? []).join(', ');
const counts = (f: ClientFigures | undefined) =>
  (f?.diagnostics as { counts?: { retries?: number } } | undefined)?.counts;
const rate = (f: ClientFigures | undefined) => {
  const v = (f?.diagnostics as { rate?: number | null } | undefined)?.rate;
  return typeof v === 'number' ? `${Math.round(v)} req/s` : 'off';
};
/** The default budget's allowance for `requests` first attempts in one 10 s window. */
const allowance = (requests: number) => Math.floor(0.3 * requests + 10 * 10);

export function stormDefaults(r: BenchResults): string {
  const s = r.scenarios.storm;
  const f = fig(r, 'storm', 'selfheal');
  if (!s || !f) return 'not run';
  const n = s.params.concurrency!;
  return (
    `the retry budget (ratio 0.3 + 10/s over 10 s) allows 0.3 × ${n} + 100 = ${allowance(n)} retries, and ` +
    'each retry takes its token when it is scheduled, before its Retry-After sleep (core/retry.ts, ' +
    `shouldRetry): ${n - allowance(n)} calls fail at once with RetryBudgetExhaustedError, the other ` +
    `${allowance(n)} sleep 1 s, meet the storm again and find the budget spent. Only retries the adaptive ` +
    'bucket (engaged at the first 429) held past the storm succeeded: ' +
    `${f.successes} of ${n}, from ${f.serverRequests} requests (${n} first attempts + ` +
    `${counts(f)?.retries ?? '–'} retries; ${list(f.serverPerSecond)} per second); the ` +
    `${f.calls - f.successes} others failed with the last 429, all within ` +
    `${((f.waves?.[0]?.durationMs ?? 0) / 1000).toFixed(1)} s of an ${s.params.deadlineMs! / 1000} s deadline. ` +
    `The floor: all ${n} first attempts leave before any answer, so ${n} + ${n} requests (2.0) is the least ` +
    'any client pays (bare fetch sends exactly those 200 and gets nothing): amplification ≤ 1.5 needs ' +
    `selfheal to hold back at least half of a first burst to an origin it knows nothing about`
  );
}

export function stormTuned(r: BenchResults): string {
  const f = fig(r, 'storm', 'selfheal-tuned');
  return (
    `no budget, 4 retries, but maxWaitMs 500: a retry that wakes from its Retry-After sleep and finds no ` +
    `token within 500 ms is shed (ThrottledError): ${f?.failedShed} shed, ${f?.successes} succeeded, at ` +
    `${f?.throttled429} 429s (the bucket, engaged at the send rate of the first burst, ${rate(f)} at ` +
    'the end, paces nothing during a storm that refuses everything)'
  );
}

export function firstBurstDefaults(r: BenchResults): string {
  const s = r.scenarios['first-burst'];
  const f = fig(r, 'first-burst', 'selfheal');
  const p = fig(r, 'first-burst', 'p-retry');
  if (!s || !f?.waves) return 'not run';
  const [a, b] = f.waves;
  const n = s.params.concurrency!;
  return (
    `the budget allows 0.3 × ${n} + 100 = ${allowance(n)} retries per 10 s, and a first burst of ${n} ` +
    `against ${s.params.capacity} req/s (burst ${s.params.burst}) needs more: wave 1 sent ` +
    `${a?.serverRequests} requests (${n} + ${(a?.serverRequests ?? 0) - n} retries) and ` +
    `${(a?.calls ?? 0) - (a?.successes ?? 0)} calls failed with RetryBudgetExhaustedError within ` +
    `${((a?.durationMs ?? 0) / 1000).toFixed(1)} s, ${s.params.deadlineMs! / 1000 - Math.ceil((a?.durationMs ?? 0) / 1000)} s ` +
    'before their deadline. Those retries were not blind: the bucket engaged at the first 429 and paced ' +
    `them (${rate(f)} at the end, against ${s.params.capacity} admitted), a wait for a token that the ` +
    `budget counts as if it were a storm. p-retry (no budget) gets ${p?.waves?.[0]?.successes ?? '–'}/${n} ` +
    `at ${p?.waves?.[0]?.amplification ?? '–'}. Wave 2, the rate learned: ${b?.successes}/${b?.calls} at ` +
    `${b?.amplification}`
  );
}

export function firstBurstTuned(r: BenchResults): string {
  const f = fig(r, 'first-burst', 'selfheal-tuned');
  return (
    `by design, not a defect: maxWaitMs 500 sheds what the learned bucket cannot send within 500 ms ` +
    `(${f?.failedShed} shed over both waves; a second wave of ${f?.waves?.[1]?.calls} at once against ` +
    `~20 req/s can send about 10 + 20 × 0.5 of them in time)`
  );
}

export function epochReset(r: BenchResults): string {
  const f = fig(r, 'limiter-erl-epoch', 'selfheal');
  const d8 = fig(r, 'limiter-erl-draft8', 'selfheal');
  const quota = (f?.diagnostics as { quota?: { resetInMs?: number } } | undefined)?.quota;
  return (
    '`X-RateLimit-Reset` is Unix seconds rounded up (express-rate-limit: Math.ceil(resetTime / 1000)) and ' +
    'is taken as exact, so the reset is believed up to 1 s late (health() at the end: quota.resetInMs ' +
    `${quota?.resetInMs ?? '–'} on a 1 s window) and the pacer spreads each window's rest over up to 2 s: ` +
    `the limiter saw ${list(f?.serverPerSecond.slice(0, 10))} req/s against 50 allowed, and ` +
    `${f?.failedTimeout} calls waited past the 10 s deadline. The same limiter with draft-8 headers (reset ` +
    `in seconds from now): success ${d8?.successRate}`
  );
}

export function nginxRate(r: BenchResults): string {
  const f = fig(r, 'limiter-nginx', 'selfheal-rate');
  const d = fig(r, 'limiter-nginx', 'selfheal');
  return (
    'nginx refuses with a bare 503 (no Retry-After): http/classify.ts makes a 503 without Retry-After a ' +
    'breaker failure, so the refusals open the breaker (10 in a row) and nothing is sent for the 5 s reset ' +
    `(the limiter saw ${list(f?.serverPerSecond)} req/s); the opening calls onOutage(), which undoes the ` +
    "rate's decrease; after each probe the bucket's saved tokens (burst defaults to the rate: 50) go at once " +
    'into nginx’s burst of 10 and trip it again. A 503 while other requests still succeed is a busy ' +
    `gateway, not an outage. The defaults (no rate, so no saved tokens) got ${d?.successRate} at ` +
    `${d?.amplification}`
  );
}

export function haproxy(r: BenchResults): string {
  const d = fig(r, 'limiter-haproxy', 'selfheal');
  const t = fig(r, 'limiter-haproxy', 'selfheal-rate');
  return (
    'HAProxy counts denied requests, so whatever is sent over 50 in a second keeps the rate over 50 into ' +
    `the next. The defaults send the first second’s load before the first 429 engages the bucket (the ` +
    `limiter saw ${list(d?.serverPerSecond.slice(0, 4))}… req/s), and bare 429s are retried after the ` +
    `0–100 ms backoff, each one counted: ${d?.throttled429} 429s, amplification ${d?.amplification}. ` +
    'With throttle.rate 50, burst defaults to the rate: 50 tokens saved while quiet plus 50/s went out in ' +
    `the first second (${list(t?.serverPerSecond.slice(0, 4))}… req/s), a decrease lowers the rate but ` +
    `keeps the saved tokens: ${t?.throttled429} 429s, amplification ${t?.amplification}. Both queue what ` +
    `they hold back, so the calls the 429s delayed wait past the 10 s deadline (${d?.failedTimeout} and ` +
    `${t?.failedTimeout} timed out)`
  );
}

export function recovery(scenario: 'outage' | 'outage-5s', client: string) {
  return (r: BenchResults): string => {
    const s = r.scenarios[scenario];
    const f = fig(r, scenario, client);
    if (!s || !f) return 'not run';
    const back = Math.ceil((s.params.healthyMs! + s.params.outageMs!) / 1000);
    const reset = client === 'selfheal' ? 5 : 1;
    return (
      `the probe comes on a fixed resetTimeoutMs (${reset} s) after the opening (http passes ` +
      '`probeInterval: false` to the core breaker, which can grow the interval), so the first success ' +
      `came ${f.recoveryMs} ms after the server was back. Every call that met the open breaker sleeps ` +
      'until the probe time (BrokenCircuitError.retryAfterMs); they wake together: those that find the ' +
      'breaker closed go at once, those that meet it half-open (one probe at a time, retryAfterMs 0) fall ' +
      'back to the exponential backoff at their attempt number (each round at the breaker counts: ' +
      '100 ms·2ⁿ, full jitter, up to 30 s). So the recovered server got a herd — busiest 250 ms ' +
      `${f.herd250ms} ×, 1 s ${f.herd1s} × the offered rate (${list(f.serverPerSecond.slice(back))} req/s ` +
      `after the outage) — and a tail that reaches full goodput only ${f.fullGoodputMs} ms after it` +
      (f.failedTimeout
        ? `; ${f.failedTimeout} calls slept past the caller's ${r.deadlineMs / 1000} s deadline (the ` +
          'backoff is cut only at selfheal’s own totalTimeout, 30 s by default)'
        : '') +
      `. The dead server saw ${f.outageRequests} requests: the trip` +
      (reset * 1000 >= s.params.outageMs!
        ? ', no probe within the outage'
        : ` and a probe every ${reset} s`)
    );
  };
}

export function metastableDefaults(r: BenchResults): string {
  const f = fig(r, 'metastable', 'selfheal');
  return (
    'the 1 s attempt timeouts of the trigger count as breaker failures and open it (10 in a row); it ' +
    'stays open for the fixed 5 s reset, so nothing is sent long after the queue drained; at the probe ' +
    'the calls that waited are released together (the server saw ' +
    `${list(f?.serverPerSecond)} req/s), queue behind each other for more than the attempt timeout, time ` +
    `out and re-open it (${counts(f)?.retries ?? '–'} retries in all): goodput per second after the ` +
    `trigger ${list(f?.goodputAfter ?? [])}, ${f?.failedTimeout} calls timed out`
  );
}

export function metastableTuned(r: BenchResults): string {
  const f = fig(r, 'metastable', 'selfheal-tuned');
  return (
    'the short-window breaker (250 ms, 5 requests) opens on the timeouts and probes every second; each ' +
    'successful probe releases what waited at once (server: ' +
    `${list(f?.serverPerSecond)} req/s), which queues past the attempt timeout and re-opens it, and ` +
    `maxWaitMs 500 sheds the rest (${f?.failedShed} shed): goodput per second after the trigger ` +
    `${list(f?.goodputAfter ?? [])}`
  );
}

export function overloadTuned(r: BenchResults): string {
  const t = fig(r, 'overload', 'selfheal-tuned');
  const fetch = fig(r, 'overload', 'fetch');
  return (
    `the tuned client sends exactly the documented capacity from a token bucket (burst 5): goodput ` +
    `${t?.goodput} at amplification ${t?.amplification}. Its goodput needs the bucket's timers to fire on ` +
    `time; in this run bare fetch, which waits for nothing, reached ${fetch?.goodput} (1.01 on a quiet ` +
    'machine), so the shortfall is the machine’s; re-run on a quiet one before reading it as selfheal’s'
  );
}
