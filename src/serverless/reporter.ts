/**
 * The writing side of instrument(): one reporter per instrumented handler turns an
 * invocation's end into records — the diagnostic (to `onDiagnostic` or the sink), the
 * EMF line, the advice — and into `handler.events`. A sink or callback that throws is
 * reported through `reportError` and never replaces the handler's own outcome.
 */
import { type Clock, EventHub, reportLater } from '../core/internal.js';
import { Advisor } from './advice.js';
import type { InvocationCollector } from './collector.js';
import { buildMetrics } from './metrics.js';
import { buildAdvice, buildDiagnostic } from './records.js';
import type { Resolved } from './resolve-options.js';
import type { Diagnostic, InvocationInfo, ServerlessEventMap } from './types.js';

/** The options the reporter reads (none depends on the handler's types). */
export type ReporterOptions = Pick<
  Resolved,
  | 'maxRecordBytes'
  | 'onDiagnostic'
  | 'sink'
  | 'redactor'
  | 'eventRedactor'
  | 'advice'
  | 'metrics'
  | 'clock'
>;

/** What the reporter needs to know about one invocation. */
export interface InvocationRecord {
  /** The event as the diagnostic records it (read when a diagnostic is written). */
  recordedEvent(): unknown;
  readonly info: InvocationInfo;
  readonly start: number;
  readonly budgetMs: number | undefined;
  readonly marginMs: number;
  readonly collector: InvocationCollector;
  /** Time the event loop was busy since the start, ms (undefined when not measured). */
  busyMs(): number | undefined;
}

/** An instrumented handler's figures since it was wrapped (`handler.health()`), as JSON. */
export interface HandlerHealth {
  invocations: number;
  outcomes: { success: number; error: number; timeout: number };
  coldStarts: number;
  lastDurationMs: number | null;
  maxDurationMs: number | null;
  /** p95 of the advice window, when advice is on and has samples. */
  p95Ms: number | null;
}

/** Writes the records of every invocation of one instrumented handler. */
export class Reporter {
  readonly events = new EventHub<ServerlessEventMap>();
  readonly #health: HandlerHealth = {
    invocations: 0,
    outcomes: { success: 0, error: 0, timeout: 0 },
    coldStarts: 0,
    lastDurationMs: null,
    maxDurationMs: null,
    p95Ms: null,
  };
  readonly #o: ReporterOptions;
  readonly #clock: Clock;
  readonly #advisor: Advisor | undefined;

  constructor(options: ReporterOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#advisor = options.advice && new Advisor(options.advice);
  }

  /** Writes the diagnostic of a failed or timed-out invocation; never throws. */
  diagnose(reason: Diagnostic['reason'], error: unknown, r: InvocationRecord): void {
    guarded(() => {
      const o = this.#o;
      const now = this.#clock.now();
      let event: unknown;
      try {
        event = r.recordedEvent();
      } catch {
        event = '[UNAVAILABLE]';
      }
      const diagnostic = buildDiagnostic({
        reason,
        error,
        event,
        info: r.info,
        durationMs: now - r.start,
        budgetMs: r.budgetMs,
        marginMs: r.marginMs,
        collector: r.collector,
        now,
        redactor: o.redactor,
        eventRedactor: o.eventRedactor,
        maxRecordBytes: o.maxRecordBytes,
      });
      guarded(() => (o.onDiagnostic ? o.onDiagnostic(diagnostic) : this.#write(diagnostic)));
      this.#emit('diagnostic', { diagnostic });
    });
  }

  /** Records the end of an invocation: metrics, the `invocation` event, maybe advice; never throws. */
  finish(outcome: 'success' | 'error' | 'timeout', r: InvocationRecord): void {
    const now = this.#clock.now();
    const durationMs = now - r.start;
    const { info, collector } = r;
    const options = this.#o.metrics;
    if (options) {
      guarded(() => {
        const counts = collector.counts;
        for (const line of buildMetrics({ options, info, outcome, durationMs, counts, now }))
          this.#write(line);
      });
    }
    const { requestId, coldStart, functionName } = info;
    const h = this.#health;
    h.invocations++;
    h.outcomes[outcome]++;
    if (coldStart) h.coldStarts++;
    h.lastDurationMs = durationMs;
    h.maxDurationMs = Math.max(h.maxDurationMs ?? 0, durationMs);
    this.#emit('invocation', { requestId, functionName, durationMs, outcome, coldStart });
    guarded(() => {
      const figures = this.#advisor?.record({
        durationMs,
        budgetMs: r.budgetMs,
        timedOut: outcome === 'timeout',
        busyMs: r.busyMs(),
      });
      if (!figures) return;
      const subject = {
        functionName,
        ...(info.memoryLimitMB !== undefined && { memoryLimitMB: info.memoryLimitMB }),
        onLambda: info.memoryLimitMB !== undefined || info.functionArn !== undefined,
      };
      const advice = buildAdvice(figures, subject, now);
      this.#write(advice);
      this.#emit('advice', { advice });
    });
  }

  /** The figures so far (a copy). */
  health(): HandlerHealth {
    const p95 = this.#advisor?.p95();
    return {
      ...this.#health,
      outcomes: { ...this.#health.outcomes },
      p95Ms: p95 === undefined || Number.isNaN(p95) ? null : p95,
    };
  }

  #write(record: unknown): void {
    guarded(() => this.#o.sink(JSON.stringify(record)));
  }

  #emit<K extends keyof ServerlessEventMap & string>(
    type: K,
    payload: ServerlessEventMap[K],
  ): void {
    if (!this.events.listening) return;
    this.events.emit({ type, source: 'serverless', at: this.#clock.now(), ...payload } as never);
  }
}

// A sink that throws must not replace the handler's own error or result.
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    reportLater(error);
  }
}
