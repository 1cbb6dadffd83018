/**
 * `totalTimeout` over a streamed body. With `bufferBody: false` the body reaches the caller
 * as a stream after the pipeline (and its deadline timer) has ended, so a body that
 * trickles would be read forever. The answer is handed over as a {@link StreamedResponse}:
 * its reads (`text()`, `json()`, …, or the `body` stream, wrapped only when asked for) run
 * under one timer due at the request's deadline; past it the network stream is cancelled
 * (the connection freed) and the read fails with `DeadlineExceededError`. The timer starts
 * with the read and goes as soon as the read ends; nothing is read before the caller asks.
 */
import { type CancelTimer, type Clock, DeadlineExceededError } from '../core/internal.js';

/** What the wrapper needs: when the request started, its deadline, and who hears of expiry. */
export interface BodyDeadline {
  clock: Clock;
  /** Clock time the request started. */
  start: number;
  /** The request's `totalTimeout`, ms. */
  totalMs: number;
  /** Called once when the deadline cancels the body. */
  onExpire(): void;
}

const decoder = new TextDecoder();

/** `response` with its body bounded by the request's deadline (as is when it has no body). */
export function withBodyDeadline(response: Response, deadline: BodyDeadline): Response {
  if (!response.body || response.bodyUsed) return response;
  return new StreamedResponse(response, deadline);
}

/** The network answer, whose body is read under the request's deadline. */
class StreamedResponse extends Response {
  readonly #source: Response;
  readonly #deadline: BodyDeadline;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  static {
    // Accessors on the prototype, as BufferedResponse's: the network answer's url,
    // redirected, type and headers; `body` is the bounded stream, built on demand.
    const own = (r: StreamedResponse) => r;
    Object.defineProperties(StreamedResponse.prototype, {
      url: {
        get: function (this: StreamedResponse) {
          return own(this).#source.url;
        },
      },
      redirected: {
        get: function (this: StreamedResponse) {
          return own(this).#source.redirected;
        },
      },
      type: {
        get: function (this: StreamedResponse) {
          return own(this).#source.type;
        },
      },
      headers: {
        get: function (this: StreamedResponse) {
          return own(this).#source.headers;
        },
      },
      body: {
        get: function (this: StreamedResponse) {
          return own(this).#body();
        },
      },
      bodyUsed: {
        get: function (this: StreamedResponse) {
          const r = own(this);
          return r.#used || (r.#stream?.locked ?? false);
        },
      },
    });
  }

  constructor(source: Response, deadline: BodyDeadline) {
    super(null, { status: source.status, statusText: source.statusText });
    this.#source = source;
    this.#deadline = deadline;
  }

  override text(): Promise<string> {
    return this.#read().then((bytes) => decoder.decode(bytes));
  }

  override json(): Promise<unknown> {
    return this.#read().then((bytes) => JSON.parse(decoder.decode(bytes)));
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read().then((bytes) => bytes.buffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#read();
  }

  override blob(): Promise<Blob> {
    const type = this.headers.get('content-type') ?? '';
    return this.#read().then((bytes) => new Blob([bytes], { type }));
  }

  override formData(): Promise<FormData> {
    return this.#read().then((bytes) => new Response(bytes, { headers: this.headers }).formData());
  }

  /** A tee of the bounded stream, the network answer's url and headers kept. */
  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const [mine, theirs] = this.#body()!.tee();
    this.#stream = mine;
    const copy = new Response(theirs, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    });
    const source = this.#source;
    Object.defineProperties(copy, {
      url: { value: source.url },
      redirected: { value: source.redirected },
      type: { value: source.type },
    });
    return copy;
  }

  /** The whole body, read under the deadline. */
  async #read(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const reader = (this.#stream ?? this.#source.body!).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stop = this.#arm((error) => void reader.cancel(error).catch(noop));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        stop.check();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
      }
    } finally {
      stop.cancel();
    }
    if (chunks.length === 1 && chunks[0]!.byteLength === chunks[0]!.buffer.byteLength)
      return chunks[0] as Uint8Array<ArrayBuffer>;
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return bytes;
  }

  /** The network stream, wrapped so that reading it stays under the deadline. */
  #body(): ReadableStream<Uint8Array> | null {
    if (this.#stream) return this.#stream;
    if (this.#used) return null;
    const reader = this.#source.body!.getReader();
    let stop: Stop | undefined;
    this.#stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          stop = this.#arm((error) => {
            controller.error(error);
            reader.cancel(error).catch(noop);
          });
        },
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (stop!.expired) return;
            if (done) {
              stop!.cancel();
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            if (stop!.expired) return;
            stop!.cancel();
            controller.error(error);
          }
        },
        cancel(reason) {
          stop!.cancel();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  /** Starts the deadline's timer for one read; `cancel` stops it, `check` throws once it fired. */
  #arm(expire: (error: DeadlineExceededError) => void): Stop {
    const { clock, start, totalMs, onExpire } = this.#deadline;
    let error: DeadlineExceededError | undefined;
    let cancel: CancelTimer | undefined = clock.setTimer(
      () => {
        cancel = undefined;
        const elapsed = clock.now() - start;
        error = new DeadlineExceededError(totalMs, elapsed, {
          message: `Deadline of ${totalMs} ms exceeded after ${Math.round(elapsed)} ms while reading the body`,
        });
        expire(error);
        onExpire();
      },
      Math.max(0, start + totalMs - clock.now()),
    );
    return {
      get expired() {
        return error !== undefined;
      },
      check() {
        if (error) throw error;
      },
      cancel() {
        cancel?.();
        cancel = undefined;
      },
    };
  }
}

interface Stop {
  readonly expired: boolean;
  check(): void;
  cancel(): void;
}

function noop(): void {}
