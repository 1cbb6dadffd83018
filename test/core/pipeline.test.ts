import { describe, expect, it } from 'vitest';
import {
  BasePolicy,
  circuitBreaker,
  constant,
  contextOf,
  deadline,
  type ExecuteOptions,
  manualClock,
  type Operation,
  pipeline,
  retry,
  type SelfhealEvent,
  timeout,
} from '../../src/core/index.js';

/** A user-defined policy: proves the contract is open, and records the order of entry. */
class Recorder extends BasePolicy {
  readonly kind = 'recorder';
  constructor(
    readonly label: string,
    readonly log: string[],
  ) {
    super();
  }
  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    this.log.push(`${this.label}>${ctx.attempt}`);
    try {
      return await fn(ctx); // inside an async function a synchronous throw rejects too
    } finally {
      this.log.push(`<${this.label}`);
    }
  }
}

describe('pipeline', () => {
  it('nests policies outer → inner and passes the attempt down', async () => {
    const log: string[] = [];
    const clock = manualClock();
    const policy = pipeline(
      new Recorder('a', log),
      retry({ limit: 1, backoff: constant(0), clock }),
      new Recorder('b', log),
    );
    let calls = 0;
    const result = policy.execute(({ attempt }) => {
      log.push(`op${attempt}`);
      if (++calls === 1) throw new Error('once');
      return 'done';
    });
    await clock.advance(0);
    await expect(result).resolves.toBe('done');
    expect(log).toEqual(['a>1', 'b>1', 'op1', '<b', 'b>2', 'op2', '<b', '<a']);
  });

  it('retry outside timeout: each attempt gets its own timeout and a fresh signal', async () => {
    const clock = manualClock();
    const signals: AbortSignal[] = [];
    const policy = pipeline(
      retry({ limit: 2, backoff: constant(0), clock }),
      timeout(100, { clock }),
    );
    const result = policy.execute(({ signal, attempt }) => {
      signals.push(signal);
      return attempt < 3 ? new Promise<never>(() => {}) : 'third time';
    });
    await clock.advance(100);
    await clock.advance(100);
    await expect(result).resolves.toBe('third time');
    expect(signals.map((s) => s.aborted)).toEqual([true, true, false]);
  });

  it('timeout outside retry: one limit for every attempt together', async () => {
    const clock = manualClock();
    const policy = pipeline(
      timeout(100, { clock }),
      retry({ limit: 10, backoff: constant(40), clock }),
    );
    let attempts = 0;
    const settled = policy
      .execute(() => {
        attempts++;
        throw new Error('x');
      })
      .catch((e: unknown) => e);
    await clock.advance(100);
    expect(await settled).toMatchObject({ name: 'TimeoutError' });
    expect(attempts).toBe(3);
  });

  it('retry outside the breaker waits through an open circuit when the deadline allows', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 1000 });
    const policy = pipeline(retry({ limit: 3, backoff: constant(10), clock }), breaker);
    let calls = 0;
    const result = policy.execute(() => {
      calls++;
      if (calls === 1) throw new Error('503');
      return 'recovered';
    });
    // attempt 1 fails and opens; attempt 2 meets the open breaker; its retryAfterMs (≈990 ms) is honoured.
    await clock.advance(1100);
    await expect(result).resolves.toBe('recovered');
    expect(calls).toBe(2);
  });

  it('fails at once with BrokenCircuitError when the deadline does not allow the wait', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 10_000 });
    await expect(breaker.execute(() => Promise.reject(new Error('503')))).rejects.toThrow();
    // The first probe comes after 1 s (probeInterval's minMs): more than the deadline allows.
    const policy = pipeline(
      deadline(500, { clock }),
      retry({ limit: 5, backoff: constant(10), clock }),
      breaker,
    );
    const settled = policy.execute(() => 'never').catch((e: unknown) => e);
    await clock.advance(0);
    expect(await settled).toMatchObject({ name: 'BrokenCircuitError', state: 'open' });
  });

  it('one listener sees every event of every policy in order; the disposer stops it', async () => {
    const clock = manualClock();
    const policy = pipeline(
      retry({ limit: 1, backoff: constant(5), clock }),
      timeout(1000, { clock }),
    );
    const events: SelfhealEvent[] = [];
    const dispose = policy.onEvent((e) => events.push(e));
    const retries: number[] = [];
    policy.on('retry', (e) => retries.push(e.delayMs));
    let n = 0;
    const result = policy.execute(() => {
      if (n++ === 0) throw new Error('first');
      return 'ok';
    });
    await clock.advance(5);
    await result;
    expect(events.map((e) => `${e.source}:${e.type}`)).toEqual([
      'pipeline:attempt',
      'pipeline:failure',
      'retry:retry',
      'pipeline:attempt',
      'pipeline:success',
    ]);
    expect(retries).toEqual([5]);
    dispose();
    await policy.execute(() => 'quiet');
    expect(events).toHaveLength(5);
  });

  it('a throwing listener does not break the operation', async () => {
    const policy = pipeline(retry(0));
    policy.onEvent(() => {
      throw new Error('listener bug');
    });
    await expect(policy.execute(() => 'fine')).resolves.toBe('fine');
  });

  it('rejects anything that is not a policy', () => {
    expect(() => pipeline(retry(1), 42 as never)).toThrow(/`policies\[1\]`/);
  });
});
