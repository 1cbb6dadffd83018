/**
 * A scriptable upstream for benchmarks and the demo: a real `node:http` server on
 * 127.0.0.1 whose behaviour is set per phase — a capacity enforced by one of the
 * limiters in ./limiters.ts (the bench's token bucket or fixed-window quota, with 429 or
 * 503 and `Retry-After`, optionally the IETF `RateLimit`/`RateLimit-Policy` headers; an
 * nginx `limit_req` or HAProxy `http_req_rate` simulation), a FIFO queue whose latency
 * grows with its backlog, a throttling storm, a random 5xx rate, outages (503, refused
 * or reset connections), a latency distribution — or another server's request handler
 * (a real rate-limiter package) that it only counts for. It counts every request it
 * receives per client id (the `x-bench-client` header), per second, per 250 ms and per
 * phase, so amplification and herds are measured where they happen.
 *
 * Library: `startUpstream({ phase })` → `{ url, port, setPhase, stats, resetStats, close }`.
 * CLI: `npx tsx bench/upstream.ts --port 8080 --capacity 50 --error-rate 0.1`.
 */
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  fixedWindow,
  haproxyReqRate,
  type LimiterVerdict,
  nginxLimitReq,
  tokenBucket,
} from './limiters.js';

/** The behaviour of the upstream until the next `setPhase`. */
export interface UpstreamPhase {
  /** Name the counters are kept under. @default 'default' */
  name?: string;
  /** Requests per second admitted (a limiter), or served (`queue`). @default Infinity */
  capacity?: number;
  /** Token-bucket burst in requests (mode 'bucket'); nginx's `burst=` (mode 'nginx'). @default max(1, capacity / 10); nginx 0 */
  burst?: number;
  /**
   * 'bucket': a token bucket; 'window': a fixed-window quota of capacity × windowSec;
   * 'nginx': `limit_req rate=<capacity>r/s burst=<burst>`; 'haproxy': deny over
   * `http_req_rate(1s)` > capacity, denied requests counted. @default 'bucket'
   */
  limiter?: 'bucket' | 'window' | 'nginx' | 'haproxy';
  /** Length of the quota window in seconds (mode 'window'). @default 1 */
  windowSec?: number;
  /** nginx's `nodelay`: excess requests within the burst pass at once instead of waiting. @default false */
  nodelay?: boolean;
  /**
   * A FIFO server that serves `capacity` requests per second one after the other and
   * never sheds: each request waits for those ahead of it, also for those whose client
   * already gave up. The backlog survives `setPhase`, so a capacity drop leaves a queue.
   * @default false
   */
  queue?: boolean;
  /** Every request is answered `throttleStatus` with `Retry-After: retryAfterSec` (a throttling storm). @default false */
  throttleAll?: boolean;
  /** The Retry-After of `throttleAll`, seconds. @default 1 */
  retryAfterSec?: number;
  /** Status of a throttled answer (gateways sometimes send 503). @default 429 */
  throttleStatus?: 429 | 503;
  /** Send `Retry-After` on throttled answers (bucket and window limiters). @default true */
  retryAfter?: boolean;
  /** Advertise the quota with the IETF `RateLimit` and `RateLimit-Policy` headers. @default false */
  rateLimitHeaders?: boolean;
  /**
   * Share of admitted requests answered with `errorStatus`. Drawn without replacement
   * from a shuffled deck of 100, so every 100 admitted requests hold exactly
   * errorRate × 100 errors (random order, no sampling noise in the share). @default 0
   */
  errorRate?: number;
  /** @default 500 */
  errorStatus?: number;
  /** '503': every request gets 503 (no Retry-After); 'refused': not listening; 'reset': socket destroyed. @default false */
  outage?: false | '503' | 'refused' | 'reset';
  /** Latency of an admitted request: log-normal around `medianMs`. @default { medianMs: 0, sigma: 0 } */
  latency?: { medianMs: number; sigma?: number; maxMs?: number };
  /**
   * Hand every request to this handler (an express app, fastify's `routing`) and only
   * count: the answer's status decides ok / throttled (429, or `throttleStatus`) / errors.
   * @default undefined
   */
  handler?: RequestListener;
}

/** What the upstream counted for one client id. */
export interface ClientCounts {
  requests: number;
  ok: number;
  throttled: number;
  errors: number;
  outage: number;
  statuses: Record<string, number>;
  byPhase: Record<string, number>;
  /** Requests received in each second since the counters were reset. */
  perSecond: number[];
  /** Requests received in each 250 ms since the counters were reset (herds show here). */
  per250ms: number[];
}

export interface UpstreamStats {
  requests: number;
  sinceMs: number;
  clients: Record<string, ClientCounts>;
}

export interface Upstream {
  readonly url: string;
  readonly port: number;
  setPhase(phase: UpstreamPhase): Promise<void>;
  stats(): UpstreamStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** @default 0 (any free port) */
  port?: number;
  phase?: UpstreamPhase;
  /** Header naming the caller. @default 'x-bench-client' */
  clientHeader?: string;
  random?: () => number;
}

/** Starts the upstream on 127.0.0.1 and resolves once it listens. */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const random = options.random ?? Math.random;
  const header = options.clientHeader ?? 'x-bench-client';
  const sockets = new Set<Socket>();
  let phase: UpstreamPhase = {};
  let limiter = makeLimiter(phase, performance.now());
  let errors = errorDeck(0, random);
  let counts: UpstreamStats = { requests: 0, sinceMs: performance.now(), clients: {} };
  // The FIFO queue (mode `queue`), kept across phases: waiting answers, and when the
  // server finished the last one. Each service takes 1 / capacity at the capacity of
  // the moment it is computed, so a capacity restored mid-backlog drains it faster.
  const fifo: Array<{ at: number; send: () => void }> = [];
  let fifoTimer: NodeJS.Timeout | undefined;
  let busyUntil = 0;
  const serveQueue = () => {
    fifoTimer = undefined;
    const now = performance.now();
    while (fifo.length > 0) {
      const finish =
        Math.max(fifo[0]!.at, busyUntil) + 1000 / (phase.capacity ?? Number.POSITIVE_INFINITY);
      if (finish > now) {
        fifoTimer = setTimeout(serveQueue, finish - now);
        return;
      }
      busyUntil = finish;
      fifo.shift()!.send();
    }
  };

  const server = createServer((req, res) => {
    const now = performance.now();
    const c = countFor(counts, String(req.headers[header] ?? 'anonymous'), phase.name ?? 'default');
    c.requests++;
    counts.requests++;
    bump(c.perSecond, Math.floor((now - counts.sinceMs) / 1000));
    bump(c.per250ms, Math.floor((now - counts.sinceMs) / 250));
    if (phase.handler) {
      const throttleStatus = phase.throttleStatus ?? 429;
      res.on('finish', () => tally(c, res.statusCode, outcomeOf(res.statusCode, throttleStatus)));
      return void phase.handler(req, res);
    }
    req.resume();
    if (phase.outage === 'reset') return void req.socket.destroy();
    if (phase.outage === '503') return void answer(res, c, 503, 'outage');
    if (phase.throttleAll) {
      res.setHeader('Retry-After', String(phase.retryAfterSec ?? 1));
      return void answer(res, c, phase.throttleStatus ?? 429, 'throttled');
    }
    // Drawn only for requests the server serves, so the error share is of those.
    const reply = (failed: boolean) => () =>
      failed ? answer(res, c, phase.errorStatus ?? 500, 'errors') : answer(res, c, 200, 'ok');
    if (phase.queue) {
      fifo.push({ at: now, send: reply(errors()) });
      if (!fifoTimer) serveQueue();
      return;
    }
    const verdict = limiter(now);
    if (phase.rateLimitHeaders && verdict.policy && verdict.state) {
      res.setHeader('RateLimit-Policy', verdict.policy);
      res.setHeader('RateLimit', verdict.state);
    }
    if (!verdict.admitted) {
      if (phase.retryAfter !== false && verdict.retryAfterSec !== undefined)
        res.setHeader('Retry-After', String(verdict.retryAfterSec));
      return void answer(res, c, phase.throttleStatus ?? 429, 'throttled');
    }
    const send = reply(errors());
    const wait = verdict.delayMs + latencyMs(phase.latency, random);
    if (wait <= 0) send();
    else setTimeout(send, wait);
  });
  // Longer than any pause between turns, so an idle keep-alive socket is never closed mid-reuse.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server, options.port ?? 0);
  const port = (server.address() as { port: number }).port;
  let listening = true;

  const upstream: Upstream = {
    url: `http://127.0.0.1:${port}`,
    port,
    async setPhase(next) {
      phase = { ...next };
      limiter = makeLimiter(phase, performance.now());
      errors = errorDeck(phase.errorRate ?? 0, random);
      if (phase.outage === 'refused' && listening) {
        listening = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      } else if (phase.outage !== 'refused' && !listening) {
        await listen(server, port);
        listening = true;
      }
    },
    stats: () => structuredClone(counts),
    resetStats() {
      counts = { requests: 0, sinceMs: performance.now(), clients: {} };
    },
    async close() {
      clearTimeout(fifoTimer);
      fifo.length = 0;
      for (const socket of sockets) socket.destroy();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      listening = false;
    },
  };
  if (options.phase) await upstream.setPhase(options.phase);
  return upstream;
}

/** The phase's limiter, fresh (a new phase starts with a full bucket and an empty window). */
function makeLimiter(phase: UpstreamPhase, start: number): (now: number) => LimiterVerdict {
  const rate = phase.capacity ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(rate)) return () => ({ admitted: true, delayMs: 0 });
  switch (phase.limiter) {
    case 'window':
      return fixedWindow(rate, phase.windowSec ?? 1, start);
    case 'nginx':
      return nginxLimitReq({ rate, burst: phase.burst ?? 0, nodelay: phase.nodelay ?? false });
    case 'haproxy':
      return haproxyReqRate({ limit: rate });
    default:
      return tokenBucket(rate, phase.burst ?? Math.max(1, rate / 10), start);
  }
}

function bump(bins: number[], i: number): void {
  while (bins.length <= i) bins.push(0);
  bins[i]!++;
}

/** Draws from a reshuffled deck of 100 cards, `rate` × 100 of which say "fail". */
function errorDeck(rate: number, random: () => number): () => boolean {
  const failing = Math.round(Math.min(1, Math.max(0, rate)) * 100);
  let deck: boolean[] = [];
  return () => {
    if (failing === 0) return false;
    if (deck.length === 0) {
      deck = Array.from({ length: 100 }, (_, i) => i < failing);
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
      }
    }
    return deck.pop()!;
  };
}

function countFor(stats: UpstreamStats, id: string, phaseName: string): ClientCounts {
  stats.clients[id] ??= {
    requests: 0,
    ok: 0,
    throttled: 0,
    errors: 0,
    outage: 0,
    statuses: {},
    byPhase: {},
    perSecond: [],
    per250ms: [],
  };
  const c = stats.clients[id];
  c.byPhase[phaseName] = (c.byPhase[phaseName] ?? 0) + 1;
  return c;
}

type Outcome = 'ok' | 'throttled' | 'errors' | 'outage';

function outcomeOf(status: number, throttleStatus: number): Outcome {
  if (status < 300) return 'ok';
  return status === 429 || status === throttleStatus ? 'throttled' : 'errors';
}

function tally(c: ClientCounts, status: number, outcome: Outcome): void {
  c[outcome]++;
  c.statuses[status] = (c.statuses[status] ?? 0) + 1;
}

function answer(res: ServerResponse, c: ClientCounts, status: number, outcome: Outcome): void {
  tally(c, status, outcome);
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(status === 200 ? '{"ok":true}' : `{"ok":false,"status":${status}}`);
}

function latencyMs(latency: UpstreamPhase['latency'], random: () => number): number {
  if (!latency || latency.medianMs <= 0) return 0;
  const sigma = latency.sigma ?? 0;
  // Box–Muller: a standard normal draw, then log-normal around the median.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(latency.maxMs ?? latency.medianMs * 20, latency.medianMs * Math.exp(sigma * z));
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      capacity: { type: 'string' },
      'error-rate': { type: 'string', default: '0' },
      'latency-ms': { type: 'string', default: '0' },
      'rate-limit-headers': { type: 'boolean', default: false },
    },
  });
  const up = await startUpstream({
    port: Number(values.port),
    phase: {
      capacity: values.capacity ? Number(values.capacity) : undefined,
      errorRate: Number(values['error-rate']),
      latency: { medianMs: Number(values['latency-ms']), sigma: 0.5 },
      rateLimitHeaders: values['rate-limit-headers'],
    },
  });
  console.error(`upstream listening on ${up.url} (Ctrl-C to stop)`);
  process.on('SIGINT', () => void up.close().then(() => process.exit(0)));
}
