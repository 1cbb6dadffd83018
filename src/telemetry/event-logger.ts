/**
 * Selfheal events as JSON log lines: `{ level, time, msg: "selfheal.retry", event }`.
 * Each event type has a level (a retry is a warning, an open breaker an error); errors
 * inside events are serialised and everything is redacted by the logger.
 */
import type { EventSink, TelemetryEvent } from './event-sink.js';
import { createLogger, type Logger, type LoggerOptions, type LogLevel } from './json-logger.js';

/** The level of each event type; types not listed log at `info`. */
export const DEFAULT_EVENT_LEVELS: Readonly<Record<string, LogLevel>> = Object.freeze({
  attempt: 'debug',
  success: 'debug',
  failure: 'warn',
  retry: 'warn',
  throttled: 'info',
  rejected: 'warn',
  timeout: 'warn',
  fallback: 'warn',
  'breaker-open': 'error',
  'breaker-half-open': 'info',
  'breaker-closed': 'info',
  advice: 'warn',
});

/** Options of {@link eventLogger}. */
export interface EventLoggerOptions extends LoggerOptions {
  /** A logger to write through (then `sink`, `level`, … are ignored). @default createLogger(options) */
  logger?: Logger;
  /** Level per event type, merged over {@link DEFAULT_EVENT_LEVELS}. @default {} */
  levels?: Record<string, LogLevel>;
}

/** An event sink that logs every event as one JSON line. */
export function eventLogger(options: EventLoggerOptions = {}): EventSink {
  const logger = options.logger ?? createLogger(options);
  const levels = { ...DEFAULT_EVENT_LEVELS, ...options.levels };
  return {
    handle(event: TelemetryEvent) {
      logger.log(levels[event.type] ?? 'info', `selfheal.${event.type}`, { event });
    },
  };
}
