/**
 * A Response over bytes already read: the body is read inside the attempt (so timeouts
 * and retries cover it), and reading it back must not cost a second stream. `text()`,
 * `json()`, `arrayBuffer()`, `bytes()` and `blob()` answer from the bytes; `body` builds
 * a stream only when asked for. Standard otherwise: one read, then `bodyUsed`.
 */

const decoder = new TextDecoder();

/** A Response whose body is bytes in memory. */
export class BufferedResponse extends Response {
  readonly #bytes: Uint8Array<ArrayBuffer>;
  readonly #source: Response;
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;

  static {
    // Accessors on the prototype (one definition, not one per response): `url`,
    // `redirected`, `type` and `headers` are the network answer's; `body` is built on demand.
    const own = (r: BufferedResponse) => r;
    Object.defineProperties(BufferedResponse.prototype, {
      url: {
        get: function (this: BufferedResponse) {
          return own(this).#source.url;
        },
      },
      redirected: {
        get: function (this: BufferedResponse) {
          return own(this).#source.redirected;
        },
      },
      type: {
        get: function (this: BufferedResponse) {
          return own(this).#source.type;
        },
      },
      // The network answer's own (immutable) headers: copying them costs a header list per request.
      headers: {
        get: function (this: BufferedResponse) {
          return own(this).#source.headers;
        },
      },
      body: {
        get: function (this: BufferedResponse) {
          return own(this).#body();
        },
      },
      bodyUsed: {
        get: function (this: BufferedResponse) {
          const r = own(this);
          return r.#used || (r.#stream?.locked ?? false);
        },
      },
    });
  }

  constructor(bytes: Uint8Array<ArrayBuffer>, source: Response) {
    super(null, { status: source.status, statusText: source.statusText });
    this.#bytes = bytes;
    this.#source = source;
  }

  override text(): Promise<string> {
    return this.#read((bytes) => decoder.decode(bytes));
  }

  override json(): Promise<unknown> {
    return this.#read((bytes) => JSON.parse(decoder.decode(bytes)));
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read((bytes) => bytes.slice().buffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#read((bytes) => bytes.slice());
  }

  override blob(): Promise<Blob> {
    return this.#read(
      (bytes) => new Blob([bytes], { type: this.headers.get('content-type') ?? '' }),
    );
  }

  override formData(): Promise<FormData> {
    return this.#read((bytes) => new Response(bytes, { headers: this.headers }).formData());
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, this);
  }

  #read<T>(decode: (bytes: Uint8Array<ArrayBuffer>) => T | Promise<T>): Promise<T> {
    if (this.bodyUsed)
      return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    try {
      return Promise.resolve(decode(this.#bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream === undefined) {
      this.#stream = this.#used
        ? null
        : (new Response(this.#bytes).body as ReadableStream<Uint8Array<ArrayBuffer>>);
    }
    return this.#stream;
  }
}
