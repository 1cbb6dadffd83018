/**
 * selfheal/stream — a poison record never blocks a shard. A per-record state machine
 * (failed → retried → dead-lettered or skipped at `maxAttempts`) over any records with an
 * id (`processBatch`, `streamProcessor`), bisection for whole-batch handlers, Lambda
 * adapters that answer with partial batch responses (SQS standard and FIFO, Kinesis,
 * DynamoDB Streams), dead-letter sinks, and a Redis Streams consumer-group loop
 * (`consumeStream`) with atomic dead-letter moves and redrive. Node only.
 */
export {
  type AttemptStore,
  type AttemptStoreOptions,
  attemptStore,
} from './attempt-store.js';
export type { BatchCallOptions, InvocationLike } from './batch-run.js';
export { consumeStream } from './consumer.js';
export type {
  ConsumeStreamOptions,
  StreamEntry,
} from './consumer-options.js';
export type { ConsumerHealth, StreamConsumer } from './consumer-state.js';
export {
  letterFields,
  type RedisStreamSinkOptions,
  redisStreamSink,
  type SqsSendMessageInput,
  type SqsSinkOptions,
  sqsSink,
} from './dead-letter.js';
export { DeadLetterError, DeliveryLimitError, RecordTimeoutError } from './errors.js';
export type { StreamEvent, StreamEventMap } from './events.js';
export type { StreamHealth } from './health.js';
export {
  type DynamoDbEvent,
  type DynamoDbRecord,
  dynamoDbHandler,
  type KinesisEvent,
  type KinesisRecord,
  kinesisHandler,
} from './kinesis.js';
export type { BatchResponse, LambdaBatchHandler, LambdaContextLike } from './lambda.js';
export type { OnPoison, StreamProcessorOptions } from './options.js';
export {
  bisectBatch,
  processBatch,
  type StreamProcessor,
  streamProcessor,
} from './processor.js';
export type { RedisCommands, RedisConnection } from './redis-client.js';
export {
  parseLetter,
  type RedriveOptions,
  redriveDeadLetters,
  type StoredDeadLetter,
} from './redrive.js';
export type { RecordsOptions } from './source.js';
export { type SqsEvent, type SqsRecord, sqsHandler } from './sqs.js';
export type {
  AttemptHistory,
  BatchResult,
  DeadLetter,
  DeadLetterSink,
  FailedAttempt,
  RecordContext,
  RecordHandler,
  RecordOutcome,
  RecordStatus,
  WholeBatchHandler,
} from './types.js';
