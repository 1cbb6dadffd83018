/**
 * Rate limiters other people wrote, as the request handler the upstream hands every
 * request to (it only counts): express-rate-limit 8 on express 5, in its three header
 * styles, and @fastify/rate-limit 11 on fastify 5. Each is configured as its README
 * shows, with a fresh in-memory store per run, allowing `limit` requests per
 * `windowSec` for the single client that calls it.
 */

import type { RequestListener } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import express from 'express';
import { rateLimit as expressRateLimit, MemoryStore } from 'express-rate-limit';
import Fastify from 'fastify';

export type RealLimiter = 'erl-draft8' | 'erl-draft6' | 'erl-epoch' | 'fastify';

export interface LimiterApp {
  handler: RequestListener;
  close(): Promise<void>;
}

/** What each limiter says on its answers, for the report. */
export const REAL_LIMITERS: Record<RealLimiter, string> = {
  'erl-draft8':
    'express-rate-limit `standardHeaders: \'draft-8\'`: `RateLimit: "…"; r=…; t=…`, `RateLimit-Policy: "…"; q=…; w=…`, Retry-After on 429',
  'erl-draft6':
    "express-rate-limit `standardHeaders: 'draft-6'`: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds), `RateLimit-Policy`, Retry-After on 429",
  'erl-epoch':
    'express-rate-limit with its default headers: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` as Unix seconds rounded up, Retry-After on 429',
  fastify:
    '@fastify/rate-limit defaults: `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset` (seconds), `retry-after` on 429',
};

export async function startLimiterApp(
  kind: RealLimiter,
  limit: number,
  windowSec: number,
): Promise<LimiterApp> {
  if (kind === 'fastify') {
    const app = Fastify({ logger: false });
    await app.register(rateLimit, { max: limit, timeWindow: windowSec * 1000 });
    app.get('/work', async () => ({ ok: true }));
    await app.ready();
    return { handler: (req, res) => app.routing(req, res), close: () => app.close() };
  }
  const store = new MemoryStore();
  const headers =
    kind === 'erl-epoch'
      ? {} // the defaults: legacyHeaders true, standardHeaders false
      : { standardHeaders: kind === 'erl-draft8' ? 'draft-8' : 'draft-6', legacyHeaders: false };
  const app = express();
  app.disable('x-powered-by');
  app.use(
    expressRateLimit({ windowMs: windowSec * 1000, limit, store, ...headers } as Parameters<
      typeof expressRateLimit
    >[0]),
  );
  app.get('/work', (_req, res) => {
    res.json({ ok: true });
  });
  return {
    handler: app as unknown as RequestListener,
    close: async () => store.shutdown(),
  };
}
