/**
 * consumeStream across Redis restarts, on a redis-server of this suite's own: with an
 * append-only file the streams survive and the consumer resumes with nothing handled or
 * dead-lettered twice; without persistence the group is recreated and new entries flow.
 * Also the command count per processed entry at batch size 100.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type OwnRedis, startOwnRedis } from '../../bench/stream/own-redis.js';
import { consumeStream, type StreamEvent } from '../../src/stream/index.js';
import { fill, pendingCount, until } from './redis-helpers.js';

let own: OwnRedis | undefined;
let client: Redis | undefined;
afterEach(async () => {
  client?.disconnect();
  await own?.close();
  own = client = undefined;
});

const connect = (port: number) => {
  const redis = new Redis({ port, host: '127.0.0.1' });
  redis.on('error', () => {});
  return redis;
};

describe('consumeStream and Redis restarts', () => {
  it('survives a restart: resumes, every entry handled once, every poison dead-lettered once', async () => {
    own = await startOwnRedis({ persist: true });
    client = connect(own.port);
    const redis = client;
    await fill(redis, 'in', 3_000, (i) => ({ poison: i % 100 === 7 ? '1' : '0' }));
    const handled = new Map<string, number>();
    const events: StreamEvent[] = [];
    const consumer = consumeStream({
      redis,
      stream: 'in',
      group: 'g',
      consumer: 'c1',
      deadLetterStream: 'dead',
      maxDeliveries: 2,
      claimIdleMs: 300,
      blockMs: 100,
      handler: async (e) => {
        if (e.fields.poison === '1') throw new Error('poison');
        await new Promise((r) => setTimeout(r, 1));
        handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
      },
    });
    consumer.events.onEvent((e) => events.push(e));
    await until(() => handled.size >= 800, 20_000, '800 entries before the restart');
    await own.kill();
    await new Promise((r) => setTimeout(r, 300));
    await own.start();
    await until(
      async () => handled.size === 2_970 && (await redis.xlen('dead')) === 30,
      40_000,
      'every entry after the restart',
    );
    await until(async () => (await pendingCount(redis, 'in', 'g')) === 0, 10_000, 'no pending');
    await consumer.stop();
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    const letters = (await redis.xrange('dead', '-', '+')) as [string, string[]][];
    const ids = letters.map(([, f]) => f[f.indexOf('id') + 1]);
    expect(new Set(ids).size).toBe(30);
    expect(consumer.health().reconnects).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'redis-recovered')).toBe(true);
  }, 90_000);

  it('after a restart that lost every key, recreates the group and goes on with new entries', async () => {
    own = await startOwnRedis();
    client = connect(own.port);
    const redis = client;
    await fill(redis, 'in', 50);
    const seen: string[] = [];
    const consumer = consumeStream({
      redis,
      stream: 'in',
      group: 'g',
      consumer: 'c1',
      onPoison: 'skip',
      blockMs: 100,
      claimIdleMs: 1_000,
      handler: (e) => void seen.push(e.fields.n!),
    });
    await until(() => seen.length === 50, 10_000, 'the first 50');
    await own.kill();
    await own.start();
    await until(async () => (await redis.ping().catch(() => '')) === 'PONG', 10_000, 'reconnect');
    await fill(redis, 'in', 20, (i) => ({ after: String(i) }));
    await until(() => seen.length === 70, 20_000, 'the 20 added after the restart');
    await consumer.stop();
    expect(await pendingCount(redis, 'in', 'g')).toBe(0);
  }, 60_000);
});

describe('Redis commands per processed entry', () => {
  it('stays at or under 3 at batch size 100 (0 % and 1 % poison)', async () => {
    own = await startOwnRedis();
    client = connect(own.port);
    const redis = client;
    const perEntry: number[] = [];
    for (const poisonEvery of [0, 100]) {
      const stream = `in-${poisonEvery}`;
      await fill(redis, stream, 5_000, (i) => ({
        poison: poisonEvery && i % poisonEvery === 3 ? '1' : '0',
      }));
      await own.resetStats();
      const consumer = consumeStream({
        redis,
        stream,
        group: 'g',
        consumer: 'c1',
        deadLetterStream: `${stream}-dead`,
        batchSize: 100,
        claimIdleMs: 100,
        blockMs: 50,
        handler: (e) => {
          if (e.fields.poison === '1') throw new Error('poison');
        },
      });
      await until(
        () => consumer.health().processed + consumer.health().deadLettered === 5_000,
        30_000,
        'all entries',
      );
      await consumer.stop();
      perEntry.push((await own.commands()) / consumer.health().processed);
    }
    expect(perEntry[0]).toBeLessThanOrEqual(3);
    expect(perEntry[1]).toBeLessThanOrEqual(3);
  }, 90_000);
});
