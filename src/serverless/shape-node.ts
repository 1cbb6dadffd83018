/**
 * Node's `(req, res)` shape (a plain http.createServer, Vercel Node functions, Express):
 * the invocation lasts until the response ends; a failure answers 500 — or goes to
 * Express's `next(error)` — and a timeout answers `onTimeout`'s response or 504, so a
 * throw never becomes an unhandled rejection and a client never waits for nothing.
 */
import { finished } from 'node:stream';
import { field } from './context.js';
import { NodeRequestRecord } from './request-record.js';
import type { AnyHandler, Settled, Shape } from './shape.js';

/** The parts of a Node `ServerResponse` used here. */
export interface NodeResponse {
  writeHead(status: number, headers?: Record<string, string>): NodeResponse;
  end(body?: unknown): unknown;
  destroy(): unknown;
  headersSent: boolean;
  writableEnded: boolean;
}

/** Node's `(req, res)`: done when the response ends; never rejects. */
export class NodeShape implements Shape {
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
