/**
 * What the client refuses before any policy sees a request: a URL fetch will never send —
 * a scheme other than http: / https:, or a port the Fetch standard blocks ("bad ports":
 * `http://host:1/`, `:22`, `:6000`, …, which fetch rejects with a bare `TypeError: fetch
 * failed` that looks like a network error). These are the caller's mistakes, not the
 * origin's: a retry cannot help, and counting them against the origin's breaker would shut
 * off good traffic. They fail at once with a TypeError saying what is wrong.
 */

/** The Fetch standard's bad ports (fetch.spec.whatwg.org/#port-blocking), as Node 24 and browsers block them. */
const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
  103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
  512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
  995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
  6669, 6679, 6697, 10080,
]);

/** How a request's URL is handled: through the origin's pipeline, straight to fetch, or refused. */
export type Target = 'http' | 'local' | TypeError;

/**
 * Sorts a request by its URL (`origin` is {@link originOf} of it). `data:` and `blob:`
 * URLs are local (no network, nothing to heal): they go straight to fetch. `checkPort`
 * is false for a user-supplied `fetch`, which may not block what the platform's does.
 */
export function requestTarget(url: string, origin: string, checkPort: boolean): Target {
  if (!url.startsWith('http://') && !url.startsWith('https://')) {
    if (url.startsWith('data:') || url.startsWith('blob:')) return 'local';
    const scheme = url.slice(0, Math.max(0, url.indexOf(':') + 1)).slice(0, 32);
    return new TypeError(
      `selfheal/http sends http: and https: requests only, got a \`${scheme || url.slice(0, 32)}\` URL`,
    );
  }
  if (!checkPort) return 'http';
  // `Request.url` drops the scheme's default port, so a port in the origin is explicit.
  const colon = origin.lastIndexOf(':');
  const port = colon > 6 ? origin.slice(colon + 1) : '';
  if (port !== '' && BAD_PORTS.has(Number(port))) {
    return new TypeError(
      `Port ${port} is blocked by fetch (a "bad port" of the Fetch standard): ${origin} cannot be requested`,
    );
  }
  return 'http';
}
