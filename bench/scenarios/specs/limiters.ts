/**
 * Against the rate limiters real APIs run (issue 10, part 2b): each allows `limit`
 * req/s; open-loop arrivals at `rate` req/s for `durationMs`. The real packages
 * (express-rate-limit in three header styles, @fastify/rate-limit) run in process; nginx
 * `limit_req` and HAProxy's `http_req_rate` are faithful simulations (bench/limiters.ts).
 */
import { REAL_LIMITERS, type RealLimiter, startLimiterApp } from '../real-limiters.js';
import type { ScenarioId, ScenarioSpec } from '../types.js';
import { latency } from './throttling.js';

/** The limiter scenarios run selfheal's defaults and `throttle: { rate: <limit> }`. */
export const LIMITER_CLIENT_IDS = [
  'fetch',
  'ky',
  'p-retry',
  'cockatiel',
  'selfheal',
  'selfheal-rate',
] as const;

const load = { rate: 100, durationMs: 10_000, limit: 50 };
const quickLoad = { rate: 100, durationMs: 2_500, limit: 50 };

function real(id: ScenarioId, kind: RealLimiter, title: string): ScenarioSpec {
  return {
    id,
    title,
    summary: `${REAL_LIMITERS[kind]}; \`limit\` per \`windowSec\` window. Open-loop arrivals at \`rate\` req/s for \`durationMs\`.`,
    defaults: { ...load, windowSec: 1 },
    quick: { ...quickLoad, windowSec: 1 },
    load: 'open',
    capacity: (p) => p.limit! / p.windowSec!,
    documented: true,
    rate: (p) => p.rate!,
    clients: LIMITER_CLIENT_IDS,
    app: (p) => startLimiterApp(kind, p.limit!, p.windowSec!),
    phases: (p) => [{ name: 'limited', durationMs: p.durationMs!, phase: {} }],
  };
}

const nginx: ScenarioSpec = {
  id: 'limiter-nginx',
  title: 'Limiter: nginx limit_req',
  summary:
    'A simulation of nginx `limit_req zone=… rate=<limit>r/s burst=<burst> nodelay` with its default ' +
    '`limit_req_status 503` and no Retry-After: a leaky bucket in milli-requests on a millisecond clock, ' +
    'refused requests not counted (ngx_http_limit_req_module.c); `--limiter-nginx-nodelay 0` delays the ' +
    'burst instead. Open-loop arrivals at `rate` req/s for `durationMs`.',
  defaults: { ...load, burst: 10, nodelay: 1, latencyMs: 5 },
  quick: { ...quickLoad, burst: 10, nodelay: 1, latencyMs: 5 },
  load: 'open',
  capacity: (p) => p.limit,
  documented: true,
  rate: (p) => p.rate!,
  clients: LIMITER_CLIENT_IDS,
  phases: (p) => [
    {
      name: 'limited',
      durationMs: p.durationMs!,
      phase: {
        capacity: p.limit,
        limiter: 'nginx',
        burst: p.burst,
        nodelay: p.nodelay !== 0,
        throttleStatus: 503,
        latency: latency(p),
      },
    },
  ],
};

const haproxy: ScenarioSpec = {
  id: 'limiter-haproxy',
  title: 'Limiter: HAProxy http_req_rate',
  summary:
    'A simulation of HAProxy `stick-table … store http_req_rate(1s)`, `http-request track-sc0 src`, ' +
    '`http-request deny deny_status 429 if { sc_http_req_rate(0) gt <limit> }`: every request is counted ' +
    'before the rule reads the rate, denied ones too; the rate is HAProxy’s sliding estimate (freq_ctr.c); ' +
    'a bare 429 (no Retry-After). Open-loop arrivals at `rate` req/s for `durationMs`.',
  defaults: { ...load, latencyMs: 5 },
  quick: { ...quickLoad, latencyMs: 5 },
  load: 'open',
  capacity: (p) => p.limit,
  documented: true,
  rate: (p) => p.rate!,
  clients: LIMITER_CLIENT_IDS,
  phases: (p) => [
    {
      name: 'limited',
      durationMs: p.durationMs!,
      phase: { capacity: p.limit, limiter: 'haproxy', latency: latency(p) },
    },
  ],
};

export const LIMITERS: readonly ScenarioSpec[] = [
  real('limiter-erl-draft8', 'erl-draft8', 'Limiter: express-rate-limit, draft-8 headers'),
  real('limiter-erl-draft6', 'erl-draft6', 'Limiter: express-rate-limit, draft-6 headers'),
  real(
    'limiter-erl-epoch',
    'erl-epoch',
    'Limiter: express-rate-limit, default (epoch-reset) headers',
  ),
  real('limiter-fastify', 'fastify', 'Limiter: @fastify/rate-limit'),
  nginx,
  haproxy,
];
