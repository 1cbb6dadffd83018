/**
 * The shapes a platform calls a handler in, told apart at call time, and how each one is
 * called and answered:
 * - `lambda` — `(event, context, callback?)`: the tools take the callback's place and
 *   bridge it: a callback-style handler (three parameters, returns nothing) settles
 *   through `tools(error, result)`, and its outcome goes back through the runtime's own
 *   callback when one was passed (so `callbackWaitsForEmptyEventLoop` keeps its meaning);
 * - `stream` — Lambda response streaming `(event, responseStream, context)`, told by the
 *   runtime's marker on the handler or on the wrapper;
 * - `fetch` — a Web `Request` first (Vercel, Netlify, Cloudflare, Azure Functions v4);
 * - `node` — Node's `(req, res)` (a plain `http.createServer`, Vercel, Express); it never
 *   rejects: a failure answers 500 (or goes to Express's `next`), a timeout 504.
 * One small object per invocation, no closures: this runs on every call.
 */
import { field } from './context.js';
import {
  isNodeRequest,
  isWebRequest,
  type WebRequestLike,
  WebRequestRecord,
} from './request-record.js';
import { type AnyHandler, type Settled, type Shape, type ShapeKind, unwrap } from './shape.js';
import { type NodeResponse, NodeShape } from './shape-node.js';

/** Lambda's marker for a response-streaming handler (`awslambda.streamifyResponse`). */
export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** Lambda's marker for a streaming handler's high-water mark. */
export const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** Tells the shape of one call. `streaming`: a Lambda streaming marker is on the handler or the wrapper. */
export function shapeOf(args: unknown[], streaming: boolean, maxBodyBytes: number): Shape {
  const [first, second, third] = args;
  if (streaming) return new StreamShape(first, second, third);
  if (isWebRequest(first)) return new FetchShape(first, second, third, maxBodyBytes);
  if (isNodeRequest(first) && typeof field(second, 'writeHead') === 'function')
    return new NodeShape(first as object, second as NodeResponse, third, maxBodyBytes);
  return new LambdaShape(first, second, third);
}

class LambdaShape implements Shape {
  readonly kind: ShapeKind = 'lambda';
  readonly http = false;
  readonly event: unknown;
  readonly context: unknown;
  readonly #callback: unknown;

  constructor(event: unknown, context: unknown, callback: unknown) {
    this.event = event;
    this.context = context;
    this.#callback = callback;
  }

  header(): undefined {
    return undefined;
  }
  record(): unknown {
    return this.event;
  }
  prepare(): undefined {
    return undefined;
  }
  args(_h: AnyHandler, tools: unknown, context: unknown): unknown[] {
    return [this.event, context, tools];
  }
  completion(result: Promise<unknown>): Promise<unknown> {
    return result;
  }
  async answer(s: Settled, _timedOut: boolean, viaCallback: boolean): Promise<unknown> {
    // Only a callback-style handler answers through the runtime's callback: a promise
    // resolved through it would make the runtime wait for an empty event loop.
    const outer = this.#callback;
    if (typeof outer !== 'function' || !viaCallback) return unwrap(s);
    if (s.ok) outer(null, s.value);
    else outer(s.error);
    return s.ok ? s.value : undefined;
  }
}

interface WritableLike {
  write(chunk: unknown): unknown;
  end(): unknown;
  writableEnded?: boolean;
}

class StreamShape extends LambdaShape {
  override readonly kind = 'stream';
  readonly #stream: unknown;

  constructor(event: unknown, stream: unknown, context: unknown) {
    super(event, context, undefined);
    this.#stream = stream;
  }

  override args(_h: AnyHandler, tools: unknown): unknown[] {
    return [this.event, this.#stream, this.context, tools];
  }

  override async answer(s: Settled, timedOut: boolean): Promise<unknown> {
    if (!s.ok || !timedOut) return unwrap(s);
    // onTimeout's value closes the stream; without one the rejection reaches the
    // runtime, which ends the stream with the error in its trailers.
    const out = this.#stream as WritableLike;
    if (out && out.writableEnded !== true) {
      const v = s.value;
      try {
        if (v !== undefined)
          out.write(typeof v === 'string' || v instanceof Uint8Array ? v : JSON.stringify(v));
      } finally {
        out.end();
      }
    }
    return undefined;
  }
}

class FetchShape implements Shape {
  readonly kind = 'fetch';
  readonly http = true;
  readonly event: WebRequestLike;
  readonly context: unknown;
  readonly #third: unknown;
  readonly #record: WebRequestRecord;

  constructor(request: WebRequestLike, context: unknown, third: unknown, maxBodyBytes: number) {
    this.event = request;
    this.context = context;
    this.#third = third;
    this.#record = new WebRequestRecord(request, maxBodyBytes);
  }

  header(name: string): string | undefined {
    return this.#record.header(name);
  }
  record(): unknown {
    return this.#record.value();
  }
  prepare(): Promise<void> | undefined {
    return this.#record.prefetch();
  }
  args(h: AnyHandler, tools: unknown): unknown[] {
    return h.length >= 4
      ? [this.event, this.context, this.#third, tools]
      : [this.event, this.context, tools];
  }
  completion(result: Promise<unknown>): Promise<unknown> {
    return result;
  }
  async answer(s: Settled): Promise<unknown> {
    return unwrap(s);
  }
}
