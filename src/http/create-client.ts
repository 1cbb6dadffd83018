/**
 * `createClient(options)`: a ky instance whose every request runs through a per-origin
 * resilience pipeline, plus `health()`, `onEvent()` and `on()`. ky's own retry loop and
 * timers are off; selfheal's pipeline owns them, through ky's `fetch` option.
 */
import ky, { type BeforeErrorHook, type KyInstance, type Options as KyOptions } from 'ky';
import { type Disposer, EventHub, type EventOf } from '../core/internal.js';
import { type ClientHealth, Engine } from './engine.js';
import type { HttpEvent, HttpEventMap } from './events.js';
import type { ClientOptions } from './options.js';
import { overridesHook } from './request-overrides.js';
import { resolveOptions } from './resolve-options.js';

type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

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
  /** ky's `extend`: new defaults, same resilience state (origins, breakers, budgets). */
  extend(defaults: KyOptions | ((parent: KyOptions) => KyOptions)): SelfhealClient;
}

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
  'alarms',
  'onAlarm',
  'onEvent',
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
  const instance = ky.create({
    ...(kyOptions as KyOptions),
    fetch: engine.fetchVia(fetchImpl),
    hooks: {
      ...hooks,
      init: [...(hooks.init ?? []), overridesHook(config.retry)],
      beforeError: [attachAttempts, ...(hooks.beforeError ?? [])],
    },
  });
  return decorate(instance, engine, hub);
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

function decorate(
  instance: KyInstance,
  engine: Engine,
  hub: EventHub<HttpEventMap>,
): SelfhealClient {
  const client = instance as unknown as SelfhealClient;
  const extend = instance.extend;
  client.health = () => engine.health();
  client.onEvent = (listener) => hub.onEvent(listener);
  client.on = (type, listener) => hub.on(type, listener);
  client.extend = (defaults) => {
    const keepResilient = (o: KyOptions): KyOptions =>
      o && typeof o.fetch === 'function'
        ? { ...o, fetch: engine.fetchVia(o.fetch as FetchLike) as KyOptions['fetch'] }
        : o;
    const next =
      typeof defaults === 'function'
        ? (parent: KyOptions) => keepResilient(defaults(parent))
        : keepResilient(defaults);
    return decorate(extend(next), engine, hub);
  };
  return client;
}

/** The attempts a request made, from the error it failed with (ky's HTTPError, NetworkError, …). */
export function attemptsOf(error: unknown): number | undefined {
  const attempts = (error as { attempts?: unknown } | null)?.attempts;
  return typeof attempts === 'number' ? attempts : undefined;
}
