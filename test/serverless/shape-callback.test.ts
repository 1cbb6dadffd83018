/**
 * Callback-style handlers `(event, context, callback)` (the Node ≤ 22 runtimes), run as
 * the runtime interface client runs them: the wrapper bridges the callback both ways.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../../src/core/index.js';
import {
  type Diagnostic,
  type InvocationTools,
  instrument,
  type LambdaCallback,
} from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { invoke } from './support/fake-runtime.js';

describe('instrument: callback-style handlers under the Lambda runtime', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a later callback(null, result) is the result, through the runtime callback', async () => {
    const sink = memorySink();
    const handler = instrument(
      (event: { id: number }, _context: unknown, callback: LambdaCallback) => {
        setTimeout(() => callback(null, { statusCode: 200, body: `order ${event.id}` }), 50);
      },
      { sink, advice: false },
    );
    const run = invoke(handler, { id: 7 }, { budgetMs: 3000 });
    await vi.advanceTimersByTimeAsync(50);
    // The runtime's own callback answered: callbackWaitsForEmptyEventLoop keeps its meaning.
    expect(await run).toMatchObject({
      mode: 'buffered',
      channel: 'callback',
      result: { statusCode: 200, body: 'order 7' },
    });
    expect(sink.lines).toEqual([]);
    expect(handler.health().outcomes).toEqual({ success: 1, error: 0, timeout: 0 });
  });

  it('callback(error) writes the diagnostic and reaches the runtime as the error', async () => {
    const sink = memorySink();
    const failure = new Error('card declined');
    const handler = instrument(
      (_event: unknown, _context: unknown, callback: LambdaCallback) => {
        setTimeout(() => callback(failure), 10);
      },
      { sink, advice: false },
    );
    const run = invoke(handler, { card: '4111 1111 1111 1111' }, { budgetMs: 3000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toMatchObject({ channel: 'callback', error: failure });
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic).toMatchObject({
      reason: 'exception',
      error: { message: 'card declined' },
      context: { requestId: 'rt-req-1' },
    });
    expect(sink.lines[0]).not.toContain('4111 1111 1111 1111');
  });

  it('a callback never called times out early, with the diagnostic, through the callback', async () => {
    const sink = memorySink();
    const handler = instrument((_e: unknown, _c: unknown, _callback: LambdaCallback) => {}, {
      sink,
      advice: false,
    });
    const run = invoke(handler, {}, { budgetMs: 3000 });
    await vi.advanceTimersByTimeAsync(2000);
    const result = await run;
    expect(result.channel).toBe('callback');
    expect(result.killed).toBeUndefined();
    expect(result.error).toBeInstanceOf(DeadlineExceededError);
    expect(sink.records<Diagnostic>()[0]?.reason).toBe('timeout');
  });

  it('an async handler answers through its promise, never through the runtime callback; its tools are a plain object', async () => {
    let kind = '';
    const handler = instrument(
      async (e: { n: number }, _c: unknown, tools: InvocationTools) => {
        kind = typeof tools;
        return e.n * 2;
      },
      { sink: memorySink(), advice: false },
    );
    const run = invoke(handler, { n: 21 }, { budgetMs: 3000 });
    expect(await run).toMatchObject({ channel: 'promise', result: 42 });
    // Code that takes an options-like object (`typeof tools === 'object'`) accepts them.
    expect(kind).toBe('object');
  });

  it('called without a runtime callback, a callback-style handler settles the returned promise', async () => {
    const handler = instrument(
      (_e: unknown, _c: unknown, callback: LambdaCallback<string>) => {
        setTimeout(() => callback(undefined, 'late'), 5);
      },
      { sink: memorySink(), advice: false },
    );
    const result = handler({});
    await vi.advanceTimersByTimeAsync(5);
    expect(await result).toBe('late');
    const failing = instrument(
      (_e: unknown, _c: unknown, callback: LambdaCallback) => {
        queueMicrotask(() => callback(new Error('nope')));
      },
      { sink: memorySink(), advice: false },
    );
    await expect(failing({})).rejects.toThrow('nope');
  });

  it('the callback carries the tools too (destructured or not), and only its first call counts', async () => {
    let seen: AbortSignal | undefined;
    const handler = instrument(
      (_e: unknown, _c: unknown, callback: InvocationTools & LambdaCallback) => {
        seen = callback.signal;
        const { track, log, deadline } = callback;
        log.info('tracked', { deadline });
        void track('noop', Promise.resolve(1));
        callback(null, 'first');
        callback(null, 'second');
        callback(new Error('third'));
      },
      { sink: memorySink(), advice: false },
    );
    expect(await handler({})).toBe('first');
    expect(seen).toBeInstanceOf(AbortSignal);
  });
});
