/**
 * "Notify a human", for every selfheal component at once: an event sink that turns the
 * events which need a person — an `alarm` from a component (utilization near a limit,
 * …), a breaker opening, a spent retry budget, serverless `advice`, an invocation that
 * timed out — into one alarm shape, coalesces repeats of the same alarm within a
 * cooldown, and hands each to `notify` (a chat webhook, a pager, a queue).
 *
 * `notify` may be async; its failures go to `onError` and never reach the component
 * that raised the event (a broken chat must not break the caller).
 */
import { type Clock, reportLater, systemClock } from '../core/internal.js';
import { type EventSink, eventField, type TelemetryEvent } from './event-sink.js';

/** One alarm, whatever raised it. */
export interface TelemetryAlarm {
  /** `utilization`, `breaker-open`, `retry-budget`, `advice`, `timeout`, or a component's own kind. */
  kind: string;
  /** What it is about: an origin, a pool, a function name, else the event source. */
  dependency: string;
  /** The event source (`http`, `core`, `serverless`, …). */
  source: string;
  /** One line for a person. */
  message: string;
  /** The figure that crossed its threshold, when there is one. */
  value?: number;
  /** Clock time. */
  at: number;
  /** Alarms of the same kind and dependency held back by the cooldown since the last one sent. */
  suppressed: number;
}

/** Options of {@link alarmSink}. */
export interface AlarmSinkOptions {
  /** Receives every alarm that passes the cooldown. */
  notify: (alarm: TelemetryAlarm) => unknown;
  /**
   * What alarms are about when the event does not say (core policies do not know the
   * name of the dependency they guard; http events carry their origin). @default the event source
   */
  dependency?: string;
  /** Repeats of one kind for one dependency within this window are counted, not sent. @default 300000 */
  cooldownMs?: number;
  /** Called when `notify` throws or rejects. @default reportError / a process warning */
  onError?: (error: unknown, alarm: TelemetryAlarm) => void;
  /** Source of `at` and of the cooldown. @default systemClock */
  clock?: Clock;
}

/** An event sink raising alarms; `flush()` resolves when every notification sent so far has settled. */
export interface AlarmSink extends EventSink {
  flush(): Promise<void>;
}

type Draft = Omit<TelemetryAlarm, 'at' | 'suppressed' | 'source'>;

/** Creates an alarm sink; connect it to any sources with `connect(sink, …)`. */
export function alarmSink(options: AlarmSinkOptions): AlarmSink {
  if (typeof options?.notify !== 'function')
    throw new TypeError('Expected `notify` to be a function receiving an alarm');
  const cooldownMs = options.cooldownMs ?? 300_000;
  if (typeof cooldownMs !== 'number' || !(cooldownMs >= 0) || !Number.isFinite(cooldownMs))
    throw new RangeError(`Expected \`cooldownMs\` to be a finite number ≥ 0, got ${cooldownMs}`);
  if (options.dependency !== undefined && typeof options.dependency !== 'string')
    throw new TypeError('Expected `dependency` to be a string');
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? reportLater;
  const last = new Map<string, { at: number; suppressed: number }>();
  const pending = new Set<Promise<unknown>>();

  const send = (alarm: TelemetryAlarm) => {
    let result: unknown;
    try {
      result = options.notify(alarm);
    } catch (error) {
      onError(error, alarm);
      return;
    }
    if (!isThenable(result)) return;
    const settled = Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => onError(error, alarm),
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  return {
    handle(event) {
      const draft = toAlarm(event, options.dependency);
      if (!draft) return;
      const now = clock.now();
      const key = `${draft.kind}\u0000${draft.dependency}`;
      const seen = last.get(key);
      if (seen && now - seen.at < cooldownMs) {
        seen.suppressed++;
        return;
      }
      last.set(key, { at: now, suppressed: 0 });
      send({ ...draft, source: event.source, at: now, suppressed: seen?.suppressed ?? 0 });
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** The alarm an event calls for, if any. */
function toAlarm(event: TelemetryEvent, fallback: string | undefined): Draft | undefined {
  const field = (name: string) => eventField(event, name);
  const dependency = String(field('origin') ?? field('name') ?? fallback ?? event.source);
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  switch (event.type) {
    case 'alarm':
      return withValue(
        {
          kind: String(field('kind') ?? 'alarm'),
          dependency,
          message: String(field('message') ?? `${dependency} raised an alarm`),
        },
        number(field('value')),
      );
    case 'breaker-open': {
      const rate = number(field('failureRate'));
      const wait = number(field('retryAfterMs'));
      const why = rate === undefined ? '' : `: ${Math.round(rate * 100)} % of recent calls failed`;
      const next = wait === undefined ? '' : `; next probe in ${Math.ceil(wait / 1000)} s`;
      const message = `Circuit to ${dependency} opened${why}${next}`;
      return withValue({ kind: 'breaker-open', dependency, message }, rate);
    }
    case 'rejected':
      if (field('reason') !== 'retry-budget') return undefined;
      return {
        kind: 'retry-budget',
        dependency,
        message: `Retry budget for ${dependency} exhausted: failing calls are no longer retried`,
      };
    case 'advice': {
      const advice = field('advice') as { msg?: string; functionName?: string; share?: number };
      return withValue(
        {
          kind: 'advice',
          dependency: String(advice?.functionName ?? dependency),
          message: String(advice?.msg ?? `${dependency} runs close to its time budget`),
        },
        number(advice?.share),
      );
    }
    case 'invocation': {
      if (field('outcome') !== 'timeout') return undefined;
      const name = String(field('functionName') ?? dependency);
      return withValue(
        {
          kind: 'timeout',
          dependency: name,
          message: `An invocation of ${name} ran out of time (${field('requestId')}); its diagnostic is in the logs`,
        },
        number(field('durationMs')),
      );
    }
    default:
      return undefined;
  }
}

function withValue(draft: Draft, value: number | undefined): Draft {
  return value === undefined ? draft : { ...draft, value };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
