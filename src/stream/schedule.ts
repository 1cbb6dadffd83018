/**
 * Who runs when within a batch. Unordered: up to `concurrency` records at once, in input
 * order of taking. Ordered: records of one group strictly one after another, up to
 * `concurrency` groups at once; a group stops at its first record that is reported for
 * retry, and every later record of that group is reported with it (the platform's rule
 * for Kinesis, DynamoDB Streams and SQS FIFO), while the other groups go on.
 */
import type { BatchItem } from './poison.js';
import { unprocessed } from './poison.js';
import type { RecordOutcome } from './types.js';

type Step<R> = (item: BatchItem<R>) => RecordOutcome<R> | Promise<RecordOutcome<R>>;

/** Runs every item through `step`; the outcomes are in input order. */
export async function schedule<R>(
  items: readonly BatchItem<R>[],
  ordered: boolean,
  concurrency: number,
  step: Step<R>,
  onGroupStopped: (group: string, at: BatchItem<R>, unprocessed: number) => void,
): Promise<RecordOutcome<R>[]> {
  const outcomes = new Array<RecordOutcome<R>>(items.length);
  if (!ordered) {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const o = step(item);
        outcomes[item.index] = o instanceof Promise ? await o : o;
      }
    };
    await workers(Math.min(concurrency, items.length), worker);
    return outcomes;
  }
  const groups = new Map<string, BatchItem<R>[]>();
  for (const item of items) {
    const list = groups.get(item.group ?? '');
    if (list) list.push(item);
    else groups.set(item.group ?? '', [item]);
  }
  const queue = [...groups.values()];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const list = queue[next++]!;
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        const step1 = step(item);
        const o = step1 instanceof Promise ? await step1 : step1;
        outcomes[item.index] = o;
        if (o.status !== 'failed' && o.status !== 'unprocessed') continue;
        for (let j = i + 1; j < list.length; j++) outcomes[list[j]!.index] = unprocessed(list[j]!);
        if (o.status === 'failed') onGroupStopped(item.group ?? '', item, list.length - i - 1);
        break;
      }
    }
  };
  await workers(Math.min(concurrency, queue.length), worker);
  return outcomes;
}

async function workers(n: number, worker: () => Promise<void>): Promise<void> {
  if (n <= 1) return worker();
  const running: Promise<void>[] = [];
  for (let i = 0; i < n; i++) running.push(worker());
  await Promise.all(running);
}
