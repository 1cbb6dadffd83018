/**
 * The client's events: every core event (from the per-origin policies) tagged with the
 * origin, plus request-level events. An {@link OriginHub} tags events on their way to
 * the client's hub and reports "nobody listens" through, so policies skip the work.
 */
import { type CoreEventMap, EventHub, type SelfhealEvent } from '../core/internal.js';
import { AttemptFailure } from './attempt-failure.js';
import type { Alarm } from './options.js';

/** Fields request-level events carry. */
export interface RequestInfo {
  origin: string;
  method: string;
  /** The URL without query string or fragment. */
  url: string;
}

/** Request-level events, by `type`. */
export interface HttpOnlyEventMap {
  /** An attempt got an answer. `verdict` says what the client made of it. */
  response: RequestInfo & {
    attempt: number;
    status: number;
    durationMs: number;
    verdict: 'ok' | 'retry' | 'fail';
  };
  /** The request ended: `status` of the answer the caller got (0 for an error). */
  settled: RequestInfo & { attempts: number; status: number; durationMs: number; error?: unknown };
  /** A degraded answer was served instead of a failure. */
  degraded: RequestInfo & { reason: 'stale-if-error' | 'fallback'; error: unknown; ageMs?: number };
  /** The origin's self-throttle rate changed. */
  'rate-changed': {
    origin: string;
    from: number | null;
    to: number | null;
    reason: 'throttled' | 'recovered' | 'quota';
  };
  /** A human should hear about this. */
  alarm: Alarm;
}

/** Core events plus request-level ones. Core events carry `origin`, and `method`/`url`/`status` when known. */
export type HttpEventMap = {
  [K in keyof CoreEventMap]: CoreEventMap[K] & {
    origin?: string;
    method?: string;
    url?: string;
    status?: number;
  };
} & HttpOnlyEventMap;

/** Any client event. */
export type HttpEvent = SelfhealEvent<HttpEventMap>;

/** Strips query and fragment: events never carry tokens from URLs. */
export function stripQuery(url: string): string {
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

/** Receives an origin's policy events, tags them and passes them to the client's hub. */
export class OriginHub extends EventHub<CoreEventMap> {
  readonly #origin: string;
  readonly #client: EventHub<HttpEventMap>;

  constructor(origin: string, client: EventHub<HttpEventMap>) {
    super();
    this.#origin = origin;
    this.#client = client;
  }

  override get listening(): boolean {
    return this.#client.listening;
  }

  override emit(event: SelfhealEvent<CoreEventMap>): void {
    const tagged: Record<string, unknown> = { ...event, origin: this.#origin };
    const error = (event as { error?: unknown }).error;
    if (error instanceof AttemptFailure) {
      tagged.error = error.cause;
      if (error.request) {
        tagged.method = error.request.method;
        tagged.url = stripQuery(error.request.url);
      }
      if (error.response) tagged.status = error.response.status;
    }
    this.#client.emit(tagged as unknown as HttpEvent);
  }
}
