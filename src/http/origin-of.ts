/** The origin of a URL, as the client keys its per-origin state. */

/** scheme://host:port of an absolute URL (as `Request.url` always is). */
export function originOf(url: string): string {
  const scheme = url.indexOf('//');
  if (scheme === -1) return url;
  const path = url.indexOf('/', scheme + 2);
  const end = path === -1 ? url.length : path;
  const query = url.slice(0, end).search(/[?#]/);
  return url.slice(0, query === -1 ? end : query);
}
