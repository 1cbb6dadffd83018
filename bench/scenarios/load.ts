/**
 * Load drivers. Open loop: arrivals at a fixed rate whatever the client does, so a slow
 * client cannot hide by sending less. Burst: many calls at once, in waves. Closed loop:
 * one call after the other. Each logical call gets the caller's AbortSignal, which fires
 * at `backstopMs`; a call still pending then is recorded as timed out even if the client
 * ignores the signal, and when the client itself settles is recorded too (`settledMs`),
 * so a client that outlives its deadline shows.
 */
import { classifyFailure } from './classify.js';
import type { BenchClient, CallRecord } from './types.js';

/** How long after the backstop a call's own settling is still waited for. */
const SETTLE_GRACE_MS = 2_000;

export interface CallTiming {
  /** When the caller aborts, ms after the call started. */
  backstopMs: number;
  /** performance.now() of the run's start; record times are relative to it. */
  t0: number;
}

/** Runs one logical call under the caller's signal and records how it ended. */
export async function timedCall(
  client: BenchClient,
  path: string,
  timing: CallTiming,
  wave?: number,
): Promise<CallRecord> {
  const { t0 } = timing;
  const startMs = performance.now() - t0;
  const controller = new AbortController();
  const signal = controller.signal;
  let settledMs: number | null = null;
  const call = client.call(path, signal);
  const settled = call.then(
    () => {
      settledMs = performance.now() - t0;
    },
    () => {
      settledMs = performance.now() - t0;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException('deadline', 'TimeoutError'));
      reject(signal.reason);
    }, timing.backstopMs);
  });
  let record: CallRecord;
  try {
    await Promise.race([call, expired]);
    record = { startMs, endMs: performance.now() - t0, settledMs: null, ok: true };
  } catch (error) {
    record = {
      startMs,
      endMs: performance.now() - t0,
      settledMs: null,
      ok: false,
      failure: classifyFailure(error, signal),
    };
  } finally {
    clearTimeout(timer);
  }
  if (settledMs === null) {
    const left = startMs + timing.backstopMs + SETTLE_GRACE_MS - (performance.now() - t0);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (grace = setTimeout(resolve, left)))]);
    clearTimeout(grace);
  }
  record.settledMs = settledMs;
  if (wave !== undefined) record.wave = wave;
  return record;
}

/**
 * Fires `rate` calls per second for `durationMs`, catching up if the event loop lagged,
 * then waits for every call to settle (each is bounded by its backstop).
 */
export async function openLoop(options: {
  client: BenchClient;
  rate: number;
  durationMs: number;
  timing: CallTiming;
}): Promise<CallRecord[]> {
  const { client, rate, durationMs, timing } = options;
  const interval = 1000 / rate;
  const total = Math.floor((durationMs / 1000) * rate);
  const pending: Array<Promise<CallRecord>> = [];
  let fired = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - timing.t0;
      while (fired < total && fired * interval <= elapsed) {
        pending.push(timedCall(client, `/work?i=${fired}`, timing));
        fired++;
      }
      if (fired >= total) return resolve();
      setTimeout(tick, Math.max(0, fired * interval - elapsed));
    };
    tick();
  });
  return Promise.all(pending);
}

/**
 * `concurrency` calls at once, `waves` times; each wave starts `gapMs` after every call
 * of the previous one settled. `onWave(i)` runs just before wave i starts.
 */
export async function burstWaves(options: {
  client: BenchClient;
  concurrency: number;
  waves: number;
  gapMs: number;
  timing: CallTiming;
  onWave?: (wave: number) => void;
}): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  for (let w = 0; w < options.waves; w++) {
    if (w > 0) await delay(options.gapMs);
    options.onWave?.(w);
    const wave = Array.from({ length: options.concurrency }, (_, i) =>
      timedCall(options.client, `/work?w=${w}&i=${i}`, options.timing, w),
    );
    records.push(...(await Promise.all(wave)));
  }
  return records;
}

/** Calls one after the other until `durationMs` or `maxCalls` is reached. */
export async function closedLoop(options: {
  client: BenchClient;
  durationMs: number;
  deadlineMs: number;
  maxCalls?: number;
}): Promise<CallRecord[]> {
  const t0 = performance.now();
  const records: CallRecord[] = [];
  const maxCalls = options.maxCalls ?? Number.POSITIVE_INFINITY;
  const timing = { backstopMs: options.deadlineMs, t0 };
  while (performance.now() - t0 < options.durationMs && records.length < maxCalls) {
    records.push(await timedCall(options.client, `/work?i=${records.length}`, timing));
  }
  return records;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
