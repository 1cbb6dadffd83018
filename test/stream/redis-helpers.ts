/**
 * Redis for the stream suites: a client on the shared 127.0.0.1:6379 with a unique key
 * prefix per run (keys deleted afterwards), and helpers to fill and inspect streams.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedis(port = 6379) {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: false });
  const prefix = `sh-test:stream:${randomBytes(4).toString('hex')}:`;
  return {
    redis,
    key: (name: string) => prefix + name,
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** Adds `n` entries `{ n: i, ...extra(i) }` in one pipeline; returns their ids. */
export async function fill(
  redis: Redis,
  stream: string,
  n: number,
  extra: (i: number) => Record<string, string> = () => ({}),
): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (let i = 0; i < n; i++) {
    const fields = Object.entries({ n: String(i), ...extra(i) }).flat();
    pipeline.xadd(stream, '*', ...fields);
  }
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([, id]) => String(id));
}

/** Pending entries of `group` (0 when the group is gone). */
export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const reply = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(reply[0]);
}

/** Resolves once `check()` is true, polling every 20 ms; rejects after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
