/**
 * Where records come from, as far as the processor cares: how to read a record's id,
 * its shard or group (ordered sources only), the source's own delivery count and the
 * record's timestamp. Each adapter (SQS, Kinesis, DynamoDB Streams, Redis Streams)
 * gives one; {@link recordsSource} builds one for any records with an id.
 */
import type { BatchItem } from './poison.js';

/** How a processor reads records of one source. */
export interface RecordSource<R> {
  /** `sqs`, `kinesis`, `dynamodb`, `redis-stream`, `records`: written into dead letters. */
  readonly name: string;
  idOf(record: R): unknown;
  /** Ordered sources: the shard or message group a record belongs to. Undefined: unordered. */
  readonly groupOf?: ((record: R) => string | undefined) | undefined;
  /** This delivery's number, when the source counts deliveries (SQS `ApproximateReceiveCount`). */
  readonly receiveCountOf?: ((record: R) => number | undefined) | undefined;
  /** When the record entered the source, epoch ms (for `lagMs`). */
  readonly timestampOf?: ((record: R) => number | undefined) | undefined;
}

/** Options that describe plain records for {@link processBatch}. */
export interface RecordsOptions<R> {
  /** Reads a record's id. @default (record) => record.id */
  idOf?: (record: R) => unknown;
  /** Process records in order: stop at the first failure, report it and every later record. @default false */
  ordered?: boolean;
  /** Ordered per group (shard, message group): other groups go on past a failure. Implies `ordered`. @default one group */
  groupOf?: (record: R) => string;
  /** The source's own delivery count of a record, if it has one. @default none */
  receiveCountOf?: (record: R) => number | undefined;
  /** When a record entered the source, epoch ms (for `lagMs`). @default none */
  timestampOf?: (record: R) => number | undefined;
}

const ONE_GROUP = () => '';

/** A {@link RecordSource} for plain records. */
export function recordsSource<R>(options: RecordsOptions<R> = {}): RecordSource<R> {
  for (const key of ['idOf', 'groupOf', 'receiveCountOf', 'timestampOf'] as const) {
    const fn = options[key];
    if (fn !== undefined && typeof fn !== 'function')
      throw new TypeError(`Expected \`${key}\` to be a function, got ${typeof fn}`);
  }
  return {
    name: 'records',
    idOf: options.idOf ?? ((record) => (record as { id?: unknown } | null)?.id),
    groupOf: options.groupOf ?? (options.ordered ? ONE_GROUP : undefined),
    receiveCountOf: options.receiveCountOf,
    timestampOf: options.timestampOf,
  };
}

/** The batch's items; throws a TypeError naming the first record without a usable id. */
export function toItems<R>(records: readonly R[], source: RecordSource<R>): BatchItem<R>[] {
  if (!Array.isArray(records))
    throw new TypeError(`Expected \`records\` to be an array, got ${typeof records}`);
  const { groupOf, receiveCountOf } = source;
  const items = new Array<BatchItem<R>>(records.length);
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const id = source.idOf(record);
    if (typeof id !== 'string' || id === '') {
      throw new TypeError(
        `Record at index ${index} has no id: expected a non-empty string, got ${id === '' ? 'an empty string' : typeof id} (${source.name === 'records' ? 'give records an `id`, or pass `idOf`' : `not a ${source.name} record?`})`,
      );
    }
    const count = receiveCountOf?.(record);
    items[index] = {
      record,
      id,
      index,
      group: groupOf?.(record),
      sourceCount: count !== undefined && Number.isInteger(count) && count >= 1 ? count : undefined,
    };
  }
  return items;
}
