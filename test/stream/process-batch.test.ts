import { describe, expect, it } from 'vitest';
import { manualClock, memoryStore, sleep } from '../../src/core/index.js';
import {
  type DeadLetter,
  DeadLetterError,
  DeliveryLimitError,
  processBatch,
  RecordTimeoutError,
  type StreamEvent,
  streamProcessor,
} from '../../src/stream/index.js';
import { createRegistry } from '../../src/telemetry/index.js';

type Rec = { id: string; n: number };
const recs = (n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, n: i }));
const failOn =
  (...bad: number[]) =>
  (r: Rec) => {
    if (bad.includes(r.n)) throw new Error(`cannot handle ${r.n}`);
  };

describe('processBatch: the poison state machine', () => {
  it('reports nothing when every record succeeds', async () => {
    const seen: string[] = [];
    const result = await processBatch(recs(5), (r) => void seen.push(r.id), { onPoison: 'skip' });
    expect(result.failures).toEqual([]);
    expect(result.counts.processed).toBe(5);
    expect(seen).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('reports a failed record for retry below maxAttempts, with a record-failed event', async () => {
    const p = streamProcessor<Rec>({ onPoison: 'skip', maxAttempts: 3 });
    const events: StreamEvent[] = [];
    p.events.onEvent((e) => events.push(e));
    const result = await p.process(recs(4), failOn(2));
    expect(result.failures).toEqual(['r2']);
    expect(result.outcomes[2]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(events.find((e) => e.type === 'record-failed')).toMatchObject({
      id: 'r2',
      attempt: 1,
      maxAttempts: 3,
      processor: 'stream',
    });
  });

  it('dead-letters on the maxAttempts-th failure with the redacted error and the history, then reports success', async () => {
    const letters: DeadLetter<Rec>[] = [];
    const clock = manualClock(1_000);
    const p = streamProcessor<Rec>({
      maxAttempts: 3,
      deadLetter: (l) => void letters.push(l),
      clock,
    });
    const handler = (r: Rec) => {
      if (r.n === 1) throw new Error('upstream refused Authorization: Bearer abc.def.ghi');
    };
    const failures: string[][] = [];
    for (let i = 0; i < 3; i++) {
      failures.push((await p.process(recs(3), handler)).failures);
      await clock.advance(10);
    }
    expect(failures).toEqual([['r1'], ['r1'], []]);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter).toMatchObject({ id: 'r1', record: { id: 'r1', n: 1 }, attempts: 3 });
    expect(letter!.error.name).toBe('Error');
    expect(letter!.error.message).not.toContain('abc.def.ghi');
    expect(letter!.history.countedBy).toBe('store');
    expect(letter!.history.failures.map((f) => [f.attempt, f.at])).toEqual([
      [1, 1_000],
      [2, 1_010],
      [3, 1_020],
    ]);
    expect(letter!.history.failures[0]!.error).not.toContain('abc.def.ghi');
    expect(p.health()).toMatchObject({ processed: 6, retried: 2, deadLettered: 1 });
  });

  it("onPoison: 'skip' drops the poison record with an event", async () => {
    const p = streamProcessor<Rec>({ maxAttempts: 1, onPoison: 'skip' });
    const skipped: unknown[] = [];
    p.events.on('record-skipped', (e) => skipped.push(e.id));
    const result = await p.process(recs(3), failOn(0));
    expect(result.failures).toEqual([]);
    expect(result.outcomes[0]!.status).toBe('skipped');
    expect(skipped).toEqual(['r0']);
  });

  it('keeps the record failed when the dead-letter sink fails: never lost silently', async () => {
    const p = streamProcessor<Rec>({
      maxAttempts: 1,
      deadLetter: async () => {
        throw new Error('DLQ unavailable');
      },
    });
    const events: StreamEvent[] = [];
    p.events.onEvent((e) => events.push(e));
    const result = await p.process(recs(2), failOn(1));
    expect(result.failures).toEqual(['r1']);
    const error = result.outcomes[1]!.error as DeadLetterError;
    expect(error).toBeInstanceOf(DeadLetterError);
    expect((error.cause as Error).message).toBe('DLQ unavailable');
    expect((error.recordError as Error).message).toBe('cannot handle 1');
    expect(events.map((e) => e.type)).toContain('dead-letter-failed');
    expect(p.health()).toMatchObject({ deadLetterFailures: 1, deadLettered: 0 });
  });

  it('isPoison sends errors that can never succeed to the sink at once', async () => {
    const letters: string[] = [];
    const result = await processBatch(recs(3), failOn(2), {
      maxAttempts: 5,
      isPoison: (e) => e instanceof Error && e.message.startsWith('cannot'),
      deadLetter: (l) => void letters.push(l.id),
    });
    expect(result.failures).toEqual([]);
    expect(letters).toEqual(['r2']);
  });

  it("trusts the source's delivery count: poison at maxAttempts, and past it without running", async () => {
    const calls: string[] = [];
    const letters: DeadLetter<Rec & { count: number }>[] = [];
    const records = [
      { id: 'a', n: 0, count: 2 },
      { id: 'b', n: 1, count: 3 },
      { id: 'c', n: 2, count: 4 },
    ];
    const result = await processBatch(
      records,
      (r) => {
        calls.push(r.id);
        throw new Error('still failing');
      },
      {
        maxAttempts: 3,
        receiveCountOf: (r) => r.count,
        deadLetter: (l) => void letters.push(l),
      },
    );
    expect(calls).toEqual(['a', 'b']);
    expect(result.failures).toEqual(['a']);
    expect(letters.map((l) => [l.id, l.attempts, l.history.countedBy]).sort()).toEqual([
      ['b', 3, 'source'],
      ['c', 4, 'source'],
    ]);
    expect(letters.find((l) => l.id === 'c')!.error.name).toBe(
      new DeliveryLimitError('c', 4, 3).name,
    );
  });

  it('counts attempts in the given store across processors (a fleet shares them)', async () => {
    const store = memoryStore();
    const options = { maxAttempts: 2, onPoison: 'skip' as const, store, name: 'orders' };
    const first = await processBatch(recs(2), failOn(1), options);
    const second = await processBatch(recs(2), failOn(1), options);
    expect(first.outcomes[1]!.status).toBe('failed');
    expect(second.outcomes[1]).toMatchObject({ status: 'skipped', attempts: 2 });
  });

  it('forgets an attempt count after attemptTtlMs', async () => {
    const clock = manualClock();
    const p = streamProcessor<Rec>({
      maxAttempts: 2,
      onPoison: 'skip',
      attemptTtlMs: 1_000,
      clock,
      store: memoryStore({ clock }),
    });
    await p.process(recs(1), failOn(0));
    await clock.advance(1_001);
    const result = await p.process(recs(1), failOn(0));
    expect(result.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });
});

describe('processBatch: order and concurrency', () => {
  it('ordered: stops at the first failure and reports it with every later record', async () => {
    const seen: string[] = [];
    const events: StreamEvent[] = [];
    const p = streamProcessor<Rec>({ ordered: true, onPoison: 'skip', maxAttempts: 3 });
    p.events.onEvent((e) => events.push(e));
    const result = await p.process(recs(6), (r) => {
      seen.push(r.id);
      failOn(2)(r);
    });
    expect(seen).toEqual(['r0', 'r1', 'r2']);
    expect(result.failures).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(result.counts).toMatchObject({ processed: 2, failed: 1, unprocessed: 3 });
    expect(events.find((e) => e.type === 'group-stopped')).toMatchObject({
      id: 'r2',
      unprocessed: 3,
    });
  });

  it('ordered per group: the failing group stops, the other groups go on', async () => {
    const records = recs(9).map((r) => ({ ...r, g: `g${r.n % 3}` }));
    const result = await processBatch(records, failOn(1), {
      groupOf: (r) => r.g,
      onPoison: 'skip',
    });
    // g1 holds r1, r4, r7: r1 fails, r4 and r7 wait; g0 and g2 complete.
    expect(result.failures).toEqual(['r1', 'r4', 'r7']);
    expect(result.counts.processed).toBe(6);
  });

  it('ordered: a dead-lettered record lets its group move on', async () => {
    const result = await processBatch(recs(4), failOn(1), {
      ordered: true,
      maxAttempts: 1,
      deadLetter: () => {},
    });
    expect(result.failures).toEqual([]);
    expect(result.outcomes.map((o) => o.status)).toEqual([
      'processed',
      'dead-lettered',
      'processed',
      'processed',
    ]);
  });

  it.each([1, 3])('runs at most `concurrency` (%i) records at once', async (concurrency) => {
    let running = 0;
    let peak = 0;
    const clock = manualClock();
    const done = processBatch(
      recs(10),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(clock, 5);
        running--;
      },
      { concurrency, onPoison: 'skip', clock },
    );
    await clock.advance(100);
    expect((await done).counts.processed).toBe(10);
    expect(peak).toBe(concurrency);
  });

  it('concurrency 1 is strictly sequential: a record starts after the previous one settled', async () => {
    const log: string[] = [];
    const clock = manualClock();
    const done = processBatch(
      recs(3),
      async (r) => {
        log.push(`start ${r.id}`);
        await sleep(clock, 10 - r.n);
        log.push(`end ${r.id}`);
      },
      { concurrency: 1, onPoison: 'skip', clock },
    );
    await clock.advance(100);
    await done;
    expect(log).toEqual(['start r0', 'end r0', 'start r1', 'end r1', 'start r2', 'end r2']);
  });
});

describe('processBatch: deadlines, timeouts and signals', () => {
  it('stops taking records at the deadline and names the record in hand', async () => {
    const clock = manualClock(0);
    const p = streamProcessor<Rec>({ concurrency: 1, onPoison: 'skip', clock });
    const events: StreamEvent[] = [];
    p.events.onEvent((e) => events.push(e));
    const done = p.process(recs(6), (_r, ctx) => sleep(clock, 100, ctx.signal), {
      deadline: 350,
    });
    await clock.advance(400);
    const result = await done;
    // The margin (100 ms) puts the stop at 250: r0 and r1 done, r2 in hand, r3–r5 untouched.
    expect(result.failures).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(result.stopped).toEqual({ reason: 'deadline', inHand: ['r2'], untouched: 3 });
    const error = result.outcomes[2]!.error as Error;
    expect(error.name).toBe('DeadlineExceededError');
    expect(error.message).toContain('record r2 in hand');
    expect(events.find((e) => e.type === 'batch-stopped')).toMatchObject({ inHand: ['r2'] });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('answers at the deadline even when the handler in hand ignores its signal', async () => {
    const clock = manualClock(0);
    const done = processBatch(recs(2), () => new Promise(() => {}), {
      deadline: 200,
      deadlineMarginMs: 50,
      onPoison: 'skip',
      clock,
    });
    await clock.advance(150);
    const result = await done;
    expect(result.failures).toEqual(['r0', 'r1']);
    expect(result.stopped?.inHand).toEqual(['r0', 'r1']);
  });

  it('fails a record after recordTimeoutMs and aborts its signal', async () => {
    const clock = manualClock(0);
    let aborted: unknown;
    const done = processBatch(
      recs(2),
      (r, ctx) =>
        r.n === 0
          ? new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => {
                aborted = ctx.signal.reason;
                reject(ctx.signal.reason);
              }),
            )
          : undefined,
      { recordTimeoutMs: 500, onPoison: 'skip', clock },
    );
    await clock.advance(500);
    const result = await done;
    expect(result.failures).toEqual(['r0']);
    expect(result.outcomes[0]!.error).toBeInstanceOf(RecordTimeoutError);
    expect((result.outcomes[0]!.error as Error).message).toContain('r0');
    expect(aborted).toBeInstanceOf(RecordTimeoutError);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stops on the caller’s signal', async () => {
    const controller = new AbortController();
    const clock = manualClock();
    const done = processBatch(recs(4), (_r, ctx) => sleep(clock, 10, ctx.signal), {
      concurrency: 1,
      signal: controller.signal,
      onPoison: 'skip',
      clock,
    });
    await clock.advance(15);
    controller.abort();
    const result = await done;
    expect(result.stopped).toMatchObject({ reason: 'aborted', inHand: ['r1'] });
    expect(result.failures).toEqual(['r1', 'r2', 'r3']);
  });
});

describe('processBatch: bad input', () => {
  it('rejects a record without an id, naming its index', async () => {
    await expect(
      processBatch([{ id: 'a' }, { name: 'no id' }] as never[], () => {}, { onPoison: 'skip' }),
    ).rejects.toThrow(/Record at index 1 has no id.*idOf/);
  });

  it('rejects maxAttempts < 1 and a missing dead-letter sink at construction', () => {
    expect(() => streamProcessor({ maxAttempts: 0, onPoison: 'skip' })).toThrow(RangeError);
    expect(() => streamProcessor({ maxAttempts: 0, onPoison: 'skip' })).toThrow(/`maxAttempts`/);
    expect(() => streamProcessor({ maxAttempts: 1.5, onPoison: 'skip' })).toThrow(/integer/);
    expect(() => streamProcessor({})).toThrow(/`deadLetter`/);
    expect(() => streamProcessor({ onPoison: 'drop' as never })).toThrow(/`onPoison`/);
    expect(() => streamProcessor({ onPoison: 'skip', concurrency: 0 })).toThrow(/`concurrency`/);
  });

  it('rejects a handler that is not a function and records that are not an array', async () => {
    const p = streamProcessor({ onPoison: 'skip' });
    await expect(p.process([], 'nope' as never)).rejects.toThrow(TypeError);
    await expect(p.process({} as never, () => {})).rejects.toThrow(/`records`/);
  });
});

describe('health and the service map', () => {
  it('joins the registry as kind stream with its counts and events', async () => {
    const registry = createRegistry();
    const p = streamProcessor<Rec>({
      name: 'orders',
      registry,
      maxAttempts: 1,
      onPoison: 'skip',
      timestampOf: () => Date.now() - 1_000,
    });
    await p.process(recs(3), failOn(1));
    const [dep] = registry.snapshot().dependencies;
    expect(dep).toMatchObject({
      name: 'orders',
      kind: 'stream',
      health: { processed: 2, skipped: 1, inFlight: 0, batches: 1 },
    });
    expect((dep!.health as { lagMs: number }).lagMs).toBeGreaterThanOrEqual(1_000);
    expect(dep!.events!.counts).toMatchObject({ 'record-skipped': 1, batch: 1 });
    p.close();
    expect(registry.size).toBe(0);
  });
});

describe('attempt counter keys', () => {
  it('counts a record with a very long id under a short key', async () => {
    const keys: string[] = [];
    const store = memoryStore();
    const increment = store.counters.increment.bind(store.counters);
    store.counters.increment = (key, options) => {
      keys.push(key);
      return increment(key, options);
    };
    const id = 'x'.repeat(5_000);
    const options = { store, maxAttempts: 2, onPoison: 'skip' as const, name: 'long' };
    await processBatch([{ id, n: 0 }], failOn(0), options);
    const second = await processBatch([{ id, n: 0 }], failOn(0), options);
    expect(second.outcomes[0]).toMatchObject({ status: 'skipped', attempts: 2 });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]!.length).toBeLessThan(100);
    expect(keys[0]!.startsWith('selfheal:attempts:long:#')).toBe(true);
  });
});

describe('store calls', () => {
  const spied = () => {
    const store = memoryStore();
    const calls: string[] = [];
    const { counters } = store;
    store.counters.increment = ((inc) => (key, o) => {
      calls.push(`increment ${key}`);
      return inc(key, o);
    })(counters.increment.bind(counters));
    store.counters.delete = ((del) => (key) => {
      calls.push(`delete ${key}`);
      return del(key);
    })(counters.delete.bind(counters));
    return { store, calls };
  };

  it('a success costs none; a retried record that succeeds deletes its counter', async () => {
    const { store, calls } = spied();
    const p = streamProcessor<Rec>({ store, onPoison: 'skip', name: 'calls' });
    await p.process(recs(50), () => {});
    expect(calls).toEqual([]);
    let fail = true;
    const flaky = (r: Rec) => {
      if (r.n === 3 && fail) throw new Error('once');
    };
    await p.process(recs(5), flaky);
    fail = false;
    await p.process(recs(5), flaky);
    expect(calls).toEqual([
      'increment selfheal:attempts:calls:r3',
      'delete selfheal:attempts:calls:r3',
    ]);
  });

  it("with the source's own count the store is never called", async () => {
    const { store, calls } = spied();
    const p = streamProcessor<Rec & { count: number }>({
      store,
      maxAttempts: 2,
      onPoison: 'skip',
      receiveCountOf: (r) => r.count,
    });
    const handler = (r: Rec) => {
      if (r.n === 1) throw new Error('no');
    };
    await p.process([{ id: 'a', n: 1, count: 1 }], handler);
    await p.process([{ id: 'a', n: 1, count: 2 }], handler);
    await p.process([{ id: 'b', n: 0, count: 2 }], handler);
    expect(calls).toEqual([]);
  });
});
