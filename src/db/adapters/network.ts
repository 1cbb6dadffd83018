/**
 * Errors both drivers share: Node's socket errors, which mean the database could not be
 * reached or the connection broke, whatever the driver.
 */

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** The `code` of an error-like value, as a string ('' when it has none). */
export function codeField(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : '';
}

/** True for a socket-level failure (refused, reset, timed out, unreachable). */
export function isSocketError(error: unknown): boolean {
  return SOCKET_CODES.has(codeField(error));
}

/** The `message` of an error-like value ('' when it has none). */
export function messageField(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}
