import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, ThrottledError } from '../../src/core/index.js';
import { serializeError } from '../../src/telemetry/index.js';

describe('serializeError', () => {
  it('keeps name, message, stack, the figures and the cause chain', () => {
    const inner = new ThrottledError(250, 10, 100);
    const outer = new DeadlineExceededError(1000, 1200, { cause: inner });
    const out = serializeError(outer);
    expect(out).toMatchObject({
      name: 'DeadlineExceededError',
      deadlineMs: 1000,
      elapsedMs: 1200,
      cause: { name: 'ThrottledError', retryAfterMs: 250, rate: 10 },
    });
    expect(out.stack).toContain('DeadlineExceededError');
  });

  it('cuts cycles and long chains', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(serializeError(a).cause?.cause).toEqual({ name: 'Circular', message: '[CIRCULAR]' });
    let deep: Error = new Error('0');
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    let node = serializeError(deep, { maxCauses: 3 });
    for (let i = 0; i < 3; i++) node = node.cause!;
    expect(node.cause).toEqual({ name: 'Truncated', message: '[TRUNCATED: cause chain]' });
  });

  it('AggregateError errors, non-Errors and cross-realm error-likes', () => {
    const agg = serializeError(new AggregateError([new Error('x'), 'y'], 'many'));
    expect(agg.errors).toMatchObject([
      { name: 'Error', message: 'x' },
      { name: 'NonError', message: 'y' },
    ]);
    expect(serializeError(42)).toEqual({ name: 'NonError', message: '42', value: 42 });
    expect(serializeError({ name: 'Foreign', message: 'from an iframe' })).toMatchObject({
      name: 'Foreign',
      message: 'from an iframe',
    });
  });
});
