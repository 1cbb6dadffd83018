/**
 * A scriptable upstream for benchmarks and the demo: a real `node:http` server on
 * 127.0.0.1 whose behaviour is set per phase — a capacity enforced by its own token
 * bucket or fixed-window quota (429 or 503 with `Retry-After`, optionally the IETF
 * `RateLimit`/`RateLimit-Policy` headers), a random 5xx rate, outages (503, refused or
 * reset connections) and a latency distribution. It counts every request it receives
 * per client id (the `x-bench-client` header), per second and per phase, so
 * amplification is measured where it happens.
 *
 * Library: `startUpstream({ phase })` → `{ url, port, setPhase, stats, resetStats, close }`.
 * CLI: `npx tsx bench/upstream.ts --port 8080 --capacity 50 --error-rate 0.1`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The behaviour of the upstream until the next `setPhase`. */
export interface UpstreamPhase {
  /** Name the counters are kept under. @default 'default' */
  name?: string;
  /** Requests per second admitted; over it the server throttles. @default Infinity */
  capacity?: number;
  /** Token-bucket burst in requests (mode 'bucket'). @default max(1, capacity / 10) */
  burst?: number;
  /** 'bucket': a token bucket; 'window': a fixed-window quota of capacity × windowSec. @default 'bucket' */
  limiter?: 'bucket' | 'window';
  /** Length of the quota window in seconds (mode 'window'). @default 1 */
  windowSec?: number;
  /** Status of a throttled answer (gateways sometimes send 503). @default 429 */
  throttleStatus?: 429 | 503;
  /** Send `Retry-After` on throttled answers. @default true */
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

  const server = createServer((req, res) => {
    const now = performance.now();
    const c = countFor(counts, String(req.headers[header] ?? 'anonymous'), phase.name ?? 'default');
    c.requests++;
    counts.requests++;
    const second = Math.floor((now - counts.sinceMs) / 1000);
    while (c.perSecond.length <= second) c.perSecond.push(0);
    c.perSecond[second]!++;
    req.resume();
    if (phase.outage === 'reset') return void req.socket.destroy();
    if (phase.outage === '503') return void answer(res, c, 503, 'outage');
    const verdict = limiter(now);
    if (phase.rateLimitHeaders && verdict.policy && verdict.state) {
      res.setHeader('RateLimit-Policy', verdict.policy);
      res.setHeader('RateLimit', verdict.state);
    }
    if (!verdict.admitted) {
      if (phase.retryAfter !== false) res.setHeader('Retry-After', String(verdict.retryAfterSec));
      return void answer(res, c, phase.throttleStatus ?? 429, 'throttled');
    }
    const failed = errors();
    const delay = latencyMs(phase.latency, random);
    const send = () =>
      failed ? answer(res, c, phase.errorStatus ?? 500, 'errors') : answer(res, c, 200, 'ok');
    if (delay <= 0) send();
    else setTimeout(send, delay);
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
      for (const socket of sockets) socket.destroy();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      listening = false;
    },
  };
  if (options.phase) await upstream.setPhase(options.phase);
  return upstream;
}

interface Verdict {
  admitted: boolean;
  retryAfterSec: number;
  policy?: string;
  state?: string;
}

/** A token bucket or a fixed-window quota, refilled lazily from the clock. */
function makeLimiter(phase: UpstreamPhase, start: number): (now: number) => Verdict {
  const rate = phase.capacity ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(rate)) return () => ({ admitted: true, retryAfterSec: 0 });
  if (phase.limiter === 'window') {
    const windowMs = (phase.windowSec ?? 1) * 1000;
    const quota = Math.max(1, Math.round(rate * (windowMs / 1000)));
    let windowStart = start;
    let used = 0;
    return (now) => {
      if (now - windowStart >= windowMs) {
        windowStart += Math.floor((now - windowStart) / windowMs) * windowMs;
        used = 0;
      }
      const admitted = used < quota;
      if (admitted) used++;
      const resetSec = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
      return {
        admitted,
        retryAfterSec: resetSec,
        policy: `"default";q=${quota};w=${windowMs / 1000}`,
        state: `"default";r=${quota - used};t=${resetSec}`,
      };
    };
  }
  const burst = phase.burst ?? Math.max(1, rate / 10);
  let tokens = burst;
  let last = start;
  return (now) => {
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    const admitted = tokens >= 1;
    if (admitted) tokens -= 1;
    const waitSec = admitted ? 0 : (1 - tokens) / rate;
    return {
      admitted,
      retryAfterSec: Math.max(1, Math.ceil(waitSec)),
      policy: `"default";q=${Math.round(rate)};w=1`,
      state: `"default";r=${Math.floor(tokens)};t=${Math.max(0, Math.ceil(waitSec))}`,
    };
  };
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
  };
  const c = stats.clients[id];
  c.byPhase[phaseName] = (c.byPhase[phaseName] ?? 0) + 1;
  return c;
}

type Outcome = 'ok' | 'throttled' | 'errors' | 'outage';

function answer(res: ServerResponse, c: ClientCounts, status: number, outcome: Outcome): void {
  c[outcome]++;
  c.statuses[status] = (c.statuses[status] ?? 0) + 1;
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
