/**
 * Graceful degradation when a request fails for good: the last good answer of a GET
 * (stale-if-error), else the user's `fallback(error, request)`. Whatever is served
 * carries a `selfheal-degraded` header saying why.
 */
import type { FallbackHandler } from './options.js';
import type { StaleCache } from './stale-cache.js';

/** What was served instead, and why. */
export interface Degraded {
  response: Response;
  reason: 'stale-if-error' | 'fallback';
  ageMs?: number;
}

/**
 * Whether a failure may be masked: the origin failed (5xx, 408, 429, network, timeout,
 * open breaker, spent budget), not the caller (an abort, its own `maxBodyBytes`) nor the
 * request (4xx).
 */
export function isOriginFailure(error: unknown, response: Response | undefined): boolean {
  if (response) return response.status >= 500 || response.status === 408 || response.status === 429;
  const name = (error as { name?: unknown } | null)?.name;
  return name !== 'AbortError' && name !== 'BodyTooLargeError';
}

/** Serves a degraded answer for `request`, or `undefined` when there is none. */
export async function degrade(
  request: Request,
  error: unknown,
  stale: StaleCache | undefined,
  fallback: FallbackHandler | undefined,
  now: number,
): Promise<Degraded | undefined> {
  if (stale && request.method === 'GET') {
    const hit = stale.serve(request, now);
    if (hit) return { response: hit.response, reason: 'stale-if-error', ageMs: hit.ageMs };
  }
  if (!fallback) return undefined;
  const value = await fallback(error, request);
  if (value === undefined) return undefined;
  return { response: marked(value), reason: 'fallback' };
}

function marked(value: unknown): Response {
  if (value instanceof Response) {
    const headers = new Headers(value.headers);
    headers.set('selfheal-degraded', 'fallback');
    return new Response(value.body, {
      status: value.status,
      statusText: value.statusText,
      headers,
    });
  }
  return new Response(JSON.stringify(value), {
    status: 200,
    headers: { 'content-type': 'application/json', 'selfheal-degraded': 'fallback' },
  });
}
