/**
 * The no-loss chaos test: 10,000 entries, a handler failing 10 % of the time at random
 * plus 1 % permanent poison, two consumers in child processes, one SIGKILLed in the
 * middle of a batch and restarted. At the end every id is processed or dead-lettered,
 * none is lost, none pending; the only duplicates are at-least-once redeliveries of
 * entries the killed consumer had handled but not yet acknowledged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLetter } from '../../src/stream/index.js';
import { requireService } from '../support/services.js';
import { fill, pendingCount, testRedis, until } from './redis-helpers.js';

const WORKER = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

let t: ReturnType<typeof testRedis>;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  await requireService('redis');
  t = testRedis();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t.cleanup();
});

function worker(config: object, onLine: (line: string) => void = () => {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  let buffer = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line === 'ready') resolve();
        onLine(line);
      }
    });
  });
  return { child, ready, exited };
}

describe('no-loss chaos: two consumers, transient failures, poison, a SIGKILL mid-batch', () => {
  it('every entry is processed or dead-lettered; none lost, none pending; duplicates only from the kill', async () => {
    const stream = t.key('chaos:in');
    const dead = t.key('chaos:dead');
    const processedKey = t.key('chaos:processed');
    const ids = await fill(t.redis, stream, 10_000, (i) => ({
      poison: i % 100 === 42 ? '1' : '0',
    }));
    const poisonIds = new Set(ids.filter((_, i) => i % 100 === 42));
    const base = { stream, dead, processed: processedKey };

    let killedAt = 0;
    const a = worker({ ...base, consumer: 'A', signalAfter: 1_500 }, (line) => {
      if (line === 'mid-batch') {
        a.child.kill('SIGKILL');
        killedAt = Date.now();
      }
    });
    const b = worker({ ...base, consumer: 'B' });
    await Promise.all([a.ready, b.ready]);
    expect(await a.exited).toBe(null); // killed by the signal, not exited
    // What A had been given and not acknowledged when it died.
    const pendingA = (await t.redis.xpending(stream, 'chaos', '-', '+', 100_000, 'A')) as [
      string,
    ][];
    const unackedByA = new Set(pendingA.map(([id]) => id));
    const handledByA = await t.redis.hmget(processedKey, ...unackedByA);
    const handledNotAcked = handledByA.filter((v) => v !== null).length;
    const restarted = worker({ ...base, consumer: 'A' });
    await restarted.ready;

    const settled = async () => {
      const [processed, letters] = await Promise.all([
        t.redis.hlen(processedKey),
        t.redis.xlen(dead),
      ]);
      return processed + letters >= 10_000 && (await pendingCount(t.redis, stream, 'chaos')) === 0;
    };
    await until(settled, 150_000, 'every entry processed or dead-lettered');
    restarted.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([restarted.exited, b.exited])).toEqual([0, 0]);

    const counts = await t.redis.hgetall(processedKey);
    const letters = ((await t.redis.xrange(dead, '-', '+')) as [string, string[]][]).map(
      ([id, raw]) => parseLetter(id, raw),
    );
    const deadIds = letters.map((l) => l.id);
    const duplicates = Object.entries(counts).filter(([, n]) => Number(n) > 1);
    const lost = ids.filter((id) => counts[id] === undefined && !deadIds.includes(id));
    const report = {
      entries: ids.length,
      processed: Object.keys(counts).length,
      deadLettered: deadIds.length,
      poison: poisonIds.size,
      transientDeadLettered: deadIds.filter((id) => !poisonIds.has(id)).length,
      duplicates: duplicates.length,
      killedMidBatch: { unackedByA: unackedByA.size, handledNotAcked },
      lost: lost.length,
      settledAfterKillMs: Date.now() - killedAt,
    };
    console.info('chaos report', JSON.stringify(report));

    expect(lost).toEqual([]);
    expect(await pendingCount(t.redis, stream, 'chaos')).toBe(0);
    // Killed in the middle of a batch: it had handled entries it had not acknowledged.
    expect(handledNotAcked).toBeGreaterThan(0);
    // Every poison entry is dead-lettered, each once, never also processed.
    for (const id of poisonIds) expect(deadIds).toContain(id);
    expect(new Set(deadIds).size).toBe(deadIds.length);
    expect(deadIds.filter((id) => counts[id] !== undefined && !unackedByA.has(id))).toEqual([]);
    // Duplicates are at-least-once redeliveries of what A handled and never acknowledged.
    for (const [id] of duplicates) expect(unackedByA.has(id)).toBe(true);
    expect(duplicates.length).toBeLessThanOrEqual(handledNotAcked);
    // Dead letters carry the error, the attempts and the original id.
    const sample = letters.find((l) => poisonIds.has(l.id))!;
    expect(sample.deliveries).toBeGreaterThanOrEqual(5);
    expect(sample.error.message).toMatch(/^permanent: entry \d+$/);
  }, 180_000);
});
