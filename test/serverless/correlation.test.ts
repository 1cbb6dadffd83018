/**
 * What ties a record to the rest of the system: the X-Ray trace id, the function ARN, a
 * service name, log sampling; cold starts as Lambda means them; events of a component's
 * own timer; the call an attempt in flight was making; and options that are misspelt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub, type SelfhealEvent } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext, never } from './helpers.js';

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live';

describe('instrument: correlation', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('the X-Ray trace id, the function ARN and the service name are in the diagnostic, the logs and the metrics', async () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', TRACE);
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'checkout');
    const sink = memorySink();
    const handler = instrument(
      async (_e: unknown, _c, { log }) => {
        log.info('charging');
        throw new Error('declined');
      },
      { sink, advice: false, metrics: true },
    );
    await handler({}, lambdaContext(5000, { invokedFunctionArn: ARN })).catch(() => {});
    const [logLine, diagnostic, emf] = sink.records();
    expect(logLine).toMatchObject({
      msg: 'charging',
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      service: 'checkout',
    });
    expect((diagnostic as unknown as Diagnostic).context).toMatchObject({
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      functionArn: ARN,
      service: 'checkout',
    });
    expect(emf).toMatchObject({
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      service: 'checkout',
    });
  });

  it('off Lambda, the trace id comes from the request: X-Amzn-Trace-Id, else traceparent', async () => {
    const sink = memorySink();
    const handler = instrument(
      async (_r: Request) => {
        throw new Error('x');
      },
      { sink, advice: false, service: 'edge' },
    );
    const request = (headers: Record<string, string>) =>
      new Request('https://a.example/', { headers });
    await handler(request({ 'x-amzn-trace-id': 'Root=1-abc-def' })).catch(() => {});
    await handler(
      request({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    ).catch(() => {});
    expect(sink.records<Diagnostic>().map((d) => [d.context.traceId, d.context.service])).toEqual([
      ['1-abc-def', 'edge'],
      ['4bf92f3577b34da6a3ce929d0e0e4736', 'edge'],
    ]);
  });

  it('log sampling: a sampled invocation writes debug lines, the others do not', async () => {
    const sink = memorySink();
    const draws = [0.05, 0.5];
    const handler = instrument(
      async (_e: unknown, _c, { log }) => {
        log.debug('cache lookup', { key: 'k' });
        log.info('done');
      },
      { sink, advice: false, logSampleRate: 0.1, random: () => draws.shift()! },
    );
    await handler({}, lambdaContext(5000, { awsRequestId: 'sampled' }));
    await handler({}, lambdaContext(5000, { awsRequestId: 'plain' }));
    expect(sink.records().map((r) => [r.requestId, r.level])).toEqual([
      ['sampled', 'debug'],
      ['sampled', 'info'],
      ['plain', 'info'],
    ]);
  });
});

describe('instrument: cold start honours AWS_LAMBDA_INITIALIZATION_TYPE', () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each([
    ['on-demand', 1],
    ['provisioned-concurrency', 0],
    ['snap-start', 0],
    [undefined, 1],
  ])('%s: the first invocation counts %i cold start(s)', async (type, expected) => {
    if (type !== undefined) vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', type);
    const sink = memorySink();
    const handler = instrument(async () => 'ok', { sink, advice: false, metrics: true });
    await handler({}, lambdaContext(5000));
    await handler({}, lambdaContext(5000));
    expect(sink.records().map((r) => r.ColdStarts)).toEqual([expected, 0]);
    expect(handler.health().coldStarts).toBe(expected);
  });
});

function ev(fields: Partial<SelfhealEvent> & { type: string }): SelfhealEvent {
  return { source: 'pipeline', at: Date.now(), ...fields } as SelfhealEvent;
}

// Real timers: attribution rides on AsyncLocalStorage, which follows Node's own timers
// (fake timers call back from the test's context and would hide the difference).
describe('instrument: events from a timer that a finished invocation started', () => {
  it("a component's state change from a timer a finished invocation started is listed in the running one", async () => {
    // A component with a timer of its own (a limiter that recovers, a store that shares
    // again): the timer starts inside invocation 1 and fires during invocation 2.
    const component = new EventHub();
    const recovered = new Promise<void>((resolve) => component.onEvent(() => resolve()));
    const sink = memorySink();
    const handler = instrument(
      async (e: { first: boolean }) => {
        if (e.first) {
          setTimeout(
            () =>
              component.emit(
                ev({
                  type: 'rate-changed',
                  source: 'throttle',
                  from: 5,
                  to: 10,
                  reason: 'recovered',
                } as never),
              ),
            50,
          );
          throw new Error('throttled');
        }
        await recovered;
        throw new Error('still failing');
      },
      { sink, sources: [component], advice: false },
    );
    await expect(handler({ first: true })).rejects.toThrow('throttled');
    await expect(handler({ first: false })).rejects.toThrow('still failing');
    const [first, second] = sink.records<Diagnostic>();
    expect(first?.selfheal.counts).toEqual({});
    expect(second?.selfheal.counts).toEqual({ 'rate-changed': 1 });
  });

  it("but the per-call events of a finished invocation's leftover work are nobody's", async () => {
    const hub = new EventHub();
    const sink = memorySink();
    const leftover = new Promise<void>((resolve) => hub.onEvent(() => resolve()));
    const handler = instrument(
      async (e: { first: boolean }) => {
        if (e.first) {
          // Keeps going after its timeout, as code that ignores the signal does.
          setTimeout(
            () =>
              hub.emit(
                ev({
                  type: 'failure',
                  attempt: 1,
                  durationMs: 1,
                  error: new Error('card declined'),
                }),
              ),
            150,
          );
          return never();
        }
        await leftover;
        throw new Error('second failed');
      },
      { sink, sources: [hub], advice: false, timeoutMs: 200, timeoutMarginMs: 100 },
    );
    await expect(handler({ first: true })).rejects.toThrow(/ran out of time/);
    await expect(handler({ first: false })).rejects.toThrow('second failed');
    expect(sink.records<Diagnostic>().map((d) => [d.reason, d.selfheal.counts])).toEqual([
      ['timeout', {}],
      ['exception', {}],
    ]);
  });
});

describe('instrument: inFlight names the call', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it('an attempt event with method and URL reads "GET https://host/path", without the query', async () => {
    vi.useFakeTimers();
    try {
      const hub = new EventHub();
      const sink = memorySink();
      const handler = instrument(
        async () => {
          hub.emit(
            ev({
              type: 'attempt',
              source: 'http',
              attempt: 1,
              method: 'GET',
              url: 'https://api.example/orders/7?key=s3cr3t',
              origin: 'https://api.example',
            } as never),
          );
          return never();
        },
        { sink, sources: [hub], advice: false, timeoutMs: 1000, timeoutMarginMs: 100 },
      );
      const done = handler({}).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(900);
      await done;
      expect(sink.records<Diagnostic>()[0]!.inFlight).toMatchObject([
        { label: 'GET https://api.example/orders/7', via: 'attempt', source: 'http', attempt: 1 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a hung call of a real selfheal/http client is named by its origin, not "pipeline"', async () => {
    server = createServer(() => {}); // accepts and never answers
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = createClient({ baseUrl: `${origin}/`, retry: 0 });
    const sink = memorySink();
    const handler = instrument(
      async (_e: unknown, _c, { signal }) => api.get('orders?token=abc', { signal }).json(),
      { sink, sources: [api], advice: false, timeoutMs: 600, timeoutMarginMs: 300 },
    );
    await handler({}).catch(() => undefined);
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic?.reason).toBe('timeout');
    expect(diagnostic?.inFlight[0]).toMatchObject({
      via: 'attempt',
      label: expect.stringContaining(origin),
    });
    expect(diagnostic?.inFlight[0]?.label).not.toBe('pipeline');
  });
});

describe('instrument: unknown options', () => {
  it.each([
    [{ timeoutMargin: 200 }, /Unknown option `timeoutMargin`: did you mean `timeoutMarginMs`\?/],
    [{ timeoutMS: 200 }, /Unknown option `timeoutMS`: did you mean `timeoutMs`\?/],
    [{ onTimout: () => 1 }, /did you mean `onTimeout`\?/],
    [
      { advice: { treshold: 0.5 } },
      /Unknown option `advice.treshold`: did you mean `advice.threshold`\?/,
    ],
    [
      { metrics: { namespce: 'x' } },
      /Unknown option `metrics.namespce`: did you mean `metrics.namespace`\?/,
    ],
    [{ zebra: true }, /Unknown option `zebra` Known: timeoutMs, /],
  ])('%j throws a TypeError naming the closest known option', (options, message) => {
    expect(() => instrument(async () => 1, options as never)).toThrow(TypeError);
    expect(() => instrument(async () => 1, options as never)).toThrow(message);
  });
});
