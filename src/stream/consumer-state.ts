/**
 * What a running consumer knows about itself: whether it is stopping, whether it sits in
 * a blocking read (so `stop()` can end it with CLIENT UNBLOCK instead of waiting it out),
 * its Redis health, and its counts. It also builds the consumer's public face.
 */
import { type Disposer, EventHub, type EventSource } from '../core/internal.js';
import type { ResolvedConsumerOptions } from './consumer-options.js';
import { type StreamEmit, type StreamEventMap, streamEmitter } from './events.js';
import type { StreamHealth } from './health.js';
import type { StreamProcessor } from './processor.js';
import type { RedisConnection } from './redis-client.js';

/** A consumer's health: the processor's counts plus the broker's. */
export interface ConsumerHealth extends StreamHealth {
  /** Entries taken over from idle pending lists (retries and crashed consumers' entries). */
  claimed: number;
  /** Pending entries found deleted from the stream (dropped from the pending list by Redis). */
  deleted: number;
  /** Acknowledgements Redis found already done (another consumer took the entry over and finished it). */
  alreadyAcked: number;
  /** Redis calls that failed (each was retried). */
  redisErrors: number;
  /** Times the consumer's connection came back after it was lost. */
  reconnects: number;
  /** True while the last Redis call succeeded. */
  connected: boolean;
}

/** A running {@link consumeStream} loop. */
export interface StreamConsumer {
  readonly name: string;
  /** Every transition of every entry, and the broker's events (`claimed`, `redis-error`, …). */
  readonly events: EventSource<StreamEventMap>;
  /** Resolves when the loop has ended and its connection is closed. */
  readonly done: Promise<void>;
  /** Stops reading, finishes the batch in hand, acknowledges it, closes the connection. */
  stop(): Promise<void>;
  health(): ConsumerHealth;
}

/** Mutable state of one consumer, written only by it. */
export class ConsumerState {
  readonly hub = new EventHub<StreamEventMap>();
  readonly #emit: StreamEmit;
  stopping = false;
  groupReady = false;
  readonly #o: ResolvedConsumerOptions;
  readonly #conn: RedisConnection;
  readonly #wake = new AbortController();
  readonly #counts = { claimed: 0, deleted: 0, alreadyAcked: 0, redisErrors: 0, reconnects: 0 };
  #downSince: number | undefined;
  #clientId: unknown;
  #blocked = false;
  #leave: Disposer | undefined;
  #wasReady = false;
  // ioredis reconnects by itself and queues commands meanwhile: its connection events are
  // how an outage that no command saw fail still shows in health and events.
  readonly #listeners = {
    close: () => {
      this.#clientId = undefined;
      if (this.#wasReady && !this.#closed) this.#downSince ??= this.#o.clock.now();
    },
    ready: () => {
      if (this.#wasReady) this.#counts.reconnects++;
      this.#wasReady = true;
      this.recovered();
    },
    // Counted through the failing commands; a listener keeps ioredis from printing them.
    error: () => {},
  };
  #closed = false;

  constructor(o: ResolvedConsumerOptions, conn: RedisConnection) {
    this.#o = o;
    this.#emit = streamEmitter(this.hub, o.name, o.clock);
    this.#conn = conn;
    for (const [event, listener] of Object.entries(this.#listeners))
      conn.on(event as 'close', listener);
  }

  /** Aborts when `stop()` is called: ends a backoff sleep early. */
  get wake(): AbortSignal {
    return this.#wake.signal;
  }

  /** Runs a read; a blocking one is marked so `stop()` can unblock it. */
  async blocking<T>(isBlocking: boolean, read: () => Promise<T>): Promise<T> {
    if (!isBlocking) return read();
    this.#clientId ??= await this.#conn.call('CLIENT', ['ID']);
    if (this.stopping) return undefined as T;
    this.#blocked = true;
    try {
      return await read();
    } finally {
      this.#blocked = false;
    }
  }

  claimed(count: number, deleted: number): void {
    this.#counts.claimed += count;
    this.#counts.deleted += deleted;
    if (count + deleted > 0) this.#emit('claimed', { count, deleted });
  }

  acked(sent: number, acked: number): void {
    this.#counts.alreadyAcked += sent - acked;
  }

  failed(operation: string, error: unknown, retryInMs: number): void {
    this.#counts.redisErrors++;
    this.#downSince ??= this.#o.clock.now();
    this.#emit('redis-error', { operation, error, retryInMs });
  }

  recovered(): void {
    if (this.#downSince === undefined) return;
    const downMs = this.#o.clock.now() - this.#downSince;
    this.#downSince = undefined;
    this.#emit('redis-recovered', { downMs });
  }

  /** The public object; `loop` is the running loop. */
  expose(processor: StreamProcessor<unknown>, loop: Promise<void>): StreamConsumer {
    const health = (): ConsumerHealth => ({
      ...processor.health(),
      ...this.#counts,
      connected: this.#downSince === undefined,
    });
    this.#leave = this.#o.registry?.register({
      name: this.#o.name,
      kind: 'stream',
      health,
      events: this.hub,
    });
    return {
      name: this.#o.name,
      events: this.hub,
      done: loop,
      health,
      stop: () => {
        if (!this.stopping) {
          this.stopping = true;
          this.#wake.abort();
          if (this.#blocked && this.#clientId !== undefined)
            this.#o.redis.call('CLIENT', ['UNBLOCK', String(this.#clientId)]).catch(() => {});
        }
        return loop;
      },
    };
  }

  /** After the loop: closes the connection and leaves the service map. */
  close(): void {
    this.#closed = true;
    this.#conn.disconnect();
    for (const [event, listener] of Object.entries(this.#listeners))
      this.#conn.off(event as 'close', listener);
    this.#leave?.();
  }
}
