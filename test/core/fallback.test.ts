import { describe, expect, it } from 'vitest';
import { fallback, type SelfhealEvent } from '../../src/core/index.js';

describe('fallback', () => {
  it('returns the value on failure and reports which error it masked', async () => {
    const policy = fallback<string[]>([]);
    const events: SelfhealEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const error = new Error('catalogue down');
    await expect(policy.execute(() => Promise.reject(error))).resolves.toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({ type: 'fallback', source: 'fallback', error, degraded: true }),
    ]);
  });

  it('passes success through without an event', async () => {
    const policy = fallback('stale');
    const events: SelfhealEvent[] = [];
    policy.onEvent((e) => events.push(e));
    await expect(policy.execute(() => 'fresh')).resolves.toBe('fresh');
    expect(events).toEqual([]);
  });

  it('a function fallback receives the error', async () => {
    const policy = fallback((error) => `degraded: ${(error as Error).message}`);
    await expect(policy.execute(() => Promise.reject(new Error('503')))).resolves.toBe(
      'degraded: 503',
    );
  });

  it('does not mask aborts or errors shouldHandle refuses', async () => {
    const policy = fallback('x', { shouldHandle: (e) => (e as Error).message !== 'keep' });
    await expect(policy.execute(() => Promise.reject(new Error('keep')))).rejects.toThrow('keep');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    await expect(fallback('x').execute(() => Promise.reject(abort))).rejects.toBe(abort);
    expect(() => fallback('x', { shouldHandle: 1 as never })).toThrow(/`shouldHandle`/);
  });
});
