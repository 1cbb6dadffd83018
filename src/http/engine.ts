/**
 * The client's shared state: one {@link OriginState} per origin, the stale cache, the
 * event hub and the attempt counts ky's errors are tagged with. `fetchVia(f)` gives the
 * resilient fetch ky calls, sending attempts through `f`.
 */
import type { EventHub, TimeoutPolicy } from '../core/internal.js';
import type { AttemptHook } from './attempt-hook.js';
import type { HttpEventMap } from './events.js';
import type { Alarm } from './options.js';
import { originOf } from './origin-of.js';
import { type OriginHealth, OriginState } from './origin-state.js';
import { OriginTable } from './origin-table.js';
import { declaredLength, readCapped } from './read-body.js';
import { OVERRIDES, type RequestOverrides } from './request-overrides.js';
import { requestTarget } from './request-target.js';
import type { Resolved } from './resolve-options.js';
import { runRequest } from './run-request.js';
import { StaleCache } from './stale-cache.js';

type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;
type Scope = 'attempt' | 'deadline';

/** How one ky instance's requests are sent: what every client extended from the same one may change. */
export interface Via {
  /** The fetch each attempt goes through. */
  fetch: FetchLike;
  /** `fetch` is the platform's, which blocks the Fetch standard's bad ports. */
  platform: boolean;
  /** Called for every attempt (see attempt-hook.ts). */
  onAttempt: AttemptHook | undefined;
}

/** The health of every origin the client has talked to, as plain JSON. */
export interface ClientHealth {
  /** Clock time of the snapshot. */
  at: number;
  origins: Record<string, OriginHealth>;
  /** Answers kept for stale-if-error (0 when it is off). */
  staleEntries: number;
}

/** Shared state of one client and everything extended from it. */
export class Engine {
  /** Per-origin state, at most `maxOrigins` idle ones (least recently used dropped first). */
  readonly origins: OriginTable<OriginState>;
  readonly #newOrigin = (origin: string) =>
    new OriginState(origin, this.config, this.hub, this.#deliver);
  readonly stale: StaleCache | undefined;
  /** Attempts made, by the Response or error the caller got. */
  readonly attempts = new WeakMap<object, number>();
  readonly #deliver: (alarm: Alarm) => void;
  /** Each origin's attempt-timeout and deadline policies for the client's own limits. */
  readonly #timeouts = new WeakMap<OriginState, Partial<Record<Scope, TimeoutPolicy>>>();

  constructor(
    readonly config: Resolved,
    readonly hub: EventHub<HttpEventMap>,
  ) {
    this.origins = new OriginTable(config.maxOrigins);
    const stale = config.staleIfError;
    this.stale = stale && new StaleCache(stale);
    this.#deliver = (alarm) => {
      if (hub.listening) hub.emit({ type: 'alarm', source: 'http', ...alarm });
      if (config.onAlarm) {
        try {
          config.onAlarm(alarm);
        } catch (error) {
          (globalThis as { reportError?: (e: unknown) => void }).reportError?.(error);
        }
      }
    };
  }

  /**
   * The fetch function ky calls: every request goes through its origin's pipeline, attempts
   * through `via.fetch` (and its hook); a URL fetch would refuse fails first (see
   * request-target.ts).
   */
  fetchVia(via: Via): (input: Request | string | URL, init?: RequestInit) => Promise<Response> {
    const f = via.fetch;
    return (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const origin = originOf(request.url);
      const target = requestTarget(request.url, origin, via.platform);
      let rest = init;
      let overrides: RequestOverrides | undefined;
      if (init && OVERRIDES in init) {
        const { [OVERRIDES]: o, ...others } = init as RequestInit & {
          [OVERRIDES]?: RequestOverrides;
        };
        overrides = o;
        rest = others;
      }
      if (target === 'local') return f(request, rest);
      if (target !== 'http') return Promise.reject(target);
      const state = this.origins.obtain(origin, this.#newOrigin);
      return runRequest(this, state, request, rest, overrides, via);
    };
  }

  /**
   * `state.timeoutPolicy(ms, scope)`, remembered per origin for the client's own `timeout`
   * and `totalTimeout` (what nearly every request uses), so a request skips the keyed lookup.
   * Only a policy the origin itself keeps (the same instance twice) is remembered.
   */
  timeoutPolicy(state: OriginState, ms: number, scope: Scope): TimeoutPolicy {
    if (ms !== (scope === 'attempt' ? this.config.timeout : this.config.totalTimeout))
      return state.timeoutPolicy(ms, scope);
    let mine = this.#timeouts.get(state);
    const known = mine?.[scope];
    if (known) return known;
    const policy = state.timeoutPolicy(ms, scope);
    if (state.timeoutPolicy(ms, scope) === policy) {
      if (!mine) {
        mine = {};
        this.#timeouts.set(state, mine);
      }
      mine[scope] = policy;
    }
    return policy;
  }

  /** Keeps a copy of a good GET answer for stale-if-error, when a shared cache may keep it. */
  remember(request: Request, response: Response, now: number): void {
    const stale = this.stale;
    if (!stale) return;
    const rule = stale.rule(request, response);
    // Too large by its own account: not even cloned (a clone of bytes in memory is a copy).
    const declared = declaredLength(response.headers);
    if (!rule || (declared !== undefined && declared > stale.maxBytes)) {
      stale.forget(request.url);
      return;
    }
    readCapped(response.clone(), stale.maxBytes)
      .then((body) => {
        if (body instanceof Uint8Array) stale.store(request, response, { body, rule, at: now });
        else stale.forget(request.url);
      })
      .catch(() => undefined);
  }

  /** A fresh Idempotency-Key. */
  newKey(): string {
    const c = globalThis.crypto;
    if (typeof c?.randomUUID === 'function') return c.randomUUID();
    const bytes = c.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Every origin's health. */
  health(): ClientHealth {
    const origins: Record<string, OriginHealth> = {};
    for (const [origin, state] of this.origins) origins[origin] = state.health();
    return { at: this.config.clock.now(), origins, staleEntries: this.stale?.size ?? 0 };
  }
}
