import { describe, expect, it } from 'vitest';
import { manualClock, memoryStore, sleep } from '../../src/core/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import {
  type DeadLetter,
  type DynamoDbRecord,
  dynamoDbHandler,
  type KinesisRecord,
  kinesisHandler,
  type SqsRecord,
  type StreamEvent,
  sqsHandler,
} from '../../src/stream/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { dynamoDbEvent, kinesisEvent, kinesisPayload, sqsEvent, sqsMessage } from './fixtures.js';

const body = (m: SqsRecord) => JSON.parse(m.body) as { n: number };

describe('SQS standard queue', () => {
  it('answers an empty batchItemFailures list when every message succeeds', async () => {
    const handler = sqsHandler(() => {}, { onPoison: 'skip' });
    const event = sqsEvent([1, 2, 3].map((n) => sqsMessage(n, { n })));
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
  });

  it('reports exactly the failed messages by messageId; the rest are done', async () => {
    const handler = sqsHandler(
      (m) => {
        if (body(m).n % 2 === 0) throw new Error('even');
      },
      { onPoison: 'skip', concurrency: 1 },
    );
    const messages = [1, 2, 3, 4, 5].map((n) => sqsMessage(n, { n }));
    expect(await handler(sqsEvent(messages))).toEqual({
      batchItemFailures: [
        { itemIdentifier: messages[1]!.messageId },
        { itemIdentifier: messages[3]!.messageId },
      ],
    });
  });

  it('dead-letters a poison message on its maxAttempts-th receive (ApproximateReceiveCount) and the batch succeeds', async () => {
    const letters: DeadLetter<SqsRecord>[] = [];
    const handler = sqsHandler(
      (m) => {
        if (body(m).n === 2) throw new Error('poison');
      },
      { maxAttempts: 3, deadLetter: (l) => void letters.push(l) },
    );
    const responses = [];
    for (let receive = 1; receive <= 3; receive++) {
      const event = sqsEvent([
        sqsMessage(1, { n: 1 }),
        sqsMessage(2, { n: 2 }, { receiveCount: receive }),
      ]);
      responses.push(await handler(event));
    }
    const poisonId = sqsMessage(2, {}).messageId;
    expect(responses).toEqual([
      { batchItemFailures: [{ itemIdentifier: poisonId }] },
      { batchItemFailures: [{ itemIdentifier: poisonId }] },
      { batchItemFailures: [] },
    ]);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: poisonId, attempts: 3, source: 'sqs' });
    expect(letters[0]!.history.countedBy).toBe('source');
    expect(handler.health()).toMatchObject({ deadLettered: 1, retried: 2, processed: 3 });
  });
});

describe('SQS FIFO queue', () => {
  it('stops a message group at its first failure and reports the rest of that group; other groups go on', async () => {
    const seen: number[] = [];
    const handler = sqsHandler(
      (m) => {
        seen.push(body(m).n);
        if (body(m).n === 2) throw new Error('out of stock');
      },
      { onPoison: 'skip', maxAttempts: 3 },
    );
    // Group A: 1, 2, 4, 6; group B: 3, 5.
    const messages = [
      sqsMessage(1, { n: 1 }, { group: 'A' }),
      sqsMessage(2, { n: 2 }, { group: 'A' }),
      sqsMessage(3, { n: 3 }, { group: 'B' }),
      sqsMessage(4, { n: 4 }, { group: 'A' }),
      sqsMessage(5, { n: 5 }, { group: 'B' }),
      sqsMessage(6, { n: 6 }, { group: 'A' }),
    ];
    const response = await handler(sqsEvent(messages));
    expect(response).toEqual({
      batchItemFailures: [1, 3, 5].map((i) => ({ itemIdentifier: messages[i]!.messageId })),
    });
    expect(seen.sort()).toEqual([1, 2, 3, 5]);
  });

  it('a dead-lettered FIFO message unblocks its group', async () => {
    const letters: string[] = [];
    const handler = sqsHandler(
      (m) => {
        if (body(m).n === 2) throw new Error('poison');
      },
      { maxAttempts: 2, deadLetter: (l) => void letters.push(l.id) },
    );
    const messages = [1, 2, 3].map((n) =>
      sqsMessage(n, { n }, { group: 'A', receiveCount: n === 2 ? 2 : 1 }),
    );
    expect(await handler(sqsEvent(messages))).toEqual({ batchItemFailures: [] });
    expect(letters).toEqual([messages[1]!.messageId]);
  });
});

describe('Kinesis', () => {
  const seq = (e: { Records: KinesisRecord[] }, i: number) => e.Records[i]!.kinesis.sequenceNumber;

  it('stops the shard at the first failure and reports it with every later record', async () => {
    const seen: number[] = [];
    const handler = kinesisHandler(
      (r) => {
        const { n } = kinesisPayload(r.kinesis.data) as { n: number };
        seen.push(n);
        if (n === 2) throw new Error('bad');
      },
      { onPoison: 'skip', concurrency: 4 },
    );
    const event = kinesisEvent([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(await handler(event)).toEqual({
      batchItemFailures: [2, 3, 4].map((i) => ({ itemIdentifier: seq(event, i) })),
    });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('dead-letters a poison record on its maxAttempts-th delivery (attempts in the store) and the batch succeeds after', async () => {
    const letters: DeadLetter<KinesisRecord>[] = [];
    const store = memoryStore();
    // Two instances of the function share the store, as a fleet shares redisStore().
    const make = () =>
      kinesisHandler(
        (r) => {
          if ((kinesisPayload(r.kinesis.data) as { n: number }).n === 1) throw new Error('poison');
        },
        { maxAttempts: 3, store, deadLetter: (l) => void letters.push(l) },
      );
    const instances = [make(), make()];
    const event = kinesisEvent([0, 1, 2].map((n) => ({ n })));
    const responses = [];
    for (let delivery = 0; delivery < 3; delivery++)
      responses.push(await instances[delivery % 2]!(event));
    const failed = [1, 2].map((i) => ({ itemIdentifier: seq(event, i) }));
    expect(responses).toEqual([
      { batchItemFailures: failed },
      { batchItemFailures: failed },
      { batchItemFailures: [] },
    ]);
    expect(letters.map((l) => [l.id, l.attempts, l.source, l.group])).toEqual([
      [seq(event, 1), 3, 'kinesis', 'shardId-000000000006'],
    ]);
  });
});

describe('DynamoDB Streams', () => {
  it('reports the failed record and every later one by SequenceNumber', async () => {
    const handler = dynamoDbHandler(
      (r: DynamoDbRecord) => {
        if (r.dynamodb.Keys!.Id && (r.dynamodb.Keys!.Id as { N: string }).N === '102')
          throw new Error('bad');
      },
      { onPoison: 'skip' },
    );
    const event = dynamoDbEvent([101, 102, 103]);
    expect(await handler(event)).toEqual({
      batchItemFailures: [{ itemIdentifier: '222' }, { itemIdentifier: '333' }],
    });
  });

  it('dead-letters the poison record on its maxAttempts-th delivery and the batch succeeds after', async () => {
    const letters: string[] = [];
    const handler = dynamoDbHandler(
      (r) => {
        if (r.dynamodb.SequenceNumber === '111') throw new Error('poison');
      },
      { maxAttempts: 2, deadLetter: (l) => void letters.push(l.id) },
    );
    const event = dynamoDbEvent([101, 102]);
    expect(await handler(event)).toEqual({
      batchItemFailures: [{ itemIdentifier: '111' }, { itemIdentifier: '222' }],
    });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(letters).toEqual(['111']);
  });
});

describe('deadlines in Lambda', () => {
  it("stops before the context's remaining time runs out and reports in-hand and untouched messages", async () => {
    const clock = manualClock(0);
    const handler = sqsHandler((_m, ctx) => sleep(clock, 100, ctx.signal), {
      onPoison: 'skip',
      concurrency: 1,
      deadlineMarginMs: 50,
      clock,
    });
    const messages = [1, 2, 3, 4].map((n) => sqsMessage(n, { n }));
    const done = handler(sqsEvent(messages), { getRemainingTimeInMillis: () => 300 });
    await clock.advance(300);
    // Stop at 250: two done, the third in hand, the fourth untouched.
    expect(await done).toEqual({
      batchItemFailures: [2, 3].map((i) => ({ itemIdentifier: messages[i]!.messageId })),
    });
  });

  it('inside instrument(): uses its deadline and answers before it', async () => {
    const clock = manualClock(0);
    const events: StreamEvent[] = [];
    const batch = sqsHandler(
      (m, ctx) => (body(m).n === 2 ? new Promise(() => {}) : sleep(clock, 10, ctx.signal)),
      { onPoison: 'skip', concurrency: 1, deadlineMarginMs: 100, clock },
    );
    batch.events.onEvent((e) => events.push(e));
    const handler = instrument(batch, {
      timeoutMs: 700,
      timeoutMarginMs: 200,
      sink: memorySink(),
      clock,
    });
    const messages = [1, 2, 3].map((n) => sqsMessage(n, { n }));
    const done = handler(sqsEvent(messages));
    await clock.advance(700);
    // instrument's deadline is 500; the batch answers at 400 with the message in hand.
    expect(await done).toEqual({
      batchItemFailures: [1, 2].map((i) => ({ itemIdentifier: messages[i]!.messageId })),
    });
    const stopped = events.find((e) => e.type === 'batch-stopped');
    expect(stopped).toMatchObject({
      reason: 'deadline',
      inHand: [messages[1]!.messageId],
      at: 400,
    });
    expect(handler.health().outcomes).toMatchObject({ success: 1, timeout: 0 });
  });

  it('inside instrument(): a timeout diagnostic names the record in hand (track)', async () => {
    const clock = manualClock(0);
    const diagnostics: Diagnostic[] = [];
    const batch = sqsHandler(() => new Promise(() => {}), {
      onPoison: 'skip',
      deadlineMarginMs: 0,
      clock,
    });
    const handler = instrument(batch, {
      timeoutMs: 400,
      timeoutMarginMs: 100,
      onDiagnostic: (d) => diagnostics.push(d),
      sink: memorySink(),
      clock,
    });
    const message = sqsMessage(1, { n: 1 });
    const done = handler(sqsEvent([message]));
    const settled = done.then(
      () => undefined,
      (e: unknown) => e,
    );
    await clock.advance(400);
    expect(String(await settled)).toMatch(/ran out of time/);
    expect(diagnostics[0]!.reason).toBe('timeout');
    expect(diagnostics[0]!.inFlight.map((op) => op.label)).toContain(`record ${message.messageId}`);
  });
});

describe('adapters: bad input', () => {
  it('rejects an event without Records and a handler that is not a function', async () => {
    expect(() => sqsHandler('x' as never)).toThrow(/`handler`/);
    const handler = kinesisHandler(() => {}, { onPoison: 'skip' });
    await expect(handler({} as never)).rejects.toThrow(/kinesis event with a `Records` array/);
    await expect(handler({ Records: [{ eventID: 'x' }] } as never)).rejects.toThrow(
      /index 0 has no id/,
    );
  });
});
