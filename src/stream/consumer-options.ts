/**
 * The options of {@link consumeStream}, validated when the consumer is created.
 */
import {
  type Clock,
  enumOption,
  optionalNumber,
  type RandomSource,
  systemClock,
  systemRandom,
} from '../core/internal.js';
import type { RedactOptions, Redactor, Registry } from '../telemetry/internal.js';
import type { OnPoison } from './options.js';
import type { RedisConnection } from './redis-client.js';
import type { RecordHandler } from './types.js';

/** One entry of a Redis stream, as the handler receives it. */
export interface StreamEntry {
  /** The entry id (`<ms>-<seq>`). */
  readonly id: string;
  /** The fields as an object (a repeated field name keeps its last value). */
  readonly fields: Readonly<Record<string, string>>;
  /** The fields as Redis holds them: `[name, value, name, value, …]`. */
  readonly pairs: readonly string[];
  /** This delivery's number (1 on the first read; XPENDING's count after a claim). */
  readonly deliveries: number;
}

/** Options of {@link consumeStream}. */
export interface ConsumeStreamOptions {
  /** An ioredis client; the consumer opens its own connection with `duplicate()` for blocking reads. */
  redis: RedisConnection;
  /** The stream's key. */
  stream: string;
  /** The consumer group (created at `startId` when missing, with the stream). */
  group: string;
  /** This consumer's name in the group: stable across restarts of the same worker. */
  consumer: string;
  /** Handles one entry; a throw leaves it pending, to be delivered again. */
  handler: RecordHandler<StreamEntry>;
  /** Deliveries after which a failing entry is poison. An integer ≥ 1. @default 3 */
  maxDeliveries?: number;
  /** Where poison entries go (moved atomically: XACK + XADD). Required unless `onPoison: 'skip'`. */
  deadLetterStream?: string;
  /** `'dead-letter'` moves poison to `deadLetterStream`; `'skip'` acknowledges and drops it. @default 'dead-letter' */
  onPoison?: OnPoison;
  /** Errors that can never succeed: poison on their first failure. @default none */
  isPoison?: (error: unknown, entry: StreamEntry) => boolean;
  /** Entries pending longer than this (a crashed consumer's, or failed ones) are taken over and retried. @default 30_000 */
  claimIdleMs?: number;
  /** Entries read (and claimed) per batch. @default 100 */
  batchSize?: number;
  /** Entries handled at once within a batch. @default 10 */
  concurrency?: number;
  /** How long one blocking read waits for new entries. @default 2_000 */
  blockMs?: number;
  /**
   * A handler running longer is aborted and its entry failed. Every batch also stops at
   * `claimIdleMs` (past it another consumer may take its entries over). @default Infinity
   */
  recordTimeoutMs?: number;
  /** Where a group created by the consumer starts: `'0'` (the whole stream) or `'$'` (new entries). @default '0' */
  startId?: string;
  /** The name in events, health and the service map. @default `${stream}/${group}` */
  name?: string;
  /** Redaction of errors written into dead letters. @default createRedactor() */
  redact?: RedactOptions | Redactor;
  /** Joins this service-map registry as kind `stream`. @default none */
  registry?: Registry;
  /** @default systemClock */
  clock?: Clock;
  /** Jitter of the reconnect backoff. @default Math.random */
  random?: RandomSource;
}

/** Validated options. */
export type ResolvedConsumerOptions = Required<
  Omit<ConsumeStreamOptions, 'deadLetterStream' | 'isPoison' | 'redact' | 'registry'>
> &
  Pick<ConsumeStreamOptions, 'deadLetterStream' | 'isPoison' | 'redact' | 'registry'>;

/** Validates `options`; throws a TypeError or RangeError naming the option. */
export function resolveConsumerOptions(options: ConsumeStreamOptions): ResolvedConsumerOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected consumeStream `options` to be an object');
  const { redis, handler } = options;
  if (typeof redis?.call !== 'function' || typeof redis?.duplicate !== 'function')
    throw new TypeError('Expected `redis` to be an ioredis client (with call() and duplicate())');
  if (typeof handler !== 'function')
    throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  const stream = text('stream', options.stream);
  const group = text('group', options.group);
  const consumer = text('consumer', options.consumer);
  const onPoison = enumOption('onPoison', options.onPoison, ['dead-letter', 'skip'], 'dead-letter');
  const deadLetterStream =
    options.deadLetterStream === undefined
      ? undefined
      : text('deadLetterStream', options.deadLetterStream);
  if (onPoison === 'dead-letter' && deadLetterStream === undefined)
    throw new TypeError(
      "Expected `deadLetterStream` with `onPoison: 'dead-letter'`; pass `onPoison: 'skip'` to drop poison entries instead",
    );
  if (deadLetterStream === stream)
    throw new RangeError(
      `Expected \`deadLetterStream\` to differ from \`stream\` ("${stream}"): dead letters written back to the source would be read again`,
    );
  const claimIdleMs = optionalNumber('claimIdleMs', options.claimIdleMs, 30_000, { min: 1 });
  const startId = options.startId ?? '0';
  if (typeof startId !== 'string' || !/^(\$|\d+(-\d+)?)$/.test(startId))
    throw new TypeError(`Expected \`startId\` to be '0', '$' or an entry id, got ${startId}`);
  if (options.isPoison !== undefined && typeof options.isPoison !== 'function')
    throw new TypeError('Expected `isPoison` to be a function');
  return {
    redis,
    stream,
    group,
    consumer,
    handler,
    maxDeliveries: optionalNumber('maxDeliveries', options.maxDeliveries, 3, {
      min: 1,
      integer: true,
    }),
    deadLetterStream,
    onPoison,
    isPoison: options.isPoison,
    claimIdleMs,
    batchSize: optionalNumber('batchSize', options.batchSize, 100, { min: 1, integer: true }),
    concurrency: optionalNumber('concurrency', options.concurrency, 10, { min: 1, integer: true }),
    blockMs: optionalNumber('blockMs', options.blockMs, 2_000, { min: 1, integer: true }),
    recordTimeoutMs: optionalNumber(
      'recordTimeoutMs',
      options.recordTimeoutMs,
      Number.POSITIVE_INFINITY,
      {
        min: 0,
        exclusiveMin: true,
        allowInfinity: true,
      },
    ),
    startId,
    name: options.name ?? `${stream}/${group}`,
    redact: options.redact,
    registry: options.registry,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
  };
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${typeof value}`);
  return value;
}
