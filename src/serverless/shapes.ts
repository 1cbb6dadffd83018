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
 */
import { finished } from 'node:stream';
import { field } from './context.js';
import {
  isNodeRequest,
  isWebRequest,
  NodeRequestRecord,
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
  /** Reads a request header (HTTP shapes). */
  header(name: string): string | undefined;
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

const noHeader = () => undefined;

/** Tells the shape of one call. `streaming`: a Lambda streaming marker is on the handler or the wrapper. */
export function shapeOf(args: unknown[], streaming: boolean, maxBodyBytes: number): Shape {
  const [first, second, third] = args;
  if (streaming) return streamShape(first, second, third);
  if (isWebRequest(first)) {
    const record = new WebRequestRecord(first, maxBodyBytes);
    return {
      ...httpBase('fetch', first, second, record.header),
      record: () => record.value(),
      prepare: () => record.prefetch(),
      args: (h, tools) => (h.length >= 4 ? [first, second, third, tools] : [first, second, tools]),
      answer: async (s) => unwrap(s),
    };
  }
  if (isNodeRequest(first) && typeof field(second, 'writeHead') === 'function')
    return nodeShape(first as object, second as NodeResponse, third, maxBodyBytes);
  return lambdaShape(first, second, third);
}

function httpBase(kind: ShapeKind, event: unknown, context: unknown, header: Shape['header']) {
  return { kind, event, context, header, completion: (r: Promise<unknown>) => r };
}

function unwrap(s: Settled): unknown {
  if (s.ok) return s.value;
  throw s.error;
}

function lambdaShape(event: unknown, context: unknown, callback: unknown): Shape {
  const outer =
    typeof callback === 'function' ? (callback as (e: unknown, v?: unknown) => void) : undefined;
  return {
    ...httpBase('lambda', event, context, noHeader),
    record: () => event,
    prepare: () => undefined,
    args: (_h, tools, ctx) => [event, ctx, tools],
    answer: async (s, _timedOut, viaCallback) => {
      // Only a callback-style handler answers through the runtime's callback: a promise
      // resolved through it would make the runtime wait for an empty event loop.
      if (!outer || !viaCallback) return unwrap(s);
      if (s.ok) outer(null, s.value);
      else outer(s.error);
      return s.ok ? s.value : undefined;
    },
  };
}

interface WritableLike {
  write(chunk: unknown): unknown;
  end(): unknown;
  writableEnded?: boolean;
}

function streamShape(event: unknown, stream: unknown, context: unknown): Shape {
  return {
    ...httpBase('stream', event, context, noHeader),
    record: () => event,
    prepare: () => undefined,
    args: (_h, tools) => [event, stream, context, tools],
    answer: async (s, timedOut) => {
      if (!s.ok || !timedOut) return unwrap(s);
      // onTimeout's value closes the stream; without one the rejection reaches the
      // runtime, which ends the stream with the error in its trailers.
      const out = stream as WritableLike;
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
    },
  };
}

interface NodeResponse {
  writeHead(status: number, headers?: Record<string, string>): NodeResponse;
  end(body?: unknown): unknown;
  destroy(): unknown;
  headersSent: boolean;
  writableEnded: boolean;
}

function nodeShape(req: object, res: NodeResponse, next: unknown, maxBodyBytes: number): Shape {
  const record = new NodeRequestRecord(req, maxBodyBytes);
  return {
    ...httpBase('node', req, undefined, record.header),
    record: () => record.value(),
    prepare: () => undefined,
    args: (h, tools) => (h.length >= 4 ? [req, res, next, tools] : [req, res, tools]),
    completion: (result) => Promise.all([result, ended(res)]).then(([value]) => value),
    answer: async (s, timedOut) => {
      try {
        if (s.ok && !timedOut) return undefined;
        if (!s.ok && !timedOut && typeof next === 'function') {
          next(s.error);
          return undefined;
        }
        await respond(res, s.ok ? s.value : undefined, timedOut ? 504 : 500);
      } catch {
        await respond(res, undefined, 500).catch(() => {});
      }
      return undefined;
    },
  };
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
    res
      .writeHead(code, headers)
      .end(typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body));
    return;
  }
  const text = typeof value === 'string' ? value : STATUS_TEXT[status]!;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
