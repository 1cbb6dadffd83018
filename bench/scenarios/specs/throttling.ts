/**
 * Scenarios where the upstream pushes back: overload past a token bucket, a throttling
 * storm that invites a wait, a first burst against a limit nobody told the client, and
 * a quota advertised in the IETF RateLimit headers.
 */
import type { ScenarioParams, ScenarioSpec } from '../types.js';

export const latency = (p: ScenarioParams) => ({ medianMs: p.latencyMs ?? 0, sigma: 0.5 });

export const overload: ScenarioSpec = {
  id: 'overload',
  title: 'Overload',
  summary:
    'The upstream admits `capacity` req/s (token bucket, burst capacity/10; over it: `throttleStatus` — 429, ' +
    'or 503 as some gateways — with Retry-After). Open-loop arrivals at `loadFactor` × capacity for `durationMs`.',
  defaults: { durationMs: 6_000, capacity: 100, loadFactor: 3, latencyMs: 5, throttleStatus: 429 },
  quick: { durationMs: 1_500, capacity: 100, loadFactor: 3, latencyMs: 5, throttleStatus: 429 },
  load: 'open',
  capacity: (p) => p.capacity,
  documented: true,
  rate: (p) => p.capacity! * p.loadFactor!,
  phases: (p) => [
    {
      name: 'overload',
      durationMs: p.durationMs!,
      phase: {
        capacity: p.capacity,
        throttleStatus: p.throttleStatus === 503 ? 503 : 429,
        latency: latency(p),
      },
    },
  ],
};

export const storm: ScenarioSpec = {
  id: 'storm',
  title: 'Throttling storm',
  summary:
    '`concurrency` GETs at once. For `stormMs` the upstream answers every request 429 with ' +
    '`Retry-After: retryAfterSec`, then serves `capacity` req/s (token bucket, burst capacity/10, 429 + ' +
    'Retry-After over it). Every client sets a total timeout of `deadlineMs` (selfheal and ky: `totalTimeout`; ' +
    'fetch, p-retry, cockatiel: an `AbortSignal.timeout`); the caller gives up 1 s later as a backstop. ' +
    '`late` counts calls that ended more than 200 ms after their total timeout.',
  defaults: {
    concurrency: 200,
    stormMs: 3_000,
    retryAfterSec: 1,
    capacity: 100,
    deadlineMs: 8_000,
    latencyMs: 5,
  },
  quick: {
    concurrency: 100,
    stormMs: 1_500,
    retryAfterSec: 1,
    capacity: 100,
    deadlineMs: 5_000,
    latencyMs: 5,
  },
  load: 'burst',
  capacity: (p) => p.capacity,
  documented: false,
  rate: () => 0,
  settings: (p) => ({ totalTimeoutMs: p.deadlineMs }),
  phases: (p) => [
    {
      name: 'storm',
      durationMs: p.stormMs!,
      phase: { throttleAll: true, retryAfterSec: p.retryAfterSec },
    },
    {
      name: 'serving',
      durationMs: Number.POSITIVE_INFINITY,
      phase: { capacity: p.capacity, latency: latency(p) },
    },
  ],
};

export const firstBurst: ScenarioSpec = {
  id: 'first-burst',
  title: 'First burst',
  summary:
    '`concurrency` GETs at once against an API limited to `capacity` req/s (token bucket, burst `burst`, ' +
    '429 without Retry-After), which no client is told. Every client sets a retry limit of `retryLimit` ' +
    '(where it has one) and a total timeout of `deadlineMs`. When every call of the first wave has settled ' +
    'and `gapMs` passed, the same client sends a second wave (the rate learned, if it learns one).',
  defaults: {
    concurrency: 120,
    capacity: 20,
    burst: 20,
    retryLimit: 30,
    deadlineMs: 60_000,
    waves: 2,
    gapMs: 1_000,
    latencyMs: 5,
  },
  quick: {
    concurrency: 60,
    capacity: 20,
    burst: 20,
    retryLimit: 30,
    deadlineMs: 30_000,
    waves: 2,
    gapMs: 1_000,
    latencyMs: 5,
  },
  load: 'burst',
  capacity: (p) => p.capacity,
  documented: false,
  rate: () => 0,
  settings: (p) => ({ totalTimeoutMs: p.deadlineMs, retryLimit: p.retryLimit }),
  phases: (p) => [
    {
      name: 'limited',
      durationMs: Number.POSITIVE_INFINITY,
      phase: { capacity: p.capacity, burst: p.burst, retryAfter: false, latency: latency(p) },
    },
  ],
};

export const rateLimit: ScenarioSpec = {
  id: 'rate-limit',
  title: 'Rate-limit headers',
  summary:
    'The upstream grants a quota of capacity × `windowSec` requests per fixed window and advertises it ' +
    '(`RateLimit-Policy: "default";q=…;w=…` and `RateLimit: "default";r=…;t=…` on every answer; 429 with ' +
    'Retry-After over it). Open-loop arrivals at `loadFactor` × capacity.',
  defaults: { durationMs: 6_000, capacity: 50, loadFactor: 1.5, windowSec: 2, latencyMs: 5 },
  quick: { durationMs: 1_500, capacity: 50, loadFactor: 1.5, windowSec: 1, latencyMs: 5 },
  load: 'open',
  capacity: (p) => p.capacity,
  documented: false,
  rate: (p) => p.capacity! * p.loadFactor!,
  phases: (p) => [
    {
      name: 'rate-limit',
      durationMs: p.durationMs!,
      phase: {
        capacity: p.capacity,
        limiter: 'window',
        windowSec: p.windowSec,
        rateLimitHeaders: true,
        latency: latency(p),
      },
    },
  ],
};
