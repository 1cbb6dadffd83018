/**
 * Runs one handler call (a record, or a slice of a batch when bisecting) and turns it
 * into a verdict. A handler that returns synchronously costs no promise; one that hangs
 * is cut off by the batch's signal or by `recordTimeoutMs` — the verdict comes at once
 * and the late outcome is ignored (caught, so it is never an unhandled rejection).
 */
import { abortReason, type Clock, NEVER_ABORTED } from '../core/internal.js';
import { RecordTimeoutError } from './errors.js';

/** A handler's verdict: `error` is set when it failed. */
export interface Verdict {
  ok: boolean;
  error?: unknown;
}

const OK: Verdict = Object.freeze({ ok: true });
const onOk = () => OK;
const onError = (error: unknown): Verdict => ({ ok: false, error });

/** What {@link runGuarded} needs besides the call. */
export interface RunSettings {
  clock: Clock;
  timeoutMs: number;
  /** The batch's signal; undefined when nothing can stop the batch. */
  signal: AbortSignal | undefined;
  track: (<T>(label: string, work: PromiseLike<T>) => Promise<T>) | undefined;
}

/**
 * Calls `call(signal)`; `id` names it in a timeout error and in `track()` (`label`).
 * The verdict is a plain value when the call returned synchronously and nothing can abort it.
 */
export function runGuarded(
  call: (signal: AbortSignal) => unknown,
  id: string,
  label: string,
  settings: RunSettings,
): Verdict | Promise<Verdict> {
  if (
    settings.signal === undefined &&
    settings.timeoutMs === Number.POSITIVE_INFINITY &&
    !settings.track
  ) {
    let value: unknown;
    try {
      value = call(NEVER_ABORTED);
    } catch (error) {
      return onError(error);
    }
    return isThenable(value) ? Promise.resolve(value).then(onOk, onError) : OK;
  }
  return guarded(call, id, label, settings);
}

function guarded(
  call: (signal: AbortSignal) => unknown,
  id: string,
  label: string,
  { clock, timeoutMs, signal: batch, track }: RunSettings,
): Promise<Verdict> {
  const own = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
  const signal = own?.signal ?? batch ?? NEVER_ABORTED;
  return new Promise<Verdict>((resolve) => {
    let cancelTimer = () => {};
    const onAbort = () => finish(onError(abortReason(signal)));
    const onBatchAbort = () => own?.abort(batch!.reason);
    const finish = (verdict: Verdict) => {
      cancelTimer();
      signal.removeEventListener('abort', onAbort);
      batch?.removeEventListener('abort', onBatchAbort);
      resolve(verdict);
    };
    if (own) {
      if (batch?.aborted) own.abort(batch.reason);
      else batch?.addEventListener('abort', onBatchAbort, { once: true });
      cancelTimer = clock.setTimer(
        () => own.abort(new RecordTimeoutError(id, timeoutMs)),
        timeoutMs,
      );
    }
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    let work: Promise<unknown>;
    try {
      work = Promise.resolve(call(signal));
    } catch (error) {
      return finish(onError(error));
    }
    if (track) work = track(label, work);
    work.then(
      () => finish(OK),
      (error: unknown) => finish(onError(error)),
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
