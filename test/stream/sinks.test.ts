import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseLetter,
  processBatch,
  redisStreamSink,
  type SqsSendMessageInput,
  sqsSink,
} from '../../src/stream/index.js';
import { requireService } from '../support/services.js';
import { testRedis } from './redis-helpers.js';

let t: ReturnType<typeof testRedis>;
beforeAll(async () => {
  await requireService('redis');
  t = testRedis();
});
afterAll(() => t.cleanup());

type Rec = { id: string; sku: string; g?: string };
const poison = (r: Rec) => {
  if (r.sku === 'bad') throw new TypeError('price is not a number (api_key=sk_live_51Habc)');
};
const records: Rec[] = [
  { id: 'm1', sku: 'ok' },
  { id: 'm2', sku: 'bad', g: 'cart-7' },
];

describe('dead-letter sinks', () => {
  it('a function receives the letter and the shard moves on', async () => {
    const letters: unknown[] = [];
    const result = await processBatch(records, poison, {
      maxAttempts: 1,
      deadLetter: (l) => void letters.push(l),
    });
    expect(result.failures).toEqual([]);
    expect(letters).toMatchObject([{ id: 'm2', record: records[1], attempts: 1 }]);
  });

  it('redisStreamSink appends the letter to a Redis stream, error redacted', async () => {
    const stream = t.key('dead');
    const result = await processBatch(records, poison, {
      name: 'orders',
      maxAttempts: 1,
      deadLetter: redisStreamSink({ redis: t.redis, stream, maxLen: 1000 }),
    });
    expect(result.failures).toEqual([]);
    const entries = (await t.redis.xrange(stream, '-', '+')) as [string, string[]][];
    expect(entries).toHaveLength(1);
    const fields = Object.fromEntries(
      entries[0]![1].flatMap((_, i, a) => (i % 2 ? [] : [[a[i], a[i + 1]]])),
    );
    expect(fields).toMatchObject({
      id: 'm2',
      processor: 'orders',
      source: 'records',
      attempts: '1',
    });
    expect(JSON.parse(fields.record!)).toEqual(records[1]);
    const error = JSON.parse(fields.error!);
    expect(error.name).toBe('TypeError');
    expect(error.message).not.toContain('sk_live_51Habc');
    expect(JSON.parse(fields.history!)).toMatchObject({ attempts: 1, countedBy: 'store' });
    expect(parseLetter(entries[0]![0], entries[0]![1]).id).toBe('m2');
  });

  it('redisStreamSink failing (the key is not a stream) keeps the record failed', async () => {
    const key = t.key('not-a-stream');
    await t.redis.set(key, 'x');
    const result = await processBatch(records, poison, {
      maxAttempts: 1,
      deadLetter: redisStreamSink({ redis: t.redis, stream: key }),
    });
    expect(result.failures).toEqual(['m2']);
    expect(String((result.outcomes[1]!.error as Error).cause)).toMatch(/WRONGTYPE/);
  });

  it('sqsSink sends one SendMessage input per letter; a FIFO queue gets group and deduplication ids', async () => {
    const sent: SqsSendMessageInput[] = [];
    const send = async (input: SqsSendMessageInput) => {
      sent.push(input);
      return { MessageId: 'x' };
    };
    const standard = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq';
    await processBatch(records, poison, {
      maxAttempts: 1,
      deadLetter: sqsSink({ send, queueUrl: standard }),
    });
    await processBatch(records, poison, {
      maxAttempts: 1,
      groupOf: (r) => r.g ?? 'none',
      deadLetter: sqsSink({ send, queueUrl: `${standard}.fifo` }),
    });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      QueueUrl: standard,
      MessageAttributes: {
        'selfheal-id': { DataType: 'String', StringValue: 'm2' },
        'selfheal-attempts': { DataType: 'Number', StringValue: '1' },
        'selfheal-error': { DataType: 'String', StringValue: 'TypeError' },
      },
    });
    expect(sent[0]).not.toHaveProperty('MessageGroupId');
    expect(JSON.parse(sent[0]!.MessageBody)).toMatchObject({ id: 'm2', record: records[1] });
    expect(sent[0]!.MessageBody).not.toContain('sk_live_51Habc');
    expect(sent[1]).toMatchObject({ MessageGroupId: 'cart-7', MessageDeduplicationId: 'm2' });
  });

  it('sqsSink rejecting keeps the record failed', async () => {
    const result = await processBatch(records, poison, {
      maxAttempts: 1,
      deadLetter: sqsSink({
        send: async () => {
          throw new Error('AWS.SimpleQueueService.NonExistentQueue');
        },
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/1/missing',
      }),
    });
    expect(result.failures).toEqual(['m2']);
  });

  it('rejects bad sink options', () => {
    expect(() => redisStreamSink({ redis: {} as never, stream: 'x' })).toThrow(/`redis`/);
    expect(() => redisStreamSink({ redis: t.redis, stream: '' })).toThrow(/`stream`/);
    expect(() => sqsSink({ send: 'x' as never, queueUrl: 'q' })).toThrow(/`send`/);
    expect(() => sqsSink({ send: async () => {}, queueUrl: '' })).toThrow(/`queueUrl`/);
  });
});
