/**
 * An HTTP request as a diagnostic records it: method, URL without its query (queries
 * carry tokens), headers (redacted later with the rest of the record) and the first
 * `maxBytes` of the body. A Web `Request` (Vercel, Netlify, Cloudflare, Azure Functions
 * v4's HttpRequest) is cloned and the clone's body read up to the cap before the handler
 * runs — the handler's own body is untouched, and memory is bounded by the cap. A Node
 * `IncomingMessage` is a stream only the handler may read: its body is recorded when a
 * framework has parsed it into `req.body` (Express, Vercel), never read by us.
 */
import { field } from './context.js';

/** What the diagnostic records for an HTTP request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body?: unknown;
}

/** A Web `Request` or a look-alike (Azure's HttpRequest). */
export interface WebRequestLike {
  method: string;
  url: string;
  headers: { get(name: string): string | null; entries?(): IterableIterator<[string, string]> };
  clone?(): { body?: ReadableStream<Uint8Array> | null };
  body?: unknown;
}

/** True for a Web Request (duck-typed: other realms and Azure's class are requests too). */
export function isWebRequest(value: unknown): value is WebRequestLike {
  const headers = field(value, 'headers');
  return (
    typeof field(value, 'method') === 'string' &&
    typeof field(value, 'url') === 'string' &&
    typeof field(headers, 'get') === 'function' &&
    typeof field(value, 'arrayBuffer') === 'function'
  );
}

/** True for a Node `IncomingMessage` (headers as a plain object, a readable stream). */
export function isNodeRequest(value: unknown): boolean {
  const headers = field(value, 'headers');
  return (
    typeof field(value, 'method') === 'string' &&
    typeof field(value, 'url') === 'string' &&
    typeof headers === 'object' &&
    headers !== null &&
    typeof field(headers, 'get') !== 'function' &&
    typeof field(value, 'on') === 'function'
  );
}

// Bodies decoded as text; anything else is recorded by its size and type.
const TEXTUAL =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript|graphql))/i;

/** Strips query and fragment. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** The record of a Web Request; `prefetch()` reads the body's first `maxBytes` from a clone. */
export class WebRequestRecord {
  readonly #request: WebRequestLike;
  readonly #maxBytes: number;
  #body: unknown;

  constructor(request: WebRequestLike, maxBytes: number) {
    this.#request = request;
    this.#maxBytes = maxBytes;
  }

  /** Reads a request header. */
  header(name: string): string | undefined {
    try {
      return this.#request.headers.get(name) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Reads the body prefix from a clone; never rejects, and leaves the request's own body
   * to the handler. Undefined when there is no body to read, so the handler starts at once.
   */
  prefetch(): Promise<void> | undefined {
    const r = this.#request;
    if (r.method === 'GET' || r.method === 'HEAD' || field(r, 'body') == null) return undefined;
    if (field(r, 'bodyUsed') === true || typeof r.clone !== 'function') return undefined;
    return this.#read(r.clone as () => { body?: ReadableStream<Uint8Array> | null });
  }

  async #read(clone: () => { body?: ReadableStream<Uint8Array> | null }): Promise<void> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      reader = clone.call(this.#request).body?.getReader();
      if (!reader) return;
      const chunks: Uint8Array[] = [];
      let total = 0;
      let complete = false;
      while (total <= this.#maxBytes) {
        const { done, value } = await reader.read();
        if (done) {
          complete = true;
          break;
        }
        chunks.push(value);
        total += value.byteLength;
      }
      this.#body = decodeBody(chunks, total, complete, this.#maxBytes, this.header('content-type'));
    } catch (error) {
      this.#body = `[UNREADABLE: ${(error as Error)?.name ?? 'error'}]`;
    } finally {
      // Our branch of the tee is done: cancelling it lets the handler's branch flow alone.
      reader?.cancel().catch(() => {});
    }
  }

  /** The request as recorded. */
  value(): RecordedRequest {
    const r = this.#request;
    let headers: Record<string, unknown> = {};
    try {
      headers = Object.fromEntries(r.headers as unknown as Iterable<[string, string]>);
    } catch {}
    return {
      method: r.method,
      url: withoutQuery(r.url),
      headers,
      ...(this.#body !== undefined && { body: this.#body }),
    };
  }
}

/** The record of a Node IncomingMessage. */
export class NodeRequestRecord {
  readonly #req: object;
  readonly #maxBytes: number;

  constructor(req: object, maxBytes: number) {
    this.#req = req;
    this.#maxBytes = maxBytes;
  }

  /** Reads a request header (the first value of a repeated one). */
  header(name: string): string | undefined {
    const value = field(field(this.#req, 'headers'), name);
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }

  /** The request as recorded; the body only when a framework parsed it into `req.body`. */
  value(): RecordedRequest {
    const path = String(field(this.#req, 'url') ?? '');
    const host = this.header('host');
    const encrypted = field(field(this.#req, 'socket'), 'encrypted') === true;
    const proto =
      this.header('x-forwarded-proto')?.split(',')[0]?.trim() || (encrypted ? 'https' : 'http');
    const url = host && path.startsWith('/') ? `${proto}://${host}${path}` : path;
    const body = field(this.#req, 'body');
    const headers = field(this.#req, 'headers');
    return {
      method: String(field(this.#req, 'method')),
      url: withoutQuery(url),
      headers: typeof headers === 'object' && headers !== null ? { ...headers } : {},
      ...(body !== undefined && {
        body: capBody(body, this.#maxBytes, this.header('content-type')),
      }),
    };
  }
}

function capBody(body: unknown, maxBytes: number, type: string | undefined): unknown {
  if (typeof body === 'string') return body.length > maxBytes ? cutText(body, maxBytes) : body;
  if (body instanceof Uint8Array)
    return decodeBody([body.subarray(0, maxBytes + 1)], body.byteLength, true, maxBytes, type);
  return body;
}

function decodeBody(
  chunks: Uint8Array[],
  total: number,
  complete: boolean,
  maxBytes: number,
  type: string | undefined,
): string {
  const size = complete ? `${total} bytes` : `over ${maxBytes} bytes`;
  if (type && !TEXTUAL.test(type)) return `[BODY: ${size} of ${type.slice(0, 80)}]`;
  const bytes = new Uint8Array(Math.min(total, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return complete && total <= maxBytes ? text : `${text}…[TRUNCATED: ${size}]`;
}

function cutText(text: string, maxBytes: number): string {
  return `${text.slice(0, maxBytes)}…[TRUNCATED: ${text.length} chars]`;
}
