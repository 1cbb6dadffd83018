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
import { finished } from 'node:stream';
import { field } from './context.js';
import {
  isNodeRequest,
  isWebRequest,
  NodeRequestRecord,
  type WebRequestLike,
  WebRequestRecord,
} from './request-record.js';

/** Lambda's marker for a response-streaming handler (`awslambda.streamifyResponse`). */
export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** Lambda's marker for a streaming handler's high-water mark. */
export const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** How the platform called. */
export type ShapeKind = 'lambda' | 'stream' | 'fetch' | 'node';

type AnyHandler = (...args: unknown[]) => unknown;

/** The outcome a shape turns into the platform's answer. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** One invocation as its platform made it. */
export interface Shape {
  readonly kind: ShapeKind;
  /** The object whose facts and budget are read (Lambda's, Azure's or Netlify's context). */
  readonly context: unknown;
  /** What `onTimeout` receives: the event, the request. */
  readonly event: unknown;
  /** Reads a request header (HTTP shapes; undefined for the others). */
  header(name: string): string | undefined;
  /** True when the platform may carry its request id in a header. */
  readonly http: boolean;
  /** The event as the diagnostic records it. */
  record(): unknown;
  /** Work before the handler runs (a request body's prefix); never rejects. */
  prepare(): Promise<void> | undefined;
  /** The handler's arguments, the tools in their place. */
  args(handler: AnyHandler, tools: unknown, context: unknown): unknown[];
  /** When the handler is done: its promise, and for Node also the end of the response. */
  completion(result: Promise<unknown>): Promise<unknown>;
  /** Turns the outcome into the platform's answer; `viaCallback`: the handler settled through its callback. */
  answer(settled: Settled, timedOut: boolean, viaCallback: boolean): Promise<unknown>;
}

/** Tells the shape of one call. `streaming`: a Lambda streaming marker is on the handler or the wrapper. */
export function shapeOf(args: unknown[], streaming: boolean, maxBodyBytes: number): Shape {
  const [first, second, third] = args;
  if (streaming) return new StreamShape(first, second, third);
  if (isWebRequest(first)) return new FetchShape(first, second, third, maxBodyBytes);
  if (isNodeRequest(first) && typeof field(second, 'writeHead') === 'function')
    return new NodeShape(first as object, second as NodeResponse, third, maxBodyBytes);
  return new LambdaShape(first, second, third);
}

function unwrap(s: Settled): unknown {
  if (s.ok) return s.value;
  throw s.error;
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

interface NodeResponse {
  writeHead(status: number, headers?: Record<string, string>): NodeResponse;
  end(body?: unknown): unknown;
  destroy(): unknown;
  headersSent: boolean;
  writableEnded: boolean;
}

class NodeShape implements Shape {
  readonly kind = 'node';
  readonly http = true;
  readonly context = undefined;
  readonly event: object;
  readonly #res: NodeResponse;
  readonly #next: unknown;
  readonly #record: NodeRequestRecord;

  constructor(req: object, res: NodeResponse, next: unknown, maxBodyBytes: number) {
    this.event = req;
    this.#res = res;
    this.#next = next;
    this.#record = new NodeRequestRecord(req, maxBodyBytes);
  }

  header(name: string): string | undefined {
    return this.#record.header(name);
  }
  record(): unknown {
    return this.#record.value();
  }
  prepare(): undefined {
    return undefined;
  }
  args(h: AnyHandler, tools: unknown): unknown[] {
    return h.length >= 4
      ? [this.event, this.#res, this.#next, tools]
      : [this.event, this.#res, tools];
  }
  completion(result: Promise<unknown>): Promise<unknown> {
    return Promise.all([result, ended(this.#res)]).then(([value]) => value);
  }
  async answer(s: Settled, timedOut: boolean): Promise<unknown> {
    const res = this.#res;
    try {
      if (s.ok && !timedOut) return undefined;
      if (!s.ok && !timedOut && typeof this.#next === 'function') {
        this.#next(s.error);
        return undefined;
      }
      await respond(res, s.ok ? s.value : undefined, timedOut ? 504 : 500);
    } catch {
      await respond(res, undefined, 500).catch(() => {});
    }
    return undefined;
  }
}

// Resolves when the response has ended or its connection closed, whichever comes first.
function ended(res: NodeResponse): Promise<void> {
  return new Promise((resolve) => {
    const cleanup = finished(res as never, () => {
      cleanup();
      resolve();
    });
  });
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  504: 'Gateway Timeout',
};

/** Sends `value` (a Web Response, `{ statusCode, headers, body }`, a string or nothing). */
async function respond(res: NodeResponse, value: unknown, status: number): Promise<void> {
  if (res.writableEnded) return;
  // Half a response was sent already: cut it, so the client sees a failure, not a hang.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (value instanceof Response) {
    const body = Buffer.from(await value.arrayBuffer());
    res.writeHead(value.status, Object.fromEntries(value.headers)).end(body);
    return;
  }
  const code = Number(field(value, 'statusCode'));
  if (Number.isInteger(code) && code >= 100 && code <= 599) {
    const body = field(value, 'body');
    const headers = field(value, 'headers') as Record<string, string> | undefined;
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    res.writeHead(code, headers).end(text);
    return;
  }
  const text = typeof value === 'string' ? value : STATUS_TEXT[status]!;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
