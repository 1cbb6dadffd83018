/**
 * SQS events (standard and FIFO queues). The item identifier is `messageId`; the receive
 * count (`attributes.ApproximateReceiveCount`) is the attempt count, so no store is
 * needed. A FIFO queue's records are ordered per `MessageGroupId`: a failure stops the
 * rest of its group (reported with it) while the other groups go on.
 */
import { type LambdaBatchHandler, lambdaHandler } from './lambda.js';
import type { StreamProcessorOptions } from './options.js';
import type { RecordHandler } from './types.js';

/** One SQS message as Lambda delivers it (the fields read here). */
export interface SqsRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  attributes: {
    ApproximateReceiveCount?: string;
    SentTimestamp?: string;
    MessageGroupId?: string;
    MessageDeduplicationId?: string;
    [name: string]: string | undefined;
  };
  messageAttributes?: Record<string, unknown>;
  eventSource?: string;
  eventSourceARN?: string;
  awsRegion?: string;
}

/** An SQS event. */
export interface SqsEvent {
  Records: SqsRecord[];
}

const sqsSource = {
  name: 'sqs',
  idOf: (r: SqsRecord) => r?.messageId,
  itemIdentifier: (r: SqsRecord) => r.messageId,
  groupOf: (r: SqsRecord) => r.attributes?.MessageGroupId as string,
  receiveCountOf: (r: SqsRecord) => toNumber(r.attributes?.ApproximateReceiveCount),
  timestampOf: (r: SqsRecord) => toNumber(r.attributes?.SentTimestamp),
};

/** A Lambda handler for SQS that answers with the partial batch response. */
export function sqsHandler(
  handler: RecordHandler<SqsRecord>,
  options?: StreamProcessorOptions<SqsRecord>,
): LambdaBatchHandler<SqsEvent> {
  return lambdaHandler<SqsEvent, SqsRecord>(sqsSource, handler, options);
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
