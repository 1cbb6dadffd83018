/**
 * Kinesis Data Streams and DynamoDB Streams events: ordered per shard, so a record
 * reported for retry is reported with every later record of its shard (Lambda then
 * checkpoints at the lowest sequence number and retries from there). The item
 * identifier is the sequence number. Neither source counts deliveries, so attempts are
 * counted in the processor's store (`redisStore()` to share them across instances).
 */
import { type LambdaBatchHandler, lambdaHandler } from './lambda.js';
import type { StreamProcessorOptions } from './options.js';
import type { RecordHandler } from './types.js';

/** One Kinesis record as Lambda delivers it (the fields read here). */
export interface KinesisRecord {
  /** `shardId-000000000006:<sequence number>`. */
  eventID: string;
  eventSourceARN?: string;
  kinesis: {
    sequenceNumber: string;
    partitionKey: string;
    data: string;
    /** Seconds since the epoch. */
    approximateArrivalTimestamp?: number;
  };
}

/** A Kinesis event. */
export interface KinesisEvent {
  Records: KinesisRecord[];
}

/** One DynamoDB Streams record as Lambda delivers it (the fields read here). */
export interface DynamoDbRecord {
  eventID: string;
  eventName?: string;
  eventSourceARN?: string;
  dynamodb: {
    SequenceNumber: string;
    /** Seconds since the epoch. */
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

/** A DynamoDB Streams event. */
export interface DynamoDbEvent {
  Records: DynamoDbRecord[];
}

const seconds = (s: number | undefined) => (typeof s === 'number' ? s * 1000 : undefined);

const kinesisSource = {
  name: 'kinesis',
  idOf: (r: KinesisRecord) => r?.kinesis?.sequenceNumber,
  itemIdentifier: (r: KinesisRecord) => r.kinesis.sequenceNumber,
  // The shard is the event id's prefix; a batch holds one shard's records.
  groupOf: (r: KinesisRecord) => {
    const colon = r.eventID?.indexOf(':') ?? -1;
    return colon > 0 ? r.eventID.slice(0, colon) : (r.eventSourceARN ?? '');
  },
  timestampOf: (r: KinesisRecord) => seconds(r.kinesis.approximateArrivalTimestamp),
};

const dynamoDbSource = {
  name: 'dynamodb',
  idOf: (r: DynamoDbRecord) => r?.dynamodb?.SequenceNumber,
  itemIdentifier: (r: DynamoDbRecord) => r.dynamodb.SequenceNumber,
  groupOf: (r: DynamoDbRecord) => r.eventSourceARN ?? '',
  timestampOf: (r: DynamoDbRecord) => seconds(r.dynamodb.ApproximateCreationDateTime),
};

/** A Lambda handler for Kinesis that answers with the partial batch response. */
export function kinesisHandler(
  handler: RecordHandler<KinesisRecord>,
  options?: StreamProcessorOptions<KinesisRecord>,
): LambdaBatchHandler<KinesisEvent> {
  return lambdaHandler<KinesisEvent, KinesisRecord>(kinesisSource, handler, options);
}

/** A Lambda handler for DynamoDB Streams that answers with the partial batch response. */
export function dynamoDbHandler(
  handler: RecordHandler<DynamoDbRecord>,
  options?: StreamProcessorOptions<DynamoDbRecord>,
): LambdaBatchHandler<DynamoDbEvent> {
  return lambdaHandler<DynamoDbEvent, DynamoDbRecord>(dynamoDbSource, handler, options);
}
