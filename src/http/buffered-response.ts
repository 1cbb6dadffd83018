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
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;

  constructor(bytes: Uint8Array<ArrayBuffer>, source: Response) {
    super(null, { status: source.status, statusText: source.statusText, headers: source.headers });
    this.#bytes = bytes;
    // `url`, `redirected` and `type` belong to the network answer this stands for.
    Object.defineProperties(this, {
      url: { value: source.url },
      redirected: { value: source.redirected },
      type: { value: source.type },
      body: { get: () => this.#body() },
      bodyUsed: { get: () => this.#used || (this.#stream?.locked ?? false) },
    });
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
