import { describe, expect, it } from 'vitest';
import { bisectBatch, type DeadLetter, streamProcessor } from '../../src/stream/index.js';

type Rec = { id: string; n: number };
const recs = (n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, n: i }));

/** A whole-batch handler that fails when any record in the batch is poison; logs each call. */
function bulkWriter(poison: Set<number>) {
  const calls: number[][] = [];
  const handler = (batch: readonly Rec[], ctx: { round: number }) => {
    calls.push([ctx.round, batch.length]);
    if (batch.some((r) => poison.has(r.n))) throw new Error('bulk write rejected');
  };
  return { calls, handler };
}

describe('bisect: isolating poison in a whole-batch handler', () => {
  it('isolates one poison record in 100 within ⌈log2 100⌉ + 1 rounds', async () => {
    const { calls, handler } = bulkWriter(new Set([63]));
    const result = await bisectBatch(recs(100), handler, { onPoison: 'skip', maxAttempts: 3 });
    expect(result.rounds).toBeLessThanOrEqual(Math.ceil(Math.log2(100)) + 1);
    expect(result.failures).toEqual(['r63']);
    expect(result.counts).toMatchObject({ processed: 99, failed: 1 });
    // Only the isolated record is counted as an attempt; the innocent ones never are.
    expect(result.outcomes[63]).toMatchObject({ status: 'failed', attempts: 1 });
    // One call per round for the failing branch plus its sibling: 1 + 2 per later round.
    expect(calls.length).toBe(1 + 2 * (result.rounds! - 1));
  });

  it('without failures the batch is one call and one round', async () => {
    const { calls, handler } = bulkWriter(new Set());
    const result = await bisectBatch(recs(100), handler, { onPoison: 'skip' });
    expect(result).toMatchObject({ rounds: 1, failures: [] });
    expect(calls).toEqual([[1, 100]]);
  });

  it('dead-letters the isolated record on its maxAttempts-th batch and the batch succeeds after', async () => {
    const letters: DeadLetter<Rec>[] = [];
    const p = streamProcessor<Rec>({ maxAttempts: 2, deadLetter: (l) => void letters.push(l) });
    const { handler } = bulkWriter(new Set([5, 17]));
    const first = await p.bisect(recs(20), handler);
    const second = await p.bisect(recs(20), handler);
    expect(first.failures).toEqual(['r5', 'r17']);
    expect(second.failures).toEqual([]);
    expect(letters.map((l) => [l.id, l.attempts]).sort()).toEqual([
      ['r17', 2],
      ['r5', 2],
    ]);
  });

  it('ordered: left before right, and a record kept for retry stops the rest of the batch', async () => {
    const order: string[] = [];
    const result = await bisectBatch(
      recs(8),
      (batch) => {
        order.push(batch.map((r) => r.n).join(''));
        if (batch.some((r) => r.n === 5)) throw new Error('no');
      },
      { ordered: true, onPoison: 'skip', maxAttempts: 3 },
    );
    expect(order).toEqual(['01234567', '0123', '4567', '45', '4', '5']);
    expect(result.failures).toEqual(['r5', 'r6', 'r7']);
    expect(result.counts).toMatchObject({ processed: 5, failed: 1, unprocessed: 2 });
  });
});
