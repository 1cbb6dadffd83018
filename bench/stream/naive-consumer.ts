/**
 * The naive consumer-group loop the stuck-stream scenario starts from (the control in
 * the tests and the benchmark): read this consumer's pending entries first, else new
 * ones; handle them in order; XACK each success; stop the batch at the first failure and
 * read the pending list again. One poison entry stalls it for good.
 */
import type { Redis } from 'ioredis';

export interface NaiveResult {
  processed: number;
  handlerCalls: number;
}

/** Runs until `signal` aborts. */
export async function naiveConsume(options: {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  handler: (fields: string[]) => unknown;
  batchSize: number;
  signal: AbortSignal;
  /** Called after each success, with the running count. */
  onProcessed?: (processed: number) => void;
}): Promise<NaiveResult> {
  const { redis, stream, group, consumer, handler, batchSize, signal } = options;
  const result: NaiveResult = { processed: 0, handlerCalls: 0 };
  await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch(() => {});
  while (!signal.aborted) {
    let entries = await read(redis, group, consumer, batchSize, stream, '0');
    if (!entries.length) entries = await read(redis, group, consumer, batchSize, stream, '>');
    for (const [id, fields] of entries) {
      result.handlerCalls++;
      try {
        await handler(fields);
      } catch {
        break;
      }
      await redis.xack(stream, group, id);
      result.processed++;
      options.onProcessed?.(result.processed);
    }
    // Yield, so a stalled loop does not starve the event loop (it still spins on Redis).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return result;
}

async function read(
  redis: Redis,
  group: string,
  consumer: string,
  count: number,
  stream: string,
  from: string,
): Promise<[string, string[]][]> {
  const block = from === '>' ? ['BLOCK', 50] : [];
  const args = ['GROUP', group, consumer, 'COUNT', count, ...block, 'STREAMS', stream, from];
  // RESP3 (ioredis's default) answers a map: `[stream, entries]` flat; RESP2 a list of them.
  const reply = (await redis.call('XREADGROUP', args)) as unknown[] | null;
  if (!reply) return [];
  const entries = typeof reply[0] === 'string' ? reply[1] : (reply[0] as unknown[])[1];
  return (entries ?? []) as [string, string[]][];
}
