/**
 * One consumer of the no-loss chaos test, in a child process of its own: a handler that
 * fails 10 % of the time at random (transient) and always on entries marked poison, and
 * records every success durably (HINCRBY processed <id>) before it returns. Prints
 * `ready`, and `mid-batch` from inside a handler once it has processed `signalAfter`
 * entries, and holds that batch open (the parent SIGKILLs it then). SIGTERM stops it cleanly.
 */
import { Redis } from 'ioredis';
import { consumeStream } from '../../src/stream/index.js';

const config = JSON.parse(process.argv[2]!) as {
  stream: string;
  dead: string;
  processed: string;
  consumer: string;
  signalAfter?: number;
};
const redis = new Redis({ host: '127.0.0.1', port: 6379 });
const side = new Redis({ host: '127.0.0.1', port: 6379 });
let processed = 0;

const consumer = consumeStream({
  redis,
  stream: config.stream,
  group: 'chaos',
  consumer: config.consumer,
  deadLetterStream: config.dead,
  maxDeliveries: 5,
  claimIdleMs: 1_500,
  batchSize: 100,
  concurrency: 10,
  blockMs: 200,
  handler: async (entry) => {
    if (entry.fields.poison === '1') throw new Error(`permanent: entry ${entry.fields.n}`);
    if (Math.random() < 0.1) throw new Error('transient: upstream hiccup');
    await new Promise((resolve) => setTimeout(resolve, 1));
    await side.hincrby(config.processed, entry.id, 1);
    processed++;
    if (processed === config.signalAfter) {
      // Hold this batch open until the parent's SIGKILL lands: the kill is mid-batch for sure,
      // after this entry (and others of the batch) were handled and before any is acknowledged.
      process.stdout.write('mid-batch\n');
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }
  },
});

process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await consumer.stop();
  side.disconnect();
  redis.disconnect();
  process.stdout.write(`stopped ${JSON.stringify(consumer.health())}\n`);
  process.exit(0);
});
