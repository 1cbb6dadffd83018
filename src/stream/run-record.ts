/**
 * Runs one handler call (a record, or a slice of a batch when bisecting) and turns it
 * into a verdict. A handler that returns synchronously costs no promise; one that hangs
 * is cut off when the batch stops or at `recordTimeoutMs` — the verdict comes at once and
 * the late outcome is ignored (caught, so it is never an unhandled rejection). The batch
 * settles its records in hand through a Set of callbacks, not one abort listener each
 * (EventTarget listeners cost more than the record's own work).
 */
import { type Clock, NEVER_ABORTED } from '../core/internal.js';
import { RecordTimeoutError } from './errors.js';

/** A handler's verdict: `error` is set when it failed. */
export interface Verdict {
  ok: boolean;
  error?: unknown;
}

const OK: Verdict = Object.freeze({ ok: true });
const onOk = () => OK;
const onError = (error: unknown): Verdict => ({ ok: false, error });
const noop = () => {};

/** The part of a batch run a call needs to be stopped with it. */
export interface Stoppable {
  readonly signal: AbortSignal | undefined;
  readonly stoppers: Set<(reason: Error) => void>;
}

/** What {@link runGuarded} needs besides the call. */
export interface RunSettings {
  clock: Clock;
  timeoutMs: number;
  /** The batch, when something can stop it (a deadline, a signal). */
  run: Stoppable | undefined;
  track: (<T>(label: string, work: PromiseLike<T>) => Promise<T>) | undefined;
}

/**
 * Calls `call(signal)`; `id` names it in a timeout error, `label` in `track()`. The
 * verdict is a plain value when the call returned synchronously and nothing can stop it.
 */
export function runGuarded(
  call: (signal: AbortSignal) => unknown,
  id: string,
  label: string,
  settings: RunSettings,
): Verdict | Promise<Verdict> {
  if (
    settings.run === undefined &&
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
  { clock, timeoutMs, run, track }: RunSettings,
): Verdict | Promise<Verdict> {
  if (run?.signal?.aborted) return onError(run.signal.reason);
  const own = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
  const signal = own?.signal ?? run?.signal ?? NEVER_ABORTED;
  let value: unknown;
  try {
    value = call(signal);
  } catch (error) {
    return onError(error);
  }
  // Settled synchronously: there is nothing left to cut off.
  if (!isThenable(value) && !track) return OK;
  return new Promise<Verdict>((resolve) => {
    let cancelTimer = noop;
    const stop = (reason: Error) => {
      own?.abort(reason);
      finish(onError(reason));
    };
    const finish = (verdict: Verdict) => {
      cancelTimer();
      run?.stoppers.delete(stop);
      resolve(verdict);
    };
    run?.stoppers.add(stop);
    if (own)
      cancelTimer = clock.setTimer(() => stop(new RecordTimeoutError(id, timeoutMs)), timeoutMs);
    let work = Promise.resolve(value);
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
