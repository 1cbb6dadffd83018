/**
 * One diagnostic is one CloudWatch Logs event: the whole line fits `maxRecordBytes`
 * (256,000 by default) counted in UTF-8 bytes, the least useful parts trimmed first —
 * and building it can never replace the handler's own error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHub, type SelfhealEvent } from '../../src/core/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { createRedactor, memorySink } from '../../src/telemetry/index.js';

const bytes = (line: string) => Buffer.byteLength(line, 'utf8');

function retryEvent(i: number, text: string): SelfhealEvent {
  return {
    type: 'retry',
    source: 'pipeline',
    at: i,
    attempt: i,
    delayMs: 100,
    reason: 'backoff',
    error: new Error(`${text} (attempt ${i})`),
  } as SelfhealEvent;
}

describe('instrument: the diagnostic line is capped in bytes', () => {
  it('Japanese text in the event, the error and 4 retries stays within 256,000 bytes', async () => {
    const sink = memorySink();
    const hub = new EventHub();
    const japanese = '注文の処理に失敗しました。'.repeat(3000); // 39,000 chars, 117 KB in UTF-8
    const handler = instrument(
      async () => {
        for (let i = 1; i <= 4; i++) hub.emit(retryEvent(i, japanese));
        throw new Error(japanese);
      },
      {
        sink,
        sources: [hub],
        advice: false,
        redact: { maxStringLength: 100_000, maxBytes: 1_000_000 },
      },
    );
    await handler({
      note: japanese,
      items: Array.from({ length: 50 }, () => japanese.slice(0, 2000)),
    }).catch(() => {});
    const [line] = sink.lines;
    expect(bytes(line!)).toBeLessThanOrEqual(256_000);
    const record = JSON.parse(line!) as Diagnostic;
    expect(record.error.name).toBe('Error');
    expect(record.error.message.startsWith('注文の処理に失敗しました。')).toBe(true);
    expect(record.trimmed?.[0]).toBe('selfheal.events');
    expect(record.selfheal.counts).toEqual({ retry: 4 });
  });

  it('control characters (6 bytes each once escaped) are counted as written', async () => {
    const sink = memorySink();
    const control = '\u0001\u0002\u0003'.repeat(40_000);
    const handler = instrument(
      async () => {
        throw new Error(control);
      },
      { sink, advice: false, redact: { maxStringLength: 200_000, maxBytes: 1_000_000 } },
    );
    await handler({ raw: control }).catch(() => {});
    expect(bytes(sink.lines[0]!)).toBeLessThanOrEqual(256_000);
    expect(JSON.parse(sink.lines[0]!).trimmed).toContain('event');
  });

  it('property: any event and error, any cap, the line fits and parses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1000, maxLength: 3000 }),
        fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 3000 }),
        fc.integer({ min: 4096, max: 20_000 }),
        async (eventText, message, maxRecordBytes) => {
          const sink = memorySink();
          const handler = instrument(
            async () => {
              throw new Error(message.repeat(4));
            },
            {
              sink,
              advice: false,
              maxRecordBytes,
              redact: { maxStringLength: 50_000, maxBytes: 500_000 },
            },
          );
          await handler({ a: eventText.repeat(5), b: [eventText, message] }).catch(() => {});
          expect(bytes(sink.lines[0]!)).toBeLessThanOrEqual(maxRecordBytes);
          expect(JSON.parse(sink.lines[0]!).type).toBe('diagnostic');
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('instrument: diagnostics never replace the user error', () => {
  it('an AggregateError nested 3,000 deep: the same error is re-thrown and a diagnostic written', async () => {
    let deep: Error = new Error('root cause');
    for (let i = 0; i < 3000; i++) deep = new AggregateError([deep], `level ${i}`);
    const sink = memorySink();
    const handler = instrument(
      async () => {
        throw deep;
      },
      { sink, advice: false },
    );
    await expect(handler({})).rejects.toBe(deep);
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic).toMatchObject({
      type: 'diagnostic',
      reason: 'exception',
      error: { name: 'AggregateError' },
    });
  });

  it('a redactor that throws: the handler error is re-thrown, a minimal diagnostic names it', async () => {
    const sink = memorySink();
    const real = createRedactor();
    const broken = {
      ...real,
      redact: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const failure = new TypeError('order has no id: token=ord-secret-5521');
    const handler = instrument(
      async () => {
        throw failure;
      },
      { sink, advice: false, redact: broken },
    );
    await expect(handler({ id: undefined })).rejects.toBe(failure);
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic).toMatchObject({
      reason: 'exception',
      error: { name: 'TypeError', message: 'order has no id: token=[REDACTED]' },
      event: '[UNAVAILABLE]',
    });
    expect(diagnostic!.unavailable).toContain('RangeError: Maximum call stack size exceeded');
    expect(sink.lines[0]).not.toContain('ord-secret-5521');
  });
});
