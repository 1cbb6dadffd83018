import { describe, expect, it } from 'vitest';
import {
  constant,
  deadline,
  isDeadlineExceededError,
  isTimeoutError,
  manualClock,
  pipeline,
  retry,
  timeout,
} from '../../src/core/index.js';

const never = () => new Promise<never>(() => {});

describe('timeout', () => {
  it('aborts the attempt signal and rejects with TimeoutError at the limit', async () => {
    const clock = manualClock();
    const policy = timeout(200, { clock });
    let seen: AbortSignal | undefined;
    const result = policy.execute(({ signal }) => {
      seen = signal;
      return never();
    });
    const settled = result.catch((e: unknown) => e);
    await clock.advance(199);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    const error = await settled;
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 200 });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('clears its timer when the operation settles first', async () => {
    const clock = manualClock();
    await expect(timeout(200, { clock }).execute(() => 'fast')).resolves.toBe('fast');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects on time even when the operation ignores its signal, and swallows the late rejection', async () => {
    const clock = manualClock();
    let lateReject!: (e: Error) => void;
    const result = timeout(50, { clock }).execute(
      () => new Promise((_, reject) => (lateReject = reject)),
    );
    const settled = result.catch((e: unknown) => e);
    await clock.advance(50);
    expect(isTimeoutError(await settled)).toBe(true);
    lateReject(new Error('late')); // must not surface as an unhandled rejection
    await clock.advance(0);
  });

  it('forwards a caller abort to the operation', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const result = timeout(1000, { clock }).execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
      { signal: controller.signal },
    );
    controller.abort(new Error('caller'));
    await expect(result).rejects.toThrow('caller');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('validates ms', () => {
    expect(() => timeout(0)).toThrow(/`timeout`.*> 0/);
    expect(() => timeout(Number.NaN)).toThrow(TypeError);
    expect(() => deadline(-1)).toThrow(/`deadline`/);
  });
});

describe('deadline', () => {
  it('bounds the whole operation, retries and backoff included', async () => {
    const clock = manualClock();
    const policy = pipeline(
      deadline(1000, { clock }),
      retry({ limit: 100, backoff: constant(300), clock }),
    );
    let attempts = 0;
    const result = policy.execute(() => {
      attempts++;
      throw new Error('flaky');
    });
    const settled = result.catch((e: unknown) => e);
    await clock.advance(1000);
    const error = await settled;
    // retry refuses a sleep that would cross the deadline: attempts at 0, 300, 600, 900 — then it stops.
    expect(attempts).toBe(4);
    expect((error as Error).message).toBe('flaky');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fails with DeadlineExceededError when an attempt runs past it', async () => {
    const clock = manualClock();
    const policy = deadline(500, { clock });
    let deadlineSeen: number | undefined;
    const result = policy.execute(({ deadline: d }) => {
      deadlineSeen = d;
      return never();
    });
    const settled = result.catch((e: unknown) => e);
    await clock.advance(500);
    const error = await settled;
    expect(deadlineSeen).toBe(500);
    expect(isDeadlineExceededError(error)).toBe(true);
    expect(error).toMatchObject({ deadlineMs: 500, elapsedMs: 500 });
  });

  it('an inner deadline never extends an outer one', async () => {
    const clock = manualClock();
    let seen: number | undefined;
    await pipeline(deadline(100, { clock }), deadline(5000, { clock })).execute(
      ({ deadline: d }) => {
        seen = d;
      },
    );
    expect(seen).toBe(100);
  });
});
