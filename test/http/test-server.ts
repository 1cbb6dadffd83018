/**
 * A small scriptable HTTP server on 127.0.0.1 for end-to-end tests: per-path scripts of
 * answers (status, headers, body, delays, connection resets), a log of every request it
 * received, and CORS headers (Retry-After and quota headers exposed) for the browser.
 * Built-in scenario routes (`/scenario/...`) let a browser test script it through the URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface Hit {
  method: string;
  path: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Wall-clock ms when it arrived. */
  at: number;
  body: string;
}

/** One scripted answer. */
export type Step =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { reset: 'before-headers' | 'mid-body' }
  | { hang: true };

/** A custom handler: full control, for stateful servers (rate limits). */
export type Handler = (hit: Hit, res: http.ServerResponse, n: number) => void;

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly hits: Hit[];
  /** Requests received on `path` (query ignored). */
  hitsTo(path: string): Hit[];
  /** The nth request to `path` gets `steps[n]` (the last step repeats). */
  reply(path: string, ...steps: Step[]): void;
  /** A handler for `path`. */
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

const EXPOSED =
  'Retry-After, RateLimit, RateLimit-Policy, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, selfheal-degraded';

/** Starts a server on 127.0.0.1 and an ephemeral port. */
export async function startTestServer(): Promise<TestServer> {
  const hits: Hit[] = [];
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-expose-headers', EXPOSED);
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, HEAD');
        res.setHeader(
          'access-control-allow-headers',
          req.headers['access-control-request-headers'] ?? '*',
        );
        res.setHeader('access-control-max-age', '600');
        res.writeHead(204).end();
        return;
      }
      const url = req.url ?? '/';
      const path = url.split('?')[0]!;
      const hit: Hit = {
        method: req.method ?? 'GET',
        path,
        url,
        headers: req.headers,
        at: Date.now(),
        body: Buffer.concat(chunks).toString(),
      };
      hits.push(hit);
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const handler = handlers.get(path) ?? scenario(path, hits);
      if (handler) handler(hit, res, n);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no route');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    hitsTo: (path) => hits.filter((h) => h.path === path),
    reply(path, ...steps) {
      handlers.set(path, (_hit, res, n) => play(steps[Math.min(n, steps.length - 1)]!, res));
    },
    route(path, handler) {
      handlers.set(path, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Plays one scripted step. */
export function play(step: Step, res: http.ServerResponse): void {
  if ('hang' in step) return;
  if ('reset' in step) {
    if (step.reset === 'before-headers') {
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"partial":');
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  const send = () =>
    res
      .writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
      .end(step.body ?? JSON.stringify({ status: step.status }));
  if (step.delayMs) setTimeout(send, step.delayMs);
  else send();
}

/**
 * URL-scripted scenarios for the browser: `/scenario/<kind>/<id>`.
 * - `fail-then-ok/<id>?status=503&times=2`: `times` answers of `status`, then 200
 * - `retry-after/<id>?seconds=1`: one 429 with `Retry-After: seconds`, then 200 with the gap the server measured
 * - `hits/<id>`: how many requests the scenario `<id>` received
 */
function scenario(path: string, hits: Hit[]): Handler | undefined {
  const [, root, kind, id] = path.split('/');
  if (root !== 'scenario' || !kind || !id) return undefined;
  return (hit, res) => {
    const q = new URL(hit.url, 'http://x').searchParams;
    const mine = hits.filter((h) => h.path === path);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    if (kind === 'hits')
      return json(200, {
        hits: hits.filter((h) => h.path.endsWith(`/${id}`) && !h.path.startsWith('/scenario/hits/'))
          .length,
      });
    if (kind === 'fail-then-ok') {
      const times = Number(q.get('times') ?? 1);
      if (mine.length <= times)
        return json(Number(q.get('status') ?? 503), { attempt: mine.length });
      return json(200, { attempt: mine.length });
    }
    if (kind === 'retry-after') {
      if (mine.length === 1)
        return json(429, { attempt: 1 }, { 'retry-after': q.get('seconds') ?? '1' });
      return json(200, { attempt: mine.length, gapMs: hit.at - mine[0]!.at });
    }
    json(404, { error: 'unknown scenario' });
  };
}
