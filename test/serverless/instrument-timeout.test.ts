import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DeadlineExceededError,
  isDeadlineExceededError,
  manualClock,
} from '../../src/core/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext, never, settle } from './helpers.js';

const event = {
  httpMethod: 'POST',
  headers: {
    Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.Zm9vYmFy',
    Host: 'api.test',
  },
  body: JSON.stringify({ orderId: 7, password: 'pw-Xq81Lz' }),
};

describe('instrument: early timeout (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a handler that never settles is aborted at remaining − margin, with a diagnostic', async () => {
    const sink = memorySink();
    let signal: AbortSignal | undefined;
    const handler = instrument(
      (_e: typeof event, _c, tools) => {
        signal = tools.signal;
        return never();
      },
      { sink, advice: false },
    );
    const outcome = settle(handler(event, lambdaContext(3000)));
    await vi.advanceTimersByTimeAsync(1999);
    expect(outcome.result).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    expect(sink.lines).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1);
    expect(outcome.result?.ok).toBe(false);
    const error = (outcome.result as { error: unknown }).error;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(isDeadlineExceededError(error)).toBe(true);
    expect(error).toMatchObject({ deadlineMs: 2000, elapsedMs: 2000 });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);

    const [diagnostic] = sink.records<Diagnostic>();
    expect(sink.lines).toHaveLength(1);
    expect(diagnostic).toMatchObject({
      type: 'diagnostic',
      reason: 'timeout',
      error: { name: 'DeadlineExceededError', deadlineMs: 2000 },
      context: {
        requestId: 'req-1',
        functionName: 'orders-handler',
        memoryLimitMB: 512,
        remainingMsAtStart: 3000,
        coldStart: true,
      },
      durationMs: 2000,
      budgetMs: 3000,
      marginMs: 1000,
    });
    expect(diagnostic!.event).toMatchObject({
      httpMethod: 'POST',
      headers: { Authorization: '[REDACTED]', Host: 'api.test' },
    });
    expect(JSON.parse((diagnostic!.event as { body: string }).body)).toEqual({
      orderId: 7,
      password: '[REDACTED]',
    });
    expect(sink.lines[0]).not.toContain('pw-Xq81Lz');
    expect(sink.lines[0]).not.toContain('eyJzdWIiOiIxIn0');
  });

  it('timeoutMs gives the budget when there is no context; the deadline is handed to the handler', async () => {
    const sink = memorySink();
    const start = Date.now();
    let deadline = 0;
    const handler = instrument(
      (_e: unknown, _c, tools) => {
        deadline = tools.deadline;
        return never();
      },
      { sink, timeoutMs: 500, timeoutMarginMs: 100, advice: false },
    );
    const outcome = settle(handler({ id: 1 }));
    expect(deadline).toBe(start + 400);
    await vi.advanceTimersByTimeAsync(399);
    expect(outcome.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect((outcome.result as { error: unknown }).error).toBeInstanceOf(DeadlineExceededError);
    expect(sink.records<Diagnostic>()[0]).toMatchObject({
      reason: 'timeout',
      event: { id: 1 },
      budgetMs: 500,
      context: { functionName: 'handler' },
    });
  });

  it('the stricter of the remaining time and timeoutMs wins', async () => {
    const handler = instrument(() => never(), {
      sink: memorySink(),
      timeoutMs: 10_000,
      advice: false,
    });
    const outcome = settle(handler({}, lambdaContext(2500)));
    await vi.advanceTimersByTimeAsync(1500);
    expect((outcome.result as { error: DeadlineExceededError }).error.deadlineMs).toBe(1500);
  });

  it('onTimeout resolves the invocation with its value instead of rejecting', async () => {
    const sink = memorySink();
    const onTimeout = vi.fn((e: { id: number }) => ({
      statusCode: 503,
      body: `retry ${e.id} later`,
    }));
    const handler = instrument(() => never<{ statusCode: number; body: string }>(), {
      sink,
      onTimeout,
      advice: false,
    });
    const outcome = settle(handler({ id: 9 }, lambdaContext(2000)));
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcome.result).toEqual({ ok: true, value: { statusCode: 503, body: 'retry 9 later' } });
    expect(onTimeout).toHaveBeenCalledWith({ id: 9 });
    expect(sink.records<Diagnostic>()[0]?.reason).toBe('timeout');
  });

  it("the handler's late result is ignored and its late rejection is never unhandled", async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const sink = memorySink();
      const handler = instrument(
        (_e: unknown, _c, { signal }) =>
          new Promise<string>((_resolve, reject) => {
            // Rejects 500 ms after the abort, as slow cleanup code would.
            signal.addEventListener('abort', () =>
              setTimeout(() => reject(new Error('late failure')), 500),
            );
          }),
        { sink, advice: false },
      );
      const outcome = settle(handler({}, lambdaContext(2000)));
      await vi.advanceTimersByTimeAsync(1000);
      expect((outcome.result as { error: unknown }).error).toBeInstanceOf(DeadlineExceededError);
      await vi.advanceTimersByTimeAsync(600);
      await Promise.resolve();
      expect(unhandled).not.toHaveBeenCalled();
      expect(sink.lines).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a handler that finishes in time clears its timer and writes no diagnostic', async () => {
    const sink = memorySink();
    const handler = instrument(
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        return 'done';
      },
      { sink, advice: false },
    );
    const outcome = settle(handler({}, lambdaContext(5000)));
    await vi.advanceTimersByTimeAsync(100);
    expect(outcome.result).toEqual({ ok: true, value: 'done' });
    expect(sink.lines).toEqual([]);
  });

  it('names the operations still in flight', async () => {
    const sink = memorySink();
    const handler = instrument(
      async (_e: unknown, _c, tools) => {
        await tools.track(
          'charge-card',
          (signal) =>
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason)),
            ),
        );
      },
      { sink, advice: false },
    );
    const outcome = settle(handler({}, lambdaContext(2000)));
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcome.result?.ok).toBe(false);
    expect(sink.records<Diagnostic>()[0]!.inFlight).toEqual([
      { label: 'charge-card', via: 'track', runningMs: 1000 },
    ]);
  });
});

describe('instrument: timeout with an injected manual clock', () => {
  it('the clock drives the deadline and leaves no pending timer', async () => {
    const clock = manualClock(1_000_000);
    const sink = memorySink();
    const handler = instrument(() => never(), {
      sink,
      clock,
      timeoutMs: 300,
      timeoutMarginMs: 50,
      advice: false,
    });
    const outcome = settle(handler({}));
    await clock.advance(249);
    expect(outcome.result).toBeUndefined();
    await clock.advance(1);
    expect((outcome.result as { error: unknown }).error).toBeInstanceOf(DeadlineExceededError);
    expect(clock.pendingTimers()).toBe(0);
    expect(sink.records<Diagnostic>()[0]!.time).toBe(new Date(1_000_250).toISOString());
  });
});
