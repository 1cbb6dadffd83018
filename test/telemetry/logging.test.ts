import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  constant,
  EventHub,
  manualClock,
  pipeline,
  retry,
  type SelfhealEvent,
} from '../../src/core/index.js';
import {
  connect,
  createLogger,
  eventLogger,
  memorySink,
  stdoutSink,
} from '../../src/telemetry/index.js';

describe('createLogger', () => {
  it('writes one redacted JSON object per line with level, time, msg and bindings', () => {
    const sink = memorySink();
    const log = createLogger({ sink, clock: manualClock(0), bindings: { service: 'orders' } });
    log.info('charged', { amount: 12, apiKey: 'k-123' });
    log.child({ requestId: 'r-1' }).warn('slow', { ms: 900 });
    expect(sink.records()).toEqual([
      {
        level: 'info',
        time: '1970-01-01T00:00:00.000Z',
        msg: 'charged',
        service: 'orders',
        amount: 12,
        apiKey: '[REDACTED]',
      },
      {
        level: 'warn',
        time: '1970-01-01T00:00:00.000Z',
        msg: 'slow',
        service: 'orders',
        requestId: 'r-1',
        ms: 900,
      },
    ]);
    expect(sink.lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('drops lines below the level', () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(sink.records().map((r) => r.msg)).toEqual(['c', 'd']);
  });

  it('serialises errors in fields, and redacts secrets in the message', () => {
    const sink = memorySink();
    createLogger({ sink }).error('failed with Bearer abcdefgh1234', {
      error: new RangeError('too big'),
    });
    const [record] = sink.records();
    expect(record!.msg).toBe('failed with [REDACTED:bearer]');
    expect(record!.error).toMatchObject({ name: 'RangeError', message: 'too big' });
  });

  it('validates its options', () => {
    expect(() => createLogger({ sink: memorySink(), level: 'trace' as never })).toThrow(/`level`/);
    expect(() => createLogger({ sink: 'x' as never })).toThrow(/`sink`/);
  });
});

describe('sinks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('stdoutSink writes the line and a newline to process.stdout', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stdoutSink()('{"a":1}');
    expect(write).toHaveBeenCalledWith('{"a":1}\n');
  });

  it('stdoutSink says what to do where there is no process.stdout (browsers)', () => {
    vi.spyOn(process, 'stdout', 'get').mockReturnValue(undefined as never);
    expect(() => stdoutSink()).toThrow(/needs process.stdout.*pass a `sink`/);
  });

  it('memorySink keeps, parses and clears lines', () => {
    const sink = memorySink();
    sink('{"a":1}');
    expect(sink.records()).toEqual([{ a: 1 }]);
    sink.clear();
    expect(sink.lines).toEqual([]);
  });
});

describe('eventLogger', () => {
  it('logs each event at its level, errors serialised, and stops when disconnected', async () => {
    const sink = memorySink();
    const policy = pipeline(retry({ limit: 1, backoff: constant(0) }));
    const disconnect = connect(
      eventLogger({ sink, level: 'debug', clock: manualClock(0) }),
      policy,
    );
    await expect(
      policy.execute(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    disconnect();
    expect(policy.events.listening).toBe(false);
    const records = sink.records<{ level: string; msg: string; event: Record<string, unknown> }>();
    expect(records.map((r) => `${r.level} ${r.msg}`)).toEqual([
      'debug selfheal.attempt',
      'warn selfheal.failure',
      'warn selfheal.retry',
      'debug selfheal.attempt',
      'warn selfheal.failure',
    ]);
    expect(records[1]!.event).toMatchObject({
      type: 'failure',
      source: 'pipeline',
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('levels can be overridden; connect validates its arguments', () => {
    const sink = memorySink();
    const hub = new EventHub();
    const dispose = connect(eventLogger({ sink, levels: { 'breaker-open': 'warn' } }), hub);
    hub.emit({
      type: 'breaker-open',
      source: 'circuit-breaker',
      at: 1,
      failureRate: 0.6,
      retryAfterMs: 100,
      error: null,
    } as SelfhealEvent);
    dispose();
    hub.emit({ type: 'breaker-closed', source: 'circuit-breaker', at: 2 } as SelfhealEvent);
    expect(sink.records().map((r) => r.level)).toEqual(['warn']);
    expect(() => connect({} as never, hub)).toThrow(/`sink`/);
    expect(() => connect(eventLogger({ sink }), {} as never)).toThrow(/`sources\[0\]`/);
  });
});
