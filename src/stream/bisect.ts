/**
 * Bisection for handlers that take the whole batch. When the batch fails, it is split in
 * halves and each half is tried again, until the failing records stand alone; only those
 * go through the poison state machine (innocent records are never counted as attempts).
 * Unordered: breadth first, the slices of a round side by side — one poison record in n
 * is isolated in ⌈log2 n⌉ + 1 rounds. Ordered: depth first, left half before right, and a
 * record reported for retry stops the rest of its group.
 */
import type { BatchRun } from './batch-run.js';
import type { StreamStats } from './health.js';
import { type BatchItem, type PoisonMachine, unprocessed } from './poison.js';
import { type RunSettings, runGuarded, type Verdict } from './run-record.js';
import type { RecordOutcome, WholeBatchHandler } from './types.js';

/** What {@link bisectItems} works with. */
export interface BisectContext<R> {
  run: BatchRun<R>;
  settings: RunSettings;
  machine: PoisonMachine<R>;
  ordered: boolean;
  concurrency: number;
  stats: StreamStats;
}

/** Runs `handler` on `items`, bisecting on failure; outcomes in input order. */
export async function bisectItems<R>(
  items: readonly BatchItem<R>[],
  handler: WholeBatchHandler<R>,
  c: BisectContext<R>,
): Promise<{ outcomes: RecordOutcome<R>[]; rounds: number }> {
  const outcomes = new Array<RecordOutcome<R>>(items.length);
  let rounds = 0;
  const call = async (slice: readonly BatchItem<R>[], round: number): Promise<Verdict> => {
    rounds = Math.max(rounds, round);
    for (const item of slice) c.run.inHand.add(item);
    c.stats.inFlight += slice.length;
    const records = slice.map((item) => item.record);
    const first = slice[0]!.id;
    const label = slice.length === 1 ? `record ${first}` : `${slice.length} records from ${first}`;
    try {
      return await runGuarded(
        (signal) => handler(records, { signal, round }),
        first,
        label,
        c.settings,
      );
    } finally {
      for (const item of slice) c.run.inHand.delete(item);
      c.stats.inFlight -= slice.length;
    }
  };
  // A slice of several records cut off by the deadline decided nothing about any of them.
  const settle = async (slice: readonly BatchItem<R>[], verdict: Verdict) => {
    if (!verdict.ok && slice.length > 1) return skip(slice);
    for (const item of slice)
      outcomes[item.index] = verdict.ok
        ? await c.machine.processed(item, c.machine.attemptOf(item), 0)
        : await c.machine.failed(item, verdict.error);
  };
  const skip = (slice: readonly BatchItem<R>[]) => {
    for (const item of slice) outcomes[item.index] ??= unprocessed(item);
  };

  if (!c.ordered) {
    let current: (readonly BatchItem<R>[])[] = items.length ? [items] : [];
    for (let round = 1; current.length > 0; round++) {
      if (!c.run.canTake()) {
        for (const slice of current) skip(slice);
        break;
      }
      const verdicts = await limited(current, c.concurrency, (slice) => call(slice, round));
      const next: (readonly BatchItem<R>[])[] = [];
      for (let i = 0; i < current.length; i++) {
        const slice = current[i]!;
        const verdict = verdicts[i]!;
        if (verdict.ok || slice.length === 1 || c.run.stopped) await settle(slice, verdict);
        else {
          const half = Math.ceil(slice.length / 2);
          next.push(slice.slice(0, half), slice.slice(half));
        }
      }
      current = next;
    }
    return { outcomes, rounds };
  }

  // Ordered, per group: true when the group must stop (a record is reported for retry).
  const depthFirst = async (slice: readonly BatchItem<R>[], round: number): Promise<boolean> => {
    if (!c.run.canTake()) {
      skip(slice);
      return true;
    }
    const verdict = await call(slice, round);
    if (verdict.ok || slice.length === 1 || c.run.stopped) {
      await settle(slice, verdict);
      return slice.some((item) => outcomes[item.index]!.status === 'failed');
    }
    const half = Math.ceil(slice.length / 2);
    if (await depthFirst(slice.slice(0, half), round + 1)) {
      skip(slice.slice(half));
      return true;
    }
    return depthFirst(slice.slice(half), round + 1);
  };
  const groups = new Map<string, BatchItem<R>[]>();
  for (const item of items) {
    const list = groups.get(item.group ?? '');
    if (list) list.push(item);
    else groups.set(item.group ?? '', [item]);
  }
  await limited([...groups.values()], c.concurrency, (list) => depthFirst(list, 1));
  return { outcomes, rounds };
}

/** Maps `items` through `fn`, at most `n` at once; results in order. */
async function limited<T, U>(items: readonly T[], n: number, fn: (item: T) => Promise<U>) {
  const results = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}
