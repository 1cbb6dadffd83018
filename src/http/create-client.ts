/**
 * `createClient(options)`: a ky instance whose every request runs through a per-origin
 * resilience pipeline, plus `health()`, `onEvent()` and `on()`. ky's own retry loop and
 * timers are off; selfheal's pipeline owns them, through ky's `fetch` option.
 */
import ky, { type BeforeErrorHook, type KyInstance, type Options as KyOptions } from 'ky';
import { type Disposer, EventHub, type EventOf } from '../core/internal.js';
import { type AttemptHook, attemptHook } from './attempt-hook.js';
import { type ClientHealth, Engine, type Via } from './engine.js';
import type { HttpEvent, HttpEventMap } from './events.js';
import type { ClientOptions } from './options.js';
import { overridesHook } from './request-overrides.js';
import { resolveOptions } from './resolve-options.js';

type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;
type SentFetch = ReturnType<Engine['fetchVia']>;

/** What `createClient` adds to a ky instance. */
export interface SelfhealClientExtras {
  /** Every origin's rate, tokens, breaker, in-flight, queue, budget and counters, as plain JSON. */
  health(): ClientHealth;
  /** Listens to every event (core and request-level); returns a disposer. */
  onEvent(listener: (event: HttpEvent) => void): Disposer;
  /** Listens to events of one `type`; returns a disposer. */
  on<K extends keyof HttpEventMap & string>(
    type: K,
    listener: (event: EventOf<K, HttpEventMap>) => void,
  ): Disposer;
  /**
   * ky's `extend`: new defaults, same resilience state (origins, breakers, budgets); also
   * takes `onAttempt` (a hook for the new client's attempts; `false` for none).
   */
  extend(defaults: ExtendOptions | ((parent: KyOptions) => ExtendOptions)): SelfhealClient;
}

/** What `extend` takes: ky's options, plus a per-attempt hook for the new client. */
export type ExtendOptions = KyOptions & { onAttempt?: AttemptHook | false };

/** A ky instance with resilience: everything ky users write keeps working. */
export type SelfhealClient = SelfhealClientExtras & KyInstance;

const RESILIENCE_KEYS = [
  'throttle',
  'retry',
  'timeout',
  'totalTimeout',
  'breaker',
  'bulkhead',
  'idempotencyKey',
  'fallback',
  'staleIfError',
  'bufferBody',
  'maxBodyBytes',
  'maxOrigins',
  'alarms',
  'onAlarm',
  'onEvent',
  'onAttempt',
  'registry',
  'name',
  'clock',
  'random',
] as const;

/**
 * Creates a resilient ky instance. Options are ky's own plus the resilience settings
 * (see {@link ClientOptions}); invalid ones throw a TypeError or RangeError naming them.
 */
export function createClient(options: ClientOptions = {}): SelfhealClient {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected `options` to be an object');
  const config = resolveOptions(options);
  const hub = new EventHub<HttpEventMap>();
  if (options.onEvent !== undefined) {
    if (typeof options.onEvent !== 'function')
      throw new TypeError('Expected `onEvent` to be a function');
    hub.onEvent(options.onEvent);
  }
  const engine = new Engine(config, hub);
  joinServiceMap(options, engine, hub);
  const kyOptions: Record<string, unknown> = { ...options };
  for (const key of RESILIENCE_KEYS) delete kyOptions[key];
  const userFetch = options.fetch as FetchLike | undefined;
  // Resolved at call time, so a fetch patched later (msw, test doubles) is used.
  const fetchImpl: FetchLike = userFetch ?? ((input, init) => globalThis.fetch(input, init));
  const attachAttempts: BeforeErrorHook = ({ error }) => {
    const key =
      (error as { response?: Response }).response ?? (error.cause as object | undefined) ?? error;
    const attempts = engine.attempts.get(key) ?? engine.attempts.get(error);
    if (attempts !== undefined) Object.assign(error, { attempts });
    return error;
  };
  const hooks = options.hooks ?? {};
  const via: Via = {
    fetch: fetchImpl,
    platform: userFetch === undefined,
    onAttempt: config.onAttempt,
  };
  const sent = engine.fetchVia(via);
  const instance = ky.create({
    ...(kyOptions as KyOptions),
    fetch: sent,
    hooks: {
      ...hooks,
      init: [...(hooks.init ?? []), overridesHook(config.retry)],
      beforeError: [attachAttempts, ...(hooks.beforeError ?? [])],
    },
  });
  return decorate(instance, engine, hub, via, sent);
}

/** Joins `options.registry`, when given, as one `http` dependency. */
function joinServiceMap(options: ClientOptions, engine: Engine, hub: EventHub<HttpEventMap>): void {
  const { registry, name } = options;
  if (name !== undefined && (typeof name !== 'string' || name === ''))
    throw new TypeError('Expected `name` to be a non-empty string');
  if (registry === undefined) return;
  if (typeof registry?.register !== 'function')
    throw new TypeError('Expected `registry` to be a service-map registry (createRegistry())');
  const base =
    (options as { baseUrl?: unknown; prefixUrl?: unknown }).baseUrl ??
    (options as { prefixUrl?: unknown }).prefixUrl;
  let fallback = 'http';
  try {
    if (base !== undefined) fallback = new URL(String(base)).origin;
  } catch {
    // A relative base (browsers): keep 'http'.
  }
  registry.register({
    name: name ?? fallback,
    kind: 'http',
    health: () => engine.health(),
    events: hub,
  });
}

/**
 * Adds the extras to a ky instance whose requests go `via` (through `sent`, the resilient
 * fetch ky holds), and an `extend` that keeps them: a new `fetch` or `onAttempt` makes a
 * new way in to the same engine.
 */
function decorate(
  instance: KyInstance,
  engine: Engine,
  hub: EventHub<HttpEventMap>,
  via: Via,
  sent: SentFetch,
): SelfhealClient {
  const client = instance as unknown as SelfhealClient;
  const extend = instance.extend;
  client.health = () => engine.health();
  client.onEvent = (listener) => hub.onEvent(listener);
  client.on = (type, listener) => hub.on(type, listener);
  client.extend = (defaults) => {
    let nextVia = via;
    let nextSent = sent;
    const keepResilient = (o: ExtendOptions): KyOptions => {
      if (!o) return o;
      const { onAttempt, ...rest } = o;
      // The parent's own resilient fetch (a function of defaults passes it back) is not a new one.
      const fetch =
        typeof rest.fetch === 'function' && rest.fetch !== sent ? rest.fetch : undefined;
      if (fetch === undefined && onAttempt === undefined) return rest;
      nextVia = {
        fetch: (fetch as FetchLike | undefined) ?? via.fetch,
        platform: fetch === undefined && via.platform,
        onAttempt: onAttempt === undefined ? via.onAttempt : attemptHook(onAttempt),
      };
      nextSent = engine.fetchVia(nextVia);
      return { ...rest, fetch: nextSent as KyOptions['fetch'] };
    };
    // ky calls a function of defaults at once, so `nextVia` is known when decorate runs.
    const next =
      typeof defaults === 'function'
        ? (parent: KyOptions) => keepResilient(defaults(parent))
        : keepResilient(defaults);
    return decorate(extend(next), engine, hub, nextVia, nextSent);
  };
  return client;
}

/** The attempts a request made, from the error it failed with (ky's HTTPError, NetworkError, …). */
export function attemptsOf(error: unknown): number | undefined {
  const attempts = (error as { attempts?: unknown } | null)?.attempts;
  return typeof attempts === 'number' ? attempts : undefined;
}
