/**
 * The options of a stream processor, validated once when it is built: how many attempts
 * make a record poison, where poison goes, how many records run at once, how close to a
 * deadline a batch may go.
 */
import {
  type Clock,
  enumOption,
  memoryStore,
  optionalNumber,
  type Store,
  systemClock,
} from '../core/internal.js';
import {
  type RedactOptions,
  type Redactor,
  type Registry,
  toRedactor,
} from '../telemetry/internal.js';
import type { DeadLetterSink } from './types.js';

/** What to do with a record that failed `maxAttempts` times. */
export type OnPoison = 'dead-letter' | 'skip';

/** Options of {@link streamProcessor} (and of {@link processBatch}, but `registry`). */
export interface StreamProcessorOptions<R = unknown> {
  /** The name in events, health and the service map; part of the attempt-counter keys. @default 'stream' */
  name?: string;
  /** Attempts after which a failing record is poison. An integer ≥ 1. @default 3 */
  maxAttempts?: number;
  /** `'dead-letter'` hands poison to `deadLetter`; `'skip'` drops it with an event. @default 'dead-letter' */
  onPoison?: OnPoison;
  /** Where poison records go: a function, `redisStreamSink()`, `sqsSink()`. Required with `onPoison: 'dead-letter'`. */
  deadLetter?: DeadLetterSink<R>;
  /** Errors that can never succeed (a validation error): poison at once, whatever the count. @default none */
  isPoison?: (error: unknown, record: R) => boolean;
  /** Where attempts are counted (its `counters`): `redisStore()` shares them across a fleet. @default memoryStore() */
  store?: Store;
  /** An attempt count expires this long after the record's last failure. @default 86_400_000 */
  attemptTtlMs?: number;
  /** Records (or ordered groups) handled at once. `1` is strictly sequential. @default 10 */
  concurrency?: number;
  /** A record's handler is aborted and the record failed after this long. @default Infinity */
  recordTimeoutMs?: number;
  /** With a deadline: records in hand are aborted and the batch returns this long before it. @default 100 */
  deadlineMarginMs?: number;
  /** Redaction of errors in dead letters and histories. @default createRedactor() */
  redact?: RedactOptions | Redactor;
  /** Joins this service-map registry as kind `stream`. @default none */
  registry?: Registry;
  /** @default systemClock */
  clock?: Clock;
}

/** Options after validation. */
export interface ResolvedOptions<R> {
  name: string;
  maxAttempts: number;
  onPoison: OnPoison;
  deadLetter: DeadLetterSink<R> | undefined;
  isPoison: ((error: unknown, record: R) => boolean) | undefined;
  store: Store;
  attemptTtlMs: number;
  concurrency: number;
  recordTimeoutMs: number;
  deadlineMarginMs: number;
  redactor: Redactor;
  registry: Registry | undefined;
  clock: Clock;
}

/** Validates `options`; throws a TypeError or RangeError naming the option. */
export function resolveOptions<R>(options: StreamProcessorOptions<R> = {}): ResolvedOptions<R> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected stream processor `options` to be an object');
  const name = options.name ?? 'stream';
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`Expected \`name\` to be a non-empty string, got ${typeof name}`);
  const onPoison = enumOption('onPoison', options.onPoison, ['dead-letter', 'skip'], 'dead-letter');
  const deadLetter = optionalFunction<DeadLetterSink<R>>('deadLetter', options.deadLetter);
  if (onPoison === 'dead-letter' && !deadLetter)
    throw new TypeError(
      "Expected `deadLetter` (a function, redisStreamSink() or sqsSink()) with `onPoison: 'dead-letter'`; pass `onPoison: 'skip'` to drop poison records instead",
    );
  const store = options.store ?? memoryStore({ clock: options.clock });
  if (typeof store?.counters?.increment !== 'function')
    throw new TypeError('Expected `store` to be a selfheal Store (memoryStore(), redisStore())');
  const registry = options.registry;
  if (registry !== undefined && typeof registry?.register !== 'function')
    throw new TypeError('Expected `registry` to be a service-map registry (createRegistry())');
  return {
    name,
    maxAttempts: optionalNumber('maxAttempts', options.maxAttempts, 3, { min: 1, integer: true }),
    onPoison,
    deadLetter,
    isPoison: optionalFunction<(error: unknown, record: R) => boolean>(
      'isPoison',
      options.isPoison,
    ),
    store,
    attemptTtlMs: optionalNumber('attemptTtlMs', options.attemptTtlMs, 86_400_000, { min: 1 }),
    concurrency: optionalNumber('concurrency', options.concurrency, 10, { min: 1, integer: true }),
    recordTimeoutMs: optionalNumber(
      'recordTimeoutMs',
      options.recordTimeoutMs,
      Number.POSITIVE_INFINITY,
      { min: 0, exclusiveMin: true, allowInfinity: true },
    ),
    deadlineMarginMs: optionalNumber('deadlineMarginMs', options.deadlineMarginMs, 100, { min: 0 }),
    redactor: toRedactor(options.redact),
    registry,
    clock: options.clock ?? systemClock,
  };
}

function optionalFunction<F>(name: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`${name}\` to be a function, got ${typeof value}`);
  return value as F;
}
