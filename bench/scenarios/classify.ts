/**
 * Sorts a failed logical call into shed (rejected locally, no request sent for it),
 * refused (the server's own error answer was final), timeout, network or other — by
 * error name and marker properties, walking `cause`, so it works for every client.
 */
import type { FailureKind } from './types.js';

const SHED = new Set([
  'ThrottledError',
  'BulkheadRejectedError',
  'BrokenCircuitError',
  'PoolSaturatedError',
]);
const TIMEOUT = new Set([
  'TimeoutError',
  'DeadlineExceededError',
  'AbortError',
  'TaskCancelledError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

type ErrorLike = {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  status?: number;
  response?: { status?: number };
  isBrokenCircuitError?: boolean;
  isBulkheadRejectedError?: boolean;
  isTaskCancelledError?: boolean;
};

/** `deadline` is the harness's own signal: once it fired, the call counts as timed out. */
export function classifyFailure(error: unknown, deadline: AbortSignal): FailureKind {
  if (deadline.aborted) return 'timeout';
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const e = current as ErrorLike;
    if (e.isBrokenCircuitError || e.isBulkheadRejectedError || SHED.has(e.name ?? ''))
      return 'shed';
    if (e.isTaskCancelledError || TIMEOUT.has(e.name ?? '')) return 'timeout';
    if (e.name === 'HTTPError' || e.name === 'HttpStatusError') return 'refused';
    if (typeof e.response?.status === 'number' || typeof e.status === 'number') return 'refused';
    if (e.name === 'NetworkError' || NETWORK_CODES.has(e.code ?? '')) return 'network';
    if (e.name === 'TypeError' && e.message === 'fetch failed') return 'network';
    current = e.cause;
  }
  return 'other';
}
