/**
 * AbortSignal helpers: a shared never-aborting signal, the reason of an abort as an
 * Error, and child signals linked to a parent whose listener is removed on dispose.
 */

const never = new AbortController().signal;

/** A signal that never aborts; used when the caller passes none, to avoid allocating one. */
export const NEVER_ABORTED: AbortSignal = never;

/** The reason a signal aborted with, normalised to an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(reason === undefined ? 'This operation was aborted' : String(reason));
  error.name = 'AbortError';
  return error;
}

/** A child of a parent signal: aborts when the parent aborts or when `abort()` is called. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  abort(reason: Error): void;
  /** Removes the listener on the parent. Call it when the operation settles. */
  dispose(): void;
}

/** Creates a {@link LinkedSignal}. The parent's reason is forwarded unchanged. */
export function linkSignal(parent: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  if (parent === never) {
    return { signal: controller.signal, abort: (r) => controller.abort(r), dispose: noop };
  }
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, abort: noop, dispose: noop };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => parent.removeEventListener('abort', onAbort),
  };
}

function noop(): void {}
