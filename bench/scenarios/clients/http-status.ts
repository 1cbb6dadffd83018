/** One fetch that reads the body and throws `HttpStatusError` on a non-2xx answer. */

/** A non-2xx answer, for the clients that sit on bare fetch. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

export async function fetchOk(url: string, headers: Record<string, string>, signal: AbortSignal) {
  const res = await fetch(url, { headers, signal });
  await res.arrayBuffer();
  if (!res.ok) throw new HttpStatusError(res.status);
}
