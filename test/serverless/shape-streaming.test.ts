/**
 * Lambda response streaming, in both orders with `awslambda.streamifyResponse`, run by a
 * runtime that picks streaming or buffered by the handler's marker as the runtime
 * interface client does.
 */
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Diagnostic,
  type InvocationTools,
  instrument,
  type LambdaContextLike,
} from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { never } from './helpers.js';
import { invoke, streamifyResponse } from './support/fake-runtime.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

type Streaming = (
  event: { q: string },
  stream: Writable,
  context: LambdaContextLike,
  tools: InvocationTools,
) => Promise<void>;

describe('instrument: Lambda response streaming', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  const body: Streaming = async (event, stream, context, tools) => {
    stream.write(`hello ${event.q} `);
    stream.write(
      `from ${context.awsRequestId}, ${Number.isFinite(tools.deadline) ? 'with' : 'without'} a deadline`,
    );
    stream.end();
  };

  it('streamifyResponse(instrument(fn)): fn gets the stream, the runtime context and the tools', async () => {
    const handler = streamifyResponse(instrument(body, { sink: memorySink(), advice: false }));
    const result = await invoke(handler, { q: 'a' }, { budgetMs: 3000, requestId: 'stream-1' });
    expect(result).toMatchObject({
      mode: 'streaming',
      body: 'hello a from stream-1, with a deadline',
    });
    expect(result.trailers).toBeUndefined();
  });

  it('instrument(streamifyResponse(fn)) keeps the runtime marker and its high-water mark', async () => {
    const handler = instrument(streamifyResponse(body, { highWaterMark: 1024 }), {
      sink: memorySink(),
      advice: false,
    });
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
    const result = await invoke(handler, { q: 'b' }, { budgetMs: 3000, requestId: 'stream-2' });
    expect(result).toMatchObject({
      mode: 'streaming',
      body: 'hello b from stream-2, with a deadline',
      highWaterMark: 1024,
    });
  });

  it('a throw ends the stream with the error for the runtime, after the diagnostic', async () => {
    const sink = memorySink();
    const failure = new Error('model overloaded');
    const handler = instrument(
      streamifyResponse<Streaming>(async (_e, stream) => {
        stream.write('partial ');
        throw failure;
      }),
      { sink, advice: false },
    );
    const result = await invoke(handler, { q: 'c' }, { budgetMs: 3000, requestId: 'stream-3' });
    expect(result).toMatchObject({
      body: 'partial ',
      trailers: { errorType: 'Error', errorMessage: 'model overloaded' },
    });
    expect(sink.records<Diagnostic>()[0]).toMatchObject({
      reason: 'exception',
      event: { q: 'c' },
      context: { requestId: 'stream-3' },
    });
  });

  it('a timeout writes the diagnostic, aborts the handler, and the stream ends with the deadline error', async () => {
    const sink = memorySink();
    let signal: AbortSignal | undefined;
    const handler = streamifyResponse(
      instrument(
        async (
          _e: { q: string },
          stream: Writable,
          _c: LambdaContextLike,
          tools: InvocationTools,
        ) => {
          signal = tools.signal;
          stream.write('thinking… ');
          await never();
        },
        { sink, advice: false },
      ),
    );
    const run = invoke(handler, { q: 'd' }, { budgetMs: 3000, requestId: 'stream-4' });
    await vi.advanceTimersByTimeAsync(2000);
    const result = await run;
    expect(result.killed).toBeUndefined();
    expect(result).toMatchObject({
      body: 'thinking… ',
      trailers: { errorType: 'DeadlineExceededError' },
    });
    expect(signal?.aborted).toBe(true);
    expect(sink.records<Diagnostic>()[0]).toMatchObject({
      reason: 'timeout',
      budgetMs: 3000,
      context: { requestId: 'stream-4' },
    });
  });

  it('with onTimeout, its value is written and the stream closed: the runtime sees a finished response', async () => {
    const sink = memorySink();
    const handler = streamifyResponse(
      instrument(
        async (_e: { q: string }, stream: Writable) => {
          stream.write('partial answer… ');
          await never();
        },
        { sink, advice: false, onTimeout: () => '[stopped: out of time]' as never },
      ),
    );
    const run = invoke(handler, { q: 'e' }, { budgetMs: 3000 });
    await vi.advanceTimersByTimeAsync(2000);
    const result = await run;
    expect(result).toMatchObject({ body: 'partial answer… [stopped: out of time]' });
    expect(result.trailers).toBeUndefined();
    expect(sink.records<Diagnostic>()[0]?.reason).toBe('timeout');
  });
});
