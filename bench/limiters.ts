/**
 * The upstream's rate limiters, each a pure function of the clock for one key (one
 * client): the bench's own token bucket and fixed-window quota (which can advertise
 * itself in the IETF RateLimit headers), and two limiters real APIs run in front of
 * their servers, simulated faithfully (the real ones are C and need their own
 * processes): nginx's `limit_req` and HAProxy's stick-table `http_req_rate`.
 */

/** What a limiter decided for one request: pass (after `delayMs`) or refuse. */
export interface LimiterVerdict {
  admitted: boolean;
  /** nginx delays excess requests within the burst instead of refusing them. */
  delayMs: number;
  /** Seconds a refused request is told to wait (the bucket and window limiters). */
  retryAfterSec?: number;
  /** `RateLimit-Policy` and `RateLimit` values, for limiters that can advertise them. */
  policy?: string;
  state?: string;
}

/** A token bucket of `rate` per second holding at most `burst` (refilled lazily). */
export function tokenBucket(rate: number, burst: number, start: number) {
  let tokens = burst;
  let last = start;
  return (now: number): LimiterVerdict => {
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    const admitted = tokens >= 1;
    if (admitted) tokens -= 1;
    const waitSec = admitted ? 0 : (1 - tokens) / rate;
    return {
      admitted,
      delayMs: 0,
      retryAfterSec: Math.max(1, Math.ceil(waitSec)),
      policy: `"default";q=${Math.round(rate)};w=1`,
      state: `"default";r=${Math.floor(tokens)};t=${Math.max(0, Math.ceil(waitSec))}`,
    };
  };
}

/** A fixed-window quota of `rate` × `windowSec` requests, windows aligned to `start`. */
export function fixedWindow(rate: number, windowSec: number, start: number) {
  const windowMs = windowSec * 1000;
  const quota = Math.max(1, Math.round(rate * windowSec));
  let windowStart = start;
  let used = 0;
  return (now: number): LimiterVerdict => {
    if (now - windowStart >= windowMs) {
      windowStart += Math.floor((now - windowStart) / windowMs) * windowMs;
      used = 0;
    }
    const admitted = used < quota;
    if (admitted) used++;
    const resetSec = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    return {
      admitted,
      delayMs: 0,
      retryAfterSec: resetSec,
      policy: `"default";q=${quota};w=${windowSec}`,
      state: `"default";r=${quota - used};t=${resetSec}`,
    };
  };
}

/**
 * nginx `limit_req zone=… rate=<rate>r/s burst=<burst> [nodelay]` with its defaults
 * (`limit_req_status 503`, no Retry-After), as ngx_http_limit_req_module.c computes it:
 * a leaky bucket in milli-requests on a millisecond clock. A request adds 1000 to the
 * excess after the excess drained by rate × elapsed; over `burst` × 1000 it is refused
 * (and, like nginx, a refused request changes nothing). Without `nodelay` a passed
 * request waits excess ÷ rate before it reaches the server.
 */
export function nginxLimitReq(options: {
  rate: number;
  burst: number;
  nodelay: boolean;
}): (nowMs: number) => LimiterVerdict {
  const rate = Math.round(options.rate * 1000); // ctx->rate: milli-requests per second
  const burst = options.burst * 1000;
  const delayFree = options.nodelay ? Number.MAX_SAFE_INTEGER : 0;
  let node: { excess: number; last: number } | undefined;
  return (now) => {
    const ms = Math.floor(now); // ngx_current_msec
    if (!node) {
      node = { excess: 0, last: ms };
      return { admitted: true, delayMs: 0 };
    }
    const elapsed = Math.max(0, ms - node.last);
    const excess = Math.max(0, node.excess - Math.trunc((rate * elapsed) / 1000) + 1000);
    if (excess > burst) return { admitted: false, delayMs: 0 };
    node.excess = excess;
    if (elapsed) node.last = ms;
    const delayMs = excess <= delayFree ? 0 : Math.trunc(((excess - delayFree) * 1000) / rate);
    return { admitted: true, delayMs };
  };
}

/**
 * HAProxy: `stick-table type ip size 100k expire 30s store http_req_rate(1s)`,
 * `http-request track-sc0 src`, `http-request deny deny_status 429 if
 * { sc_http_req_rate(0) gt <limit> }`. Tracking counts the request before the deny rule
 * reads the rate, so denied requests count too: a client that keeps sending over the
 * limit stays over it. The rate is HAProxy's sliding-window estimate (freq_ctr.c): the
 * current period's count plus the previous period's, weighted by the share of the
 * period still to run. The 429 is bare (no Retry-After).
 */
export function haproxyReqRate(options: {
  limit: number;
  periodMs?: number;
}): (nowMs: number) => LimiterVerdict {
  const period = options.periodMs ?? 1000;
  let tick: number | undefined;
  let curr = 0;
  let prev = 0;
  return (now) => {
    const ms = Math.floor(now);
    tick ??= ms;
    if (ms - tick >= period) {
      // update_freq_ctr_period: rotate one period, or restart now if two or more were missed
      const missedTwo = ms - tick >= 2 * period;
      prev = missedTwo ? 0 : curr;
      curr = 0;
      tick = missedTwo ? ms : tick + period;
    }
    curr++; // track-sc0: every request is counted, denied or not
    const remain = tick + period - ms;
    const rate = curr + Math.floor((prev * remain) / period);
    return { admitted: rate <= options.limit, delayMs: 0 };
  };
}
