/**
 * Reads a body into memory with a byte cap, so one hostile or mistaken answer cannot take
 * the process down (a 512 MiB answer buffered whole peaked at 1.6 GiB RSS). A declared
 * `Content-Length` past the cap is refused unread; otherwise the stream is counted as it
 * arrives and cancelled as soon as it passes the cap. With an identity encoding and a
 * length within the cap, the platform's own `bytes()` reads it (the fast path).
 */

/** The bytes, or how far past the cap the body went (it was cancelled). */
export type Capped = Uint8Array<ArrayBuffer> | { over: number; declared: boolean };

/** Reads `response`'s body, at most `max` bytes. Not async itself: the fast path adds no promise hop. */
export function readCapped(response: Response, max: number): Promise<Capped> {
  const declared = declaredLength(response.headers);
  if (declared !== undefined && declared > max) {
    void response.body?.cancel().catch(noop);
    return Promise.resolve({ over: declared, declared: true });
  }
  if (declared !== undefined || max === Number.POSITIVE_INFINITY || !response.body) {
    // `bytes()` is recent (Chromium 132, Node 22); arrayBuffer() everywhere else.
    return typeof response.bytes === 'function'
      ? response.bytes()
      : response.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  }
  return readStream(response.body, max);
}

/** Reads a stream of unknown length, cancelling it as it passes `max`. */
async function readStream(body: ReadableStream<Uint8Array>, max: number): Promise<Capped> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      void reader.cancel().catch(noop);
      return { over: total, declared: false };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** The decoded body's length, when the headers say it exactly (no content coding). */
export function declaredLength(headers: Headers): number | undefined {
  const raw = headers.get('content-length');
  if (raw === null) return undefined;
  const encoding = headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined;
  const length = Number(raw);
  return Number.isSafeInteger(length) && length >= 0 && raw.trim() !== '' ? length : undefined;
}

function noop(): void {}
