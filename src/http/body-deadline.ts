/**
 * `totalTimeout` over a streamed body. With `bufferBody: false` the body reaches the caller
 * as a stream after the pipeline (and its deadline timer) has ended, so a body that
 * trickles would be read forever. The stream is handed over wrapped: if the deadline passes
 * before it is read to its end or cancelled, the network stream is cancelled (the
 * connection freed) and the caller's read fails with `DeadlineExceededError`. The one timer
 * goes as soon as the body ends; nothing is read before the caller asks.
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

/** `response` with its body bounded by the request's deadline (as is when it has no body). */
export function withBodyDeadline(response: Response, deadline: BodyDeadline): Response {
  const body = response.body;
  if (!body || response.bodyUsed) return response;
  const { clock, start, totalMs } = deadline;
  const reader = body.getReader();
  let cancelTimer: CancelTimer | undefined;
  let over = false;
  const finish = () => {
    over = true;
    cancelTimer?.();
    cancelTimer = undefined;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const expire = () => {
          if (over) return;
          finish();
          const elapsed = clock.now() - start;
          const error = new DeadlineExceededError(totalMs, elapsed, {
            message: `Deadline of ${totalMs} ms exceeded after ${Math.round(elapsed)} ms while reading the body`,
          });
          controller.error(error);
          reader.cancel(error).catch(noop);
          deadline.onExpire();
        };
        cancelTimer = clock.setTimer(expire, Math.max(0, start + totalMs - clock.now()));
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (over) return;
          if (done) {
            finish();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          if (over) return;
          finish();
          controller.error(error);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new StreamedResponse(stream, response);
}

/** A Response over a new stream that is otherwise the network answer (url, redirected, type, headers). */
class StreamedResponse extends Response {
  readonly #source: Response;

  static {
    const own = (r: StreamedResponse) => r.#source;
    Object.defineProperties(StreamedResponse.prototype, {
      url: {
        get: function (this: StreamedResponse) {
          return own(this).url;
        },
      },
      redirected: {
        get: function (this: StreamedResponse) {
          return own(this).redirected;
        },
      },
      type: {
        get: function (this: StreamedResponse) {
          return own(this).type;
        },
      },
    });
  }

  constructor(stream: ReadableStream<Uint8Array>, source: Response) {
    super(stream, {
      status: source.status,
      statusText: source.statusText,
      headers: source.headers,
    });
    this.#source = source;
  }

  /** The platform's clone (a tee of the bounded stream), with the network answer's url. */
  override clone(): Response {
    const copy = super.clone();
    const source = this.#source;
    Object.defineProperties(copy, {
      url: { value: source.url },
      redirected: { value: source.redirected },
      type: { value: source.type },
    });
    return copy;
  }
}

function noop(): void {}
