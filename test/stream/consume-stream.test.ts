import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naiveConsume } from '../../bench/stream/naive-consumer.js';
import {
  consumeStream,
  parseLetter,
  redriveDeadLetters,
  type StreamEntry,
  type StreamEvent,
} from '../../src/stream/index.js';
import { createRegistry } from '../../src/telemetry/index.js';
import { requireService } from '../support/services.js';
import { fill, pendingCount, testRedis, until } from './redis-helpers.js';

let t: ReturnType<typeof testRedis>;
beforeAll(async () => {
  await requireService('redis');
  t = testRedis();
});
afterAll(() => t.cleanup());

const base = (name: string) => ({
  redis: t.redis,
  stream: t.key(`${name}:in`),
  group: 'workers',
  consumer: 'c1',
  deadLetterStream: t.key(`${name}:dead`),
  blockMs: 100,
});

describe('consumeStream on real Redis', () => {
  it('reads, handles and acknowledges every entry', async () => {
    const o = base('plain');
    await fill(t.redis, o.stream, 250, (i) => ({ order: `o-${i}` }));
    const seen: StreamEntry[] = [];
    const consumer = consumeStream({ ...o, handler: (e) => void seen.push(e) });
    await until(() => seen.length === 250, 10_000, '250 entries');
    await consumer.stop();
    expect(seen[7]).toMatchObject({ fields: { n: '7', order: 'o-7' }, deliveries: 1 });
    expect(seen[7]!.pairs).toEqual(['n', '7', 'order', 'o-7']);
    expect(await pendingCount(t.redis, o.stream, o.group)).toBe(0);
    expect(consumer.health()).toMatchObject({ processed: 250, inFlight: 0, redisErrors: 0 });
  });

  it('dead-letters a poison entry on its maxDeliveries-th delivery, atomically, and goes on', async () => {
    const o = base('poison');
    const ids = await fill(t.redis, o.stream, 40);
    const calls = new Map<string, number>();
    const events: StreamEvent[] = [];
    const consumer = consumeStream({
      ...o,
      maxDeliveries: 3,
      claimIdleMs: 100,
      handler: (e) => {
        calls.set(e.fields.n!, (calls.get(e.fields.n!) ?? 0) + 1);
        if (e.fields.n === '13') throw new Error('cannot parse order: password=hunter2');
      },
    });
    consumer.events.onEvent((e) => events.push(e));
    await until(
      async () => (await t.redis.xlen(o.deadLetterStream)) === 1,
      10_000,
      'a dead letter',
    );
    await until(async () => (await pendingCount(t.redis, o.stream, o.group)) === 0, 5_000, 'acks');
    await consumer.stop();
    expect(calls.get('13')).toBe(3);
    expect([...calls.values()].filter((n) => n !== 1)).toEqual([3]);
    const [[letterId, raw]] = (await t.redis.xrange(o.deadLetterStream, '-', '+')) as [
      [string, string[]],
    ];
    const letter = parseLetter(letterId, raw);
    expect(letter).toMatchObject({
      id: ids[13],
      stream: o.stream,
      group: 'workers',
      deliveries: 3,
      pairs: ['n', '13'],
    });
    expect(letter.error.message).toContain('cannot parse order');
    expect(letter.error.message).not.toContain('hunter2');
    expect(events.filter((e) => e.type === 'record-failed').length).toBe(2);
    expect(consumer.health()).toMatchObject({ processed: 39, deadLettered: 1, retried: 2 });
  });

  it('a dead-letter move that fails keeps the entry pending and does not hold back the acknowledgements', async () => {
    const o = base('wrongtype');
    await t.redis.set(o.deadLetterStream, 'not a stream');
    await fill(t.redis, o.stream, 30);
    const errors: StreamEvent[] = [];
    const consumer = consumeStream({
      ...o,
      maxDeliveries: 1,
      claimIdleMs: 100,
      handler: (e) => {
        if (e.fields.n === '4') throw new Error('poison');
      },
    });
    consumer.events.on('redis-error', (e) => errors.push(e));
    await until(() => errors.length > 0, 5_000, 'the failed move');
    await until(() => consumer.health().processed === 29, 5_000, 'the good entries');
    // The good entries are acknowledged; the poison one is still pending, not lost.
    await until(async () => (await pendingCount(t.redis, o.stream, o.group)) === 1, 5_000, 'acks');
    expect(String((errors[0] as { error: Error }).error.message)).toMatch(/WRONGTYPE/);
    await t.redis.del(o.deadLetterStream);
    await until(async () => (await t.redis.xlen(o.deadLetterStream)) === 1, 5_000, 'the move');
    await until(async () => (await pendingCount(t.redis, o.stream, o.group)) === 0, 5_000, 'none');
    await consumer.stop();
  });

  it("takes over a crashed consumer's entries after claimIdleMs", async () => {
    const o = base('crash');
    await fill(t.redis, o.stream, 10);
    await t.redis.xgroup('CREATE', o.stream, o.group, '0');
    // "dead" reads everything and never acknowledges (it crashed); one entry is then deleted.
    const read = (await t.redis.xreadgroup('GROUP', o.group, 'dead', 'STREAMS', o.stream, '>')) as [
      string,
      [string, string[]][],
    ][];
    await t.redis.xdel(o.stream, read[0]![1][4]![0]);
    const seen: StreamEntry[] = [];
    const consumer = consumeStream({ ...o, claimIdleMs: 150, handler: (e) => void seen.push(e) });
    await until(() => seen.length === 9, 10_000, '9 claimed entries');
    await until(async () => (await pendingCount(t.redis, o.stream, o.group)) === 0, 5_000, 'acks');
    await consumer.stop();
    expect(seen.every((e) => e.deliveries === 2)).toBe(true);
    expect(consumer.health()).toMatchObject({ claimed: 9, deleted: 1, processed: 9 });
  });

  it('stop() ends a blocking read at once and finishes the batch in hand', async () => {
    const o = base('stop');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const consumer = consumeStream({
      ...o,
      blockMs: 60_000,
      concurrency: 1,
      handler: async (e) => {
        started.push(e.fields.n!);
        await gate;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const quick = await Promise.race([
      consumer.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still blocked'), 5_000)),
    ]);
    expect(quick).toBe('stopped');

    const o2 = base('stop2');
    await fill(t.redis, o2.stream, 5);
    const second = consumeStream({
      ...o2,
      concurrency: 1,
      handler: async (e) => {
        started.push(e.fields.n!);
        await gate;
      },
    });
    await until(() => started.length === 1, 5_000, 'the first entry');
    const stopping = second.stop();
    release();
    await stopping;
    // The batch in hand (all 5 entries) was finished and acknowledged; nothing is pending.
    expect(started).toEqual(['0', '1', '2', '3', '4']);
    expect(await pendingCount(t.redis, o2.stream, o2.group)).toBe(0);
  });

  it('joins the service map with the broker counts', async () => {
    const o = base('registry');
    await fill(t.redis, o.stream, 3);
    const registry = createRegistry();
    const consumer = consumeStream({ ...o, registry, name: 'orders-stream', handler: () => {} });
    await until(() => consumer.health().processed === 3, 5_000, '3 entries');
    const [dep] = registry.snapshot().dependencies;
    expect(dep).toMatchObject({ name: 'orders-stream', kind: 'stream', health: { processed: 3 } });
    expect((dep!.health as { lagMs: number }).lagMs).toBeGreaterThanOrEqual(0);
    await consumer.stop();
    expect(registry.size).toBe(0);
  });

  it('redriveDeadLetters moves letters back once, with their fields, and they are processed', async () => {
    const o = base('redrive');
    await fill(t.redis, o.stream, 6, (i) => ({ sku: `s${i}` }));
    let broken = true;
    const processed: string[] = [];
    const consumer = consumeStream({
      ...o,
      maxDeliveries: 1,
      handler: (e) => {
        if (broken && Number(e.fields.n) % 2 === 1) throw new Error('schema v2 not supported');
        processed.push(e.fields.sku!);
      },
    });
    await until(async () => (await t.redis.xlen(o.deadLetterStream)) === 3, 5_000, '3 letters');
    broken = false;
    const [first, second] = await Promise.all([
      redriveDeadLetters({ redis: t.redis, deadLetterStream: o.deadLetterStream }),
      redriveDeadLetters({ redis: t.redis, deadLetterStream: o.deadLetterStream }),
    ]);
    expect(first!.moved + second!.moved).toBe(3);
    await until(() => processed.length === 6, 5_000, 'the redriven entries');
    await consumer.stop();
    expect(processed.sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(await t.redis.xlen(o.deadLetterStream)).toBe(0);
  });

  it('the naive consumer, as a control, stops progressing at the first poison entry', async () => {
    const o = base('naive');
    await fill(t.redis, o.stream, 100);
    const poison = (fields: string[]) => {
      if (fields[1] === '30') throw new Error('poison');
    };
    const controller = new AbortController();
    let naiveProcessed = 0;
    const naive = naiveConsume({
      onProcessed: (n) => {
        naiveProcessed = n;
      },
      redis: t.redis,
      stream: o.stream,
      group: 'naive',
      consumer: 'n1',
      handler: poison,
      batchSize: 10,
      signal: controller.signal,
    });
    const healed = consumeStream({
      ...o,
      group: 'healed',
      maxDeliveries: 3,
      claimIdleMs: 50,
      handler: (e) => poison(e.pairs as string[]),
    });
    await until(
      () => healed.health().processed + healed.health().deadLettered === 100,
      10_000,
      'healed',
    );
    await healed.stop();
    await until(() => naiveProcessed === 30, 10_000, 'the naive consumer to reach the poison');
    // Given more time, it makes no progress: it keeps re-reading the poison entry.
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    const stalled = await naive;
    expect(stalled.processed).toBe(30);
    expect(stalled.handlerCalls).toBeGreaterThan(stalled.processed + 3);
    expect(healed.health()).toMatchObject({ processed: 99, deadLettered: 1 });
  });
});

describe('consumeStream: bad input', () => {
  const ok = () => ({ ...base('bad'), handler: () => {} });
  it('rejects a dead-letter stream equal to the source stream', () => {
    const o = ok();
    expect(() => consumeStream({ ...o, deadLetterStream: o.stream })).toThrow(RangeError);
    expect(() => consumeStream({ ...o, deadLetterStream: o.stream })).toThrow(
      /differ from `stream`/,
    );
  });
  it('rejects maxDeliveries < 1, a missing dead-letter stream and a missing client', () => {
    expect(() => consumeStream({ ...ok(), maxDeliveries: 0 })).toThrow(/`maxDeliveries`/);
    expect(() => consumeStream({ ...ok(), deadLetterStream: undefined })).toThrow(
      /`deadLetterStream`/,
    );
    expect(() => consumeStream({ ...ok(), redis: {} as never })).toThrow(/`redis`/);
    expect(() => consumeStream({ ...ok(), group: '' })).toThrow(/`group`/);
    expect(() => consumeStream({ ...ok(), claimIdleMs: -1 })).toThrow(/`claimIdleMs`/);
  });
});
