import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  constant,
  isRetryBudgetExhaustedError,
  manualClock,
  retry,
  retryBudget,
  type SelfhealEvent,
} from '../../src/core/index.js';

/** An operation that fails `n` times with the given errors, then returns 'ok'. */
function failing(n: number, makeError: (i: number) => unknown = (i) => new Error(`fail ${i}`)) {
  const attempts: number[] = [];
  const fn = ({ attempt }: { attempt: number }) => {
    attempts.push(attempt);
    if (attempts.length <= n) throw makeError(attempts.length);
    return 'ok';
  };
  return { fn, attempts };
}

describe('retry', () => {
  it('retries until success, passing the attempt number, sleeping the backoff on the clock', async () => {
    const clock = manualClock();
    const policy = retry({
      limit: 3,
      backoff: { baseMs: 100, maxMs: 1000, jitter: 'none' },
      clock,
    });
    const events: SelfhealEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const { fn, attempts } = failing(2);
    const result = policy.execute(fn);
    await clock.advance(99);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(200);
    await expect(result).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(events.map((e) => [e.type, 'delayMs' in e ? e.delayMs : undefined])).toEqual([
      ['retry', 100],
      ['retry', 200],
    ]);
    expect(events[0]).toMatchObject({ source: 'retry', attempt: 1, reason: 'backoff' });
  });

  it('rethrows the last error unchanged once the limit is spent', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 2, backoff: constant(10), clock });
    const errors: Error[] = [];
    const result = policy.execute(() => {
      const e = new Error(`attempt ${errors.length + 1}`);
      errors.push(e);
      throw e;
    });
    const settled = result.catch((e: unknown) => e);
    await clock.advance(50);
    expect(await settled).toBe(errors[2]);
    expect(errors).toHaveLength(3);
  });

  it('a server-provided retryAfterMs wins over the backoff, capped by maxRetryAfterMs', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 2, backoff: constant(10), maxRetryAfterMs: 5000, clock });
    const delays: number[] = [];
    policy.on('retry', (e) => delays.push(e.delayMs));
    const retryAfters = [1500, 60_000];
    const { fn } = failing(2, (i) =>
      Object.assign(new Error('429'), { retryAfterMs: retryAfters[i - 1] }),
    );
    const result = policy.execute(fn);
    await clock.advance(7000);
    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([1500, 5000]);
  });

  it('retryAfterMs 0 means "now": retried at once, reason retry-after (a half-open breaker\'s 0 backs off)', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 2, backoff: constant(10), clock });
    const retries: Array<{ delayMs: number; reason: string }> = [];
    policy.on('retry', (e) => retries.push({ delayMs: e.delayMs, reason: e.reason }));
    const errors = [
      Object.assign(new Error('503'), { retryAfterMs: 0 }),
      new BrokenCircuitError('half-open', 0),
    ];
    const { fn } = failing(2, (i) => errors[i - 1]!);
    const result = policy.execute(fn);
    await clock.advance(10);
    await expect(result).resolves.toBe('ok');
    expect(retries).toEqual([
      { delayMs: 0, reason: 'retry-after' },
      { delayMs: 10, reason: 'backoff' },
    ]);
  });

  it('ignores a malformed retryAfterMs (negative, NaN, not a number)', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 3, backoff: constant(10), clock });
    const delays: number[] = [];
    policy.on('retry', (e) => delays.push(e.delayMs));
    const bad = [-5, Number.NaN, '300'];
    const { fn } = failing(3, (i) => Object.assign(new Error('x'), { retryAfterMs: bad[i - 1] }));
    const result = policy.execute(fn);
    await clock.advance(100);
    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([10, 10, 10]);
  });

  it('does not retry what shouldRetry refuses', async () => {
    const policy = retry({
      limit: 5,
      shouldRetry: ({ error }) => (error as Error).message !== 'fatal',
      clock: manualClock(),
    });
    const { fn, attempts } = failing(3, () => new Error('fatal'));
    await expect(policy.execute(fn)).rejects.toThrow('fatal');
    expect(attempts).toEqual([1]);
  });

  it('an abort during the backoff sleep rejects with the reason and leaves no timer', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 5, backoff: constant(1000), clock });
    const controller = new AbortController();
    const { fn, attempts } = failing(5);
    const result = policy.execute(fn, { signal: controller.signal });
    await clock.advance(10);
    controller.abort(new Error('user cancelled'));
    await expect(result).rejects.toThrow('user cancelled');
    expect(attempts).toEqual([1]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses to sleep past the operation deadline and rethrows the failure', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 5, backoff: constant(10), clock });
    const { fn, attempts } = failing(5, () =>
      Object.assign(new Error('open'), { retryAfterMs: 5000 }),
    );
    await expect(policy.execute(fn, { deadline: 1000 })).rejects.toThrow('open');
    expect(attempts).toEqual([1]);
  });

  it('stops a storm with RetryBudgetExhaustedError once the budget is spent', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0, minPerSecond: 0.2, windowMs: 10_000, clock }); // 2 retries per window
    const policy = retry({ limit: 10, backoff: constant(1), budget, clock });
    const rejected: SelfhealEvent[] = [];
    policy.on('rejected', (e) => rejected.push(e));
    const cause = new Error('down');
    const result = policy.execute(() => {
      throw cause;
    });
    const settled = result.catch((e: unknown) => e);
    await clock.advance(10);
    const error = await settled;
    expect(isRetryBudgetExhaustedError(error)).toBe(true);
    expect(error).toMatchObject({ attempts: 3, retriesAllowed: 2, cause });
    expect(rejected).toHaveLength(1);
    expect(budget.counts()).toEqual({ requests: 1, retries: 2 });
  });

  it('retry(n) is shorthand for { limit: n } and options are validated', () => {
    expect(retry(4).limit).toBe(4);
    expect(retry().limit).toBe(3);
    expect(() => retry(-1)).toThrow(/`limit`/);
    expect(() => retry({ limit: 1.5 })).toThrow(/`limit`.*integer/);
    expect(() => retry({ maxRetryAfterMs: -1 })).toThrow(/`maxRetryAfterMs`/);
    expect(() => retry({ shouldRetry: 'yes' as never })).toThrow(/`shouldRetry`.*function/);
    expect(() => retry({ budget: { ratio: 2 } })).toThrow(/`budget.ratio`/);
    expect(() => retry({ backoff: { jitter: 'x' as never } })).toThrow(/`backoff.jitter`/);
  });
});
