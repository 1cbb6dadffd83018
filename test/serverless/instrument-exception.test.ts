import { describe, expect, it, vi } from 'vitest';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext } from './helpers.js';

const event = {
  Records: [{ messageId: 'm-1', body: JSON.stringify({ orderId: 42, refreshToken: 'rt-Kd82Jw' }) }],
};

class PaymentError extends Error {
  override name = 'PaymentError';
  readonly status = 502;
}

describe('instrument: uncaught exceptions', () => {
  it('re-throws the same error object and writes the event in the diagnostic', async () => {
    const sink = memorySink();
    const thrown = new PaymentError('gateway said no', { cause: new Error('socket hang up') });
    const handler = instrument(
      async () => {
        throw thrown;
      },
      { sink, advice: false },
    );
    const caught = await handler(event, lambdaContext(10_000)).catch((e: unknown) => e);
    expect(caught).toBe(thrown);
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic).toMatchObject({
      type: 'diagnostic',
      level: 'error',
      reason: 'exception',
      msg: 'orders-handler failed: PaymentError: gateway said no',
      error: {
        name: 'PaymentError',
        message: 'gateway said no',
        status: 502,
        cause: { name: 'Error', message: 'socket hang up' },
      },
      context: {
        requestId: 'req-1',
        functionName: 'orders-handler',
        coldStart: true,
        invocation: 1,
      },
    });
    expect(diagnostic!.error.stack).toContain('PaymentError: gateway said no');
    const body = JSON.parse((diagnostic!.event as typeof event).Records[0]!.body);
    expect(body).toEqual({ orderId: 42, refreshToken: '[REDACTED]' });
    expect(sink.lines.join('')).not.toContain('rt-Kd82Jw');
  });

  it('a synchronous throw is caught the same way', async () => {
    const sink = memorySink();
    const thrown = new TypeError('bad input');
    const handler = instrument(
      () => {
        throw thrown;
      },
      { sink, advice: false },
    );
    await expect(handler({ a: 1 })).rejects.toBe(thrown);
    expect(sink.records<Diagnostic>()[0]).toMatchObject({
      reason: 'exception',
      event: { a: 1 },
      error: { name: 'TypeError' },
    });
  });

  it('a thrown non-Error is re-thrown as is and described', async () => {
    const sink = memorySink();
    const handler = instrument(() => Promise.reject('plain string'), { sink, advice: false });
    await expect(handler({})).rejects.toBe('plain string');
    expect(sink.records<Diagnostic>()[0]!.error).toEqual({
      name: 'NonError',
      message: 'plain string',
      value: 'plain string',
    });
  });

  it('secrets in the error message are redacted too', async () => {
    const sink = memorySink();
    const handler = instrument(
      () => {
        throw new Error('login failed for password=Sw0rdf1sh!');
      },
      { sink, advice: false },
    );
    await expect(handler({})).rejects.toThrow('Sw0rdf1sh');
    expect(sink.lines[0]).not.toContain('Sw0rdf1sh');
    expect(sink.records<Diagnostic>()[0]!.error.message).toBe(
      'login failed for password=[REDACTED]',
    );
    expect(sink.records<Diagnostic>()[0]!.msg).toBe(
      'handler failed: Error: login failed for password=[REDACTED]',
    );
  });

  it('onDiagnostic receives the record instead of the sink; the events hub reports it', async () => {
    const sink = memorySink();
    const onDiagnostic = vi.fn();
    const handler = instrument(() => Promise.reject(new Error('x')), {
      sink,
      onDiagnostic,
      advice: false,
    });
    const seen: string[] = [];
    const dispose = handler.events.onEvent((e) => seen.push(e.type));
    await expect(handler({})).rejects.toThrow('x');
    dispose();
    expect(sink.lines).toEqual([]);
    expect(onDiagnostic).toHaveBeenCalledTimes(1);
    expect(onDiagnostic.mock.calls[0]![0]).toMatchObject({
      type: 'diagnostic',
      reason: 'exception',
    });
    expect(seen).toEqual(['diagnostic', 'invocation']);
  });

  it('a sink that throws does not replace the handler error', async () => {
    const thrown = new Error('original');
    const handler = instrument(() => Promise.reject(thrown), {
      sink: () => {
        throw new Error('sink broke');
      },
      advice: false,
    });
    await expect(handler({})).rejects.toBe(thrown);
  });

  it('cold start is true only for the first invocation; success writes nothing', async () => {
    const sink = memorySink();
    let fail = true;
    const handler = instrument(
      async () => {
        if (fail) throw new Error('first');
        return 'ok';
      },
      { sink, advice: false },
    );
    await expect(handler({})).rejects.toThrow('first');
    fail = false;
    await expect(handler({})).resolves.toBe('ok');
    fail = true;
    await expect(handler({})).rejects.toThrow('first');
    const records = sink.records<Diagnostic>();
    expect(records).toHaveLength(2);
    expect(records.map((r) => [r.context.coldStart, r.context.invocation])).toEqual([
      [true, 1],
      [false, 3],
    ]);
  });

  it('keeps the arity of a Lambda handler (event, context)', () => {
    expect(instrument(async () => 1, { sink: memorySink() }).length).toBe(2);
  });

  it('the invocation logger writes redacted JSON lines bound to the request', async () => {
    const sink = memorySink();
    const handler = instrument(
      async (_e: unknown, _c, { log }) => {
        log.info('charging', { card: '4111 1111 1111 1111', amount: 12 });
        log.debug('hidden at info level');
        return 1;
      },
      { sink, advice: false },
    );
    await handler({}, lambdaContext(5000));
    expect(sink.records()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'charging',
        requestId: 'req-1',
        functionName: 'orders-handler',
        card: '[REDACTED:card]',
        amount: 12,
      }),
    ]);
  });
});
