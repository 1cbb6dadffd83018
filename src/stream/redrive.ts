/**
 * `redriveDeadLetters()`: once the cause is fixed, moves dead letters back to the stream
 * they came from (or another), with their original fields, in entry order. Each move is
 * atomic and happens once (XDEL from the dead-letter stream, then XADD, in one script), so
 * two redrives at the same time never duplicate a letter.
 */
import { optionalNumber } from '../core/internal.js';
import { fieldPairs, isRedisCommands, type RedisCommands } from './redis-client.js';
import { REDRIVE } from './redis-script.js';

/** A dead letter as the consumer wrote it. */
export interface StoredDeadLetter {
  /** Its id in the dead-letter stream. */
  letterId: string;
  /** The original entry id. */
  id: string;
  /** The stream it came from. */
  stream: string;
  group: string;
  consumer: string;
  deliveries: number;
  at: number;
  /** The error, serialised and redacted. */
  error: { name: string; message: string; [field: string]: unknown };
  /** The original fields, `[name, value, …]`. */
  pairs: string[];
}

/** Options of {@link redriveDeadLetters}. */
export interface RedriveOptions {
  redis: RedisCommands;
  deadLetterStream: string;
  /** Where letters go. @default the stream each letter came from */
  stream?: string;
  /** Only letters it returns true for are moved. @default all */
  filter?: (letter: StoredDeadLetter) => boolean;
  /** Moves at most this many. @default Infinity */
  limit?: number;
}

/** Moves dead letters back; resolves with how many moved and how many were left. */
export async function redriveDeadLetters(
  options: RedriveOptions,
): Promise<{ moved: number; kept: number }> {
  if (!isRedisCommands(options?.redis))
    throw new TypeError('Expected `redis` to be an ioredis client');
  const { redis, deadLetterStream, filter } = options;
  if (typeof deadLetterStream !== 'string' || deadLetterStream === '')
    throw new TypeError('Expected `deadLetterStream` to be a non-empty string');
  if (options.stream !== undefined && options.stream === deadLetterStream)
    throw new RangeError('Expected `stream` to differ from `deadLetterStream`');
  if (filter !== undefined && typeof filter !== 'function')
    throw new TypeError('Expected `filter` to be a function');
  const limit = optionalNumber('limit', options.limit, Number.POSITIVE_INFINITY, {
    min: 1,
    integer: true,
    allowInfinity: true,
  });
  let moved = 0;
  let kept = 0;
  let start = '-';
  for (;;) {
    const page = (await redis.call('XRANGE', [deadLetterStream, start, '+', 'COUNT', 100])) as [
      string,
      unknown,
    ][];
    if (!page.length) break;
    for (const [letterId, raw] of page) {
      const letter = parseLetter(letterId, raw);
      if (moved >= limit || !letter.pairs.length || (filter && !filter(letter))) {
        kept++;
        continue;
      }
      const target = options.stream ?? letter.stream;
      const added = await REDRIVE.run(
        redis,
        [deadLetterStream, target],
        [letterId, ...letter.pairs],
      );
      if (added) moved++;
    }
    start = `(${page.at(-1)![0]}`;
  }
  return { moved, kept };
}

/** Reads one entry of a dead-letter stream. */
export function parseLetter(letterId: string, raw: unknown): StoredDeadLetter {
  const f = fieldPairs(raw);
  return {
    letterId,
    id: f.id ?? '',
    stream: f.stream ?? '',
    group: f.group ?? '',
    consumer: f.consumer ?? '',
    deliveries: Number(f.deliveries),
    at: Number(f.at),
    error: parseJson(f.error, { name: 'Unknown', message: '' }),
    pairs: parseJson(f.fields, [] as string[]),
  };
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
