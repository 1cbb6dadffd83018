/**
 * Dead-letter sinks beside a plain function: a Redis stream and an SQS-shaped sender.
 * Each resolves only once the letter is stored, so a failure keeps the record for retry.
 */
import { optionalNumber } from '../core/internal.js';
import { isRedisCommands, type RedisCommands } from './redis-client.js';
import type { DeadLetter, DeadLetterSink } from './types.js';

/** Options of {@link redisStreamSink}. */
export interface RedisStreamSinkOptions {
  /** An ioredis client. */
  redis: RedisCommands;
  /** The dead-letter stream's key. */
  stream: string;
  /** Trims the stream to about this many entries (`MAXLEN ~`); dead letters past it are lost. @default no trimming */
  maxLen?: number;
}

/**
 * Appends each letter to a Redis stream: fields `id`, `processor`, `source`, `group`,
 * `attempts`, `at`, and `error`, `history`, `record` as JSON.
 */
export function redisStreamSink<R>(options: RedisStreamSinkOptions): DeadLetterSink<R> {
  if (!isRedisCommands(options?.redis))
    throw new TypeError('Expected `redis` to be an ioredis client');
  const { redis, stream } = options;
  if (typeof stream !== 'string' || stream === '')
    throw new TypeError('Expected `stream` to be a non-empty string');
  const maxLen = optionalNumber('maxLen', options.maxLen, 0, { min: 1, integer: true });
  const trim = maxLen > 0 ? ['MAXLEN', '~', maxLen] : [];
  return async (letter) => {
    await redis.call('XADD', [stream, ...trim, '*', ...letterFields(letter)]);
  };
}

/** A letter as stream fields (what {@link redisStreamSink} and the consumer write). */
export function letterFields(letter: DeadLetter<unknown>): string[] {
  return [
    'id',
    letter.id,
    'processor',
    letter.processor,
    'source',
    letter.source,
    'group',
    letter.group ?? '',
    'attempts',
    String(letter.attempts),
    'at',
    String(letter.at),
    'error',
    JSON.stringify(letter.error),
    'history',
    JSON.stringify(letter.history),
    'record',
    JSON.stringify(letter.record),
  ];
}

/** The input of SQS `SendMessage`, as {@link sqsSink} builds it. */
export interface SqsSendMessageInput {
  QueueUrl: string;
  MessageBody: string;
  MessageAttributes: Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;
  /** FIFO queues: the record's group (or its id). */
  MessageGroupId?: string;
  /** FIFO queues: the record's id, so a retried send is not stored twice. */
  MessageDeduplicationId?: string;
}

/** Options of {@link sqsSink}. */
export interface SqsSinkOptions {
  /** Sends one message, e.g. `(input) => sqs.send(new SendMessageCommand(input))`. */
  send: (input: SqsSendMessageInput) => Promise<unknown>;
  /** The dead-letter queue's URL (a `.fifo` URL gets group and deduplication ids). */
  queueUrl: string;
}

/** Sends each letter as one SQS message: the letter as JSON, id/attempts/error name as attributes. */
export function sqsSink<R>(options: SqsSinkOptions): DeadLetterSink<R> {
  if (typeof options?.send !== 'function')
    throw new TypeError('Expected `send` to be a function (input) => Promise');
  const { send, queueUrl } = options;
  if (typeof queueUrl !== 'string' || queueUrl === '')
    throw new TypeError('Expected `queueUrl` to be a non-empty string');
  const fifo = queueUrl.endsWith('.fifo');
  return async (letter) => {
    const input: SqsSendMessageInput = {
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(letter),
      MessageAttributes: {
        'selfheal-id': { DataType: 'String', StringValue: letter.id },
        'selfheal-attempts': { DataType: 'Number', StringValue: String(letter.attempts) },
        'selfheal-error': { DataType: 'String', StringValue: letter.error.name },
      },
    };
    if (fifo) {
      input.MessageGroupId = letter.group || letter.id;
      // SQS allows 128 characters of [A-Za-z0-9 punctuation]; a record id fits or is cut.
      input.MessageDeduplicationId = letter.id.slice(0, 128);
    }
    await send(input);
  };
}
