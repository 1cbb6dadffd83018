/**
 * Lambda-shaped events as the platform delivers them (field names and types from the
 * AWS Lambda event samples): SQS standard and FIFO, Kinesis, DynamoDB Streams.
 */
import type { DynamoDbEvent, KinesisEvent, SqsEvent, SqsRecord } from '../../src/stream/index.js';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders';

/** An SQS message; `receiveCount` is this delivery's number. */
export function sqsMessage(
  n: number,
  body: unknown,
  options: { receiveCount?: number; group?: string; fifo?: boolean } = {},
): SqsRecord {
  const fifo = options.fifo ?? options.group !== undefined;
  return {
    messageId: `059f36b4-87a3-44ab-83d2-6619${String(n).padStart(8, '0')}`,
    receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a-${n}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
      ...(fifo && {
        SequenceNumber: String(18849496460467696128n + BigInt(n)),
        MessageGroupId: options.group ?? '1',
        MessageDeduplicationId: `dedup-${n}`,
      }),
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: fifo ? `${QUEUE}.fifo` : QUEUE,
    awsRegion: 'us-east-1',
  } as SqsRecord;
}

export function sqsEvent(records: SqsRecord[]): SqsEvent {
  return { Records: records };
}

/** A Kinesis batch of one shard; record i has sequence number `base + i`. */
export function kinesisEvent(payloads: unknown[], shard = 'shardId-000000000006'): KinesisEvent {
  return {
    Records: payloads.map((payload, i) => {
      const sequenceNumber = `4959033827149025660855969253836157109592157598913${String(i).padStart(5, '0')}`;
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: `pk-${i % 3}`,
          sequenceNumber,
          data: Buffer.from(JSON.stringify(payload)).toString('base64'),
          approximateArrivalTimestamp: 1545084650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shard}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: 'us-east-2',
        eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      };
    }),
  };
}

/** A DynamoDB Streams batch of one shard. */
export function dynamoDbEvent(ids: number[]): DynamoDbEvent {
  return {
    Records: ids.map((id, i) => ({
      eventID: `c4ca4238a0b923820dcc509a6f75849${i}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: { Id: { N: String(id) } },
        NewImage: { Message: { S: `item ${id}` }, Id: { N: String(id) } },
        ApproximateCreationDateTime: 1545084650,
        SequenceNumber: String(111 + i * 111),
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN:
        'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2015-06-27T00:48:05.899',
    })),
  };
}

/** Decodes a Kinesis record's payload. */
export function kinesisPayload(data: string): unknown {
  return JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
}
