/**
 * `consumeStream()`: a consumer-group loop on a Redis stream that never stalls on a
 * poison entry. Each turn it takes over entries idle longer than `claimIdleMs` (XAUTOCLAIM,
 * delivery counts from XPENDING) and reads new ones (XREADGROUP), runs them through the
 * poison state machine, acknowledges the successes in one XACK and moves poison to the
 * dead-letter stream atomically (XACK + XADD in one script). Failures stay pending and
 * come back after `claimIdleMs`, to this consumer or another. Redis errors are retried
 * with backoff; acknowledgements are kept until Redis takes them, so a restart never
 * makes the loop run a batch twice.
 */
import { exponential, sleep } from '../core/internal.js';
import {
  type ConsumeStreamOptions,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
  type StreamEntry,
} from './consumer-options.js';
import { claimReply, entryTime, isNoGroup, readEntries, toEntry } from './consumer-replies.js';
import { ConsumerState, type StreamConsumer } from './consumer-state.js';
import { resolveOptions } from './options.js';
import { createProcessor, type StreamProcessor } from './processor.js';
import type { RedisConnection } from './redis-client.js';
import { CLAIM, DEAD_LETTER } from './redis-script.js';
import type { DeadLetter } from './types.js';

/** Starts a consumer; it runs until `stop()`. */
export function consumeStream(options: ConsumeStreamOptions): StreamConsumer {
  const o = resolveConsumerOptions(options);
  return new Consumer(o).start();
}

class Consumer {
  readonly #o: ResolvedConsumerOptions;
  readonly #conn: RedisConnection;
  readonly #state: ConsumerState;
  readonly #processor: StreamProcessor<StreamEntry>;
  readonly #backoff = exponential({ baseMs: 100, maxMs: 5_000, jitter: 'equal' });
  readonly #acks: string[] = [];
  /** Dead-letter moves waiting to go out with the next acknowledgements: id, field count, fields. */
  readonly #letters: (string | number)[][] = [];
  #flushing: Promise<void> | undefined;
  #cursor = '0-0';
  #nextClaimAt = 0;

  constructor(o: ResolvedConsumerOptions) {
    this.#o = o;
    this.#conn = o.redis.duplicate();
    const processorOptions = resolveOptions<StreamEntry>({
      name: o.name,
      maxAttempts: o.maxDeliveries,
      onPoison: o.onPoison,
      deadLetter: (letter) => this.#deadLetter(letter),
      isPoison: o.isPoison,
      concurrency: o.concurrency,
      recordTimeoutMs: o.recordTimeoutMs,
      deadlineMarginMs: Math.min(1_000, o.claimIdleMs / 10),
      redact: o.redact,
      clock: o.clock,
    });
    this.#state = new ConsumerState(o, this.#conn);
    this.#processor = createProcessor(
      processorOptions,
      {
        name: 'redis-stream',
        idOf: (entry) => entry.id,
        receiveCountOf: (entry) => entry.deliveries,
        timestampOf: (entry) => entryTime(entry.id),
      },
      this.#state.hub,
    );
  }

  start(): StreamConsumer {
    return this.#state.expose(this.#processor, this.#loop());
  }

  async #loop(): Promise<void> {
    const s = this.#state;
    let failures = 0;
    let previousMs = 0;
    while (!s.stopping) {
      try {
        // The last batch's XACK and dead-letter moves go out ahead of this turn's reads on
        // the same connection: no round trip of their own, and Redis runs them first.
        let ackError: unknown;
        const acking = this.#flush().catch((error: unknown) => {
          ackError = error;
        });
        if (!s.groupReady) await this.#ensureGroup();
        const claimed = await this.#claimIfDue();
        const fresh = s.stopping ? [] : await this.#read(claimed.length);
        await acking;
        if (ackError !== undefined) s.failed('ack', ackError, 0);
        else s.recovered();
        failures = 0;
        const entries = [...claimed, ...fresh];
        if (entries.length) await this.#handle(entries);
      } catch (error) {
        if (isNoGroup(error)) s.groupReady = false;
        const retryInMs = this.#backoff.delay({
          retry: ++failures,
          previousMs,
          random: this.#o.random,
        });
        previousMs = retryInMs;
        s.failed('loop', error, retryInMs);
        await sleep(this.#o.clock, retryInMs, s.wake).catch(() => {});
      }
    }
    await this.#flush().catch(() => {});
    s.close();
  }

  async #ensureGroup(): Promise<void> {
    const { stream, group, startId } = this.#o;
    try {
      await this.#conn.call('XGROUP', ['CREATE', stream, group, startId, 'MKSTREAM']);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('BUSYGROUP')) throw error;
    }
    this.#state.groupReady = true;
  }

  async #claimIfDue(): Promise<StreamEntry[]> {
    const now = this.#o.clock.now();
    if (now < this.#nextClaimAt) return [];
    const { stream, group, consumer, claimIdleMs, batchSize } = this.#o;
    const reply = await CLAIM.run(
      this.#conn,
      [stream],
      [group, consumer, claimIdleMs, this.#cursor, batchSize],
    );
    const { cursor, entries, deleted } = claimReply(reply);
    this.#cursor = cursor;
    // A full pass over the pending list: look again in a while; else go on next turn.
    if (cursor === '0-0') this.#nextClaimAt = now + Math.max(10, claimIdleMs / 4);
    this.#state.claimed(entries.length, deleted);
    return entries;
  }

  async #read(have: number): Promise<StreamEntry[]> {
    const { stream, group, consumer, batchSize, blockMs } = this.#o;
    const count = batchSize - have;
    if (count <= 0) return [];
    const block = have > 0 ? [] : ['BLOCK', Math.min(blockMs, this.#untilClaim())];
    const args = ['GROUP', group, consumer, 'COUNT', count, ...block, 'STREAMS', stream, '>'];
    const reply = await this.#state.blocking(block.length > 0, () =>
      this.#conn.call('XREADGROUP', args),
    );
    const entries: StreamEntry[] = [];
    for (const raw of readEntries(reply)) {
      const entry = toEntry(raw, 1);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  #untilClaim(): number {
    return Math.max(1, Math.ceil(this.#nextClaimAt - this.#o.clock.now()));
  }

  async #handle(entries: StreamEntry[]): Promise<void> {
    // Past claimIdleMs another consumer may take these entries over: stop before that.
    const deadline = this.#o.clock.now() + this.#o.claimIdleMs;
    const result = await this.#processor.process(entries, this.#o.handler, { deadline });
    for (const outcome of result.outcomes)
      if (outcome.status === 'processed' || outcome.status === 'skipped')
        this.#acks.push(outcome.id);
  }

  /**
   * Sends the acknowledgements and the dead-letter moves of the last batch together, one
   * flush at a time. Acknowledgements that fail go back in the queue (XACK is safe to send
   * twice); moves that fail are dropped: their entries are still pending and come back
   * after `claimIdleMs`, past their delivery limit, to be moved again.
   */
  #flush(): Promise<void> {
    this.#flushing ??= this.#send().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #send(): Promise<void> {
    if (!this.#acks.length && !this.#letters.length) return;
    const ids = this.#acks.splice(0);
    const letters = this.#letters.splice(0);
    const { stream, group, deadLetterStream } = this.#o;
    const [acked, moved] = await Promise.allSettled([
      ids.length ? this.#conn.call('XACK', [stream, group, ...ids]) : 0,
      letters.length
        ? DEAD_LETTER.run(this.#conn, [stream, deadLetterStream!], [group, ...letters.flat()])
        : 0,
    ]);
    if (acked.status === 'rejected') this.#acks.unshift(...ids);
    else this.#state.acked(ids.length, Number(acked.value));
    if (moved.status === 'fulfilled') this.#state.acked(letters.length, Number(moved.value));
    if (acked.status === 'rejected') throw acked.reason;
    if (moved.status === 'rejected') throw moved.reason;
  }

  /**
   * The sink: queues the atomic move (XACK + XADD) for the next flush. Until it is done
   * the entry stays pending, so a failed or lost move means a redelivery, never a loss.
   */
  #deadLetter(letter: DeadLetter<StreamEntry>): void {
    const { stream, group, consumer } = this.#o;
    const entry = letter.record;
    const fields = [
      'id',
      entry.id,
      'stream',
      stream,
      'group',
      group,
      'consumer',
      consumer,
      'deliveries',
      letter.attempts,
      'at',
      letter.at,
      'error',
      JSON.stringify(letter.error),
      'history',
      JSON.stringify(letter.history),
      'fields',
      JSON.stringify(entry.pairs),
    ];
    this.#letters.push([entry.id, fields.length, ...fields]);
  }
}
