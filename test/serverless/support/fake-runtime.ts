/**
 * A stand-in for the AWS Lambda Node.js runtime interface client, reduced to what decides
 * how a handler is called and answered (read from aws-lambda-nodejs-runtime-interface-client,
 * src/Runtime.js, CallbackContext.js, UserFunction.js, ResponseStream.js):
 * - the handler's `Symbol.for('aws.lambda.runtime.handler.streaming') === 'response'`
 *   picks streaming `(event, responseStream, context)`, else buffered
 *   `(event, context, callback)`;
 * - buffered: a returned promise is followed (`then(succeed, fail)`), the callback works
 *   too, and only the first completion counts;
 * - streaming: a non-promise return fails the invocation, a rejection ends the stream
 *   with the error as trailers, a stream not ended when the promise resolves fails it.
 * The runtime's kill at the budget is a timer, so fake timers drive it.
 */
import { Writable } from 'node:stream';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** `awslambda.streamifyResponse`, as the runtime defines it: marks the handler, returns it. */
export function streamifyResponse<F extends object>(
  handler: F,
  options?: { highWaterMark?: number },
): F {
  (handler as Record<symbol, unknown>)[STREAMING] = 'response';
  if (typeof options?.highWaterMark === 'number')
    (handler as Record<symbol, unknown>)[HIGH_WATER_MARK] = options.highWaterMark;
  return handler;
}

/** How the runtime saw the invocation end. */
export interface RuntimeResult {
  mode: 'buffered' | 'streaming';
  /** `promise` or `callback` (buffered): which channel answered first. */
  channel?: 'promise' | 'callback';
  result?: unknown;
  error?: unknown;
  /** The runtime killed the instance at the budget. */
  killed?: boolean;
  /** Streaming: what was written, and the error trailers. */
  body?: string;
  trailers?: { errorType: string; errorMessage: string };
  highWaterMark?: number;
}

/** The response stream the runtime hands a streaming handler. */
export class ResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  contentType?: string;
  trailers?: { errorType: string; errorMessage: string };

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  setContentType(type: string): void {
    this.contentType = type;
  }

  /** What the runtime's `tryCallFail` does: error trailers, then end. */
  fail(error: unknown): void {
    const e = error as { name?: string; message?: string };
    this.trailers = { errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(error) };
    if (!this.writableEnded) this.end();
  }
}

/** Invokes `handler` once as the runtime does, with a budget the runtime enforces. */
export function invoke(
  handler: (...args: never[]) => unknown,
  event: unknown,
  options: { budgetMs: number; requestId?: string; functionName?: string; memoryMB?: number },
): Promise<RuntimeResult> {
  const end = Date.now() + options.budgetMs;
  const context = {
    awsRequestId: options.requestId ?? 'rt-req-1',
    functionName: options.functionName ?? 'rt-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${options.functionName ?? 'rt-fn'}`,
    memoryLimitInMB: String(options.memoryMB ?? 1024),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => end - Date.now(),
  };
  const marks = handler as unknown as Record<symbol, unknown>;
  const fn = handler as unknown as (...args: unknown[]) => unknown;
  return new Promise<RuntimeResult>((resolve) => {
    let done = false;
    const kill = setTimeout(() => finish({ killed: true }), options.budgetMs);
    const finish = (r: Omit<RuntimeResult, 'mode'>) => {
      if (done) return;
      done = true;
      clearTimeout(kill);
      resolve({ mode: marks[STREAMING] === 'response' ? 'streaming' : 'buffered', ...r });
    };
    if (marks[STREAMING] === 'response') {
      const stream = new ResponseStream({
        ...(typeof marks[HIGH_WATER_MARK] === 'number' && {
          highWaterMark: marks[HIGH_WATER_MARK] as number,
        }),
      });
      const settled = () =>
        finish({
          body: Buffer.concat(stream.chunks).toString(),
          ...(stream.trailers && { trailers: stream.trailers }),
          highWaterMark: stream.writableHighWaterMark,
        });
      // The runtime waits for RAPID's answer, which comes after the stream finished.
      const settle = () => (stream.writableFinished ? settled() : stream.once('finish', settled));
      const returned = fn(event, stream, context);
      if (typeof (returned as Promise<unknown>)?.then !== 'function') {
        stream.fail(new Error('Streaming does not support non-async handlers.'));
        settle();
        return;
      }
      (returned as Promise<unknown>).then(
        () => {
          if (!stream.writableEnded) stream.fail(new Error('Response stream is not finished.'));
          settle();
        },
        (error: unknown) => {
          stream.fail(error);
          settle();
        },
      );
      return;
    }
    const callback = (error: unknown, result?: unknown) =>
      error !== undefined && error !== null
        ? finish({ channel: 'callback', error })
        : finish({ channel: 'callback', result });
    try {
      const returned = fn(event, context, callback);
      if (typeof (returned as Promise<unknown>)?.then === 'function')
        (returned as Promise<unknown>).then(
          (result) => finish({ channel: 'promise', result }),
          (error: unknown) => finish({ channel: 'promise', error }),
        );
    } catch (error) {
      callback(error);
    }
  });
}
