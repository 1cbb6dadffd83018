/**
 * Load drivers. Open loop: arrivals at a fixed rate whatever the client does, so a slow
 * client cannot hide by sending less. Closed loop: one call after the other. Each
 * logical call gets the caller's deadline as an AbortSignal; a call still pending at its
 * deadline is recorded as timed out even if the client ignores the signal.
 */
import { classifyFailure } from './classify.js';
import type { BenchClient, CallRecord } from './types.js';

export interface Timeline {
  /** Called at each offset (ms since start), e.g. to switch the upstream's phase. */
  at: Array<{ atMs: number; run: () => unknown }>;
}

/** Runs one logical call under a deadline and records how it ended. */
export async function timedCall(
  client: BenchClient,
  path: string,
  deadlineMs: number,
  t0: number,
): Promise<CallRecord> {
  const startMs = performance.now() - t0;
  const controller = new AbortController();
  const deadline = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException('deadline', 'TimeoutError'));
      reject(deadline.reason);
    }, deadlineMs);
  });
  try {
    await Promise.race([client.call(path, deadline), expired]);
    return { startMs, endMs: performance.now() - t0, ok: true };
  } catch (error) {
    return {
      startMs,
      endMs: performance.now() - t0,
      ok: false,
      failure: classifyFailure(error, deadline),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fires `rate` calls per second for `durationMs`, catching up if the event loop lagged,
 * then waits for every call to settle (each is bounded by its deadline).
 */
export async function openLoop(options: {
  client: BenchClient;
  rate: number;
  durationMs: number;
  deadlineMs: number;
  timeline?: Timeline;
  t0?: number;
}): Promise<CallRecord[]> {
  const { client, rate, durationMs, deadlineMs } = options;
  const t0 = options.t0 ?? performance.now();
  const interval = 1000 / rate;
  const total = Math.floor((durationMs / 1000) * rate);
  const pending: Array<Promise<CallRecord>> = [];
  const events = [...(options.timeline?.at ?? [])].sort((a, b) => a.atMs - b.atMs);
  let fired = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      while (events.length > 0 && events[0]!.atMs <= elapsed) events.shift()!.run();
      while (fired < total && fired * interval <= elapsed) {
        pending.push(timedCall(client, `/work?i=${fired}`, deadlineMs, t0));
        fired++;
      }
      if (fired >= total) return resolve();
      setTimeout(tick, Math.max(0, fired * interval - elapsed));
    };
    tick();
  });
  return Promise.all(pending);
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
  while (performance.now() - t0 < options.durationMs && records.length < maxCalls) {
    records.push(
      await timedCall(options.client, `/work?i=${records.length}`, options.deadlineMs, t0),
    );
  }
  return records;
}
