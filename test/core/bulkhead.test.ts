import { describe, expect, it } from 'vitest';
import { bulkhead, isBulkheadRejectedError } from '../../src/core/index.js';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('bulkhead', () => {
  it('runs maxConcurrent at once, queues up to queueLimit, rejects beyond', async () => {
    const policy = bulkhead({ maxConcurrent: 2, queueLimit: 1 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      policy.execute(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(policy.active).toBe(2);
    expect(policy.queueLength).toBe(1);
    const rejected = await policy.execute(() => 'x').catch((e: unknown) => e);
    expect(isBulkheadRejectedError(rejected)).toBe(true);
    expect(rejected).toMatchObject({ maxConcurrent: 2, queueLimit: 1 });
    gates[0]!.open();
    await runs[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(policy.active).toBe(2);
    gates[1]!.open();
    gates[2]!.open();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(policy.active).toBe(0);
  });

  it('releases its slot when the operation throws', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(policy.active).toBe(0);
    await expect(policy.execute(() => 'next')).resolves.toBe('next');
  });

  it('a queued call leaves the queue when its signal aborts', async () => {
    const policy = bulkhead({ maxConcurrent: 1, queueLimit: 5 });
    const g = gate();
    const running = policy.execute(() => g.promise);
    const controller = new AbortController();
    const queued = policy.execute(() => 'never', { signal: controller.signal });
    expect(policy.queueLength).toBe(1);
    controller.abort(new Error('gave up'));
    await expect(queued).rejects.toThrow('gave up');
    expect(policy.queueLength).toBe(0);
    g.open();
    await running;
    expect(policy.active).toBe(0);
  });

  it('emits a rejected event and validates its options', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    const reasons: string[] = [];
    policy.on('rejected', (e) => reasons.push(e.reason));
    const g = gate();
    const running = policy.execute(() => g.promise);
    await expect(policy.execute(() => 1)).rejects.toMatchObject({ name: 'BulkheadRejectedError' });
    expect(reasons).toEqual(['bulkhead-full']);
    g.open();
    await running;
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow(/`maxConcurrent`.*≥ 1/);
    expect(() => bulkhead({ maxConcurrent: 2, queueLimit: -1 })).toThrow(/`queueLimit`/);
    expect(() => bulkhead(undefined as never)).toThrow(TypeError);
  });
});
