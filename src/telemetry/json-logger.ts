/**
 * A structured JSON logger: one redacted JSON object per line —
 * `{ "level", "time", "msg", …bindings, …fields }` — to a {@link LineSink}.
 * Levels below the threshold cost one comparison.
 */
import { type Clock, enumOption, systemClock } from '../core/internal.js';
import { createRedactor, type RedactOptions, type Redactor } from './redact.js';
import { type LineSink, sinkOption } from './sinks.js';

/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Where lines go. @default stdoutSink() */
  sink?: LineSink;
  /** Lines below this level are dropped. @default 'info' */
  level?: LogLevel;
  /** Fields added to every line (request id, function name, …). @default {} */
  bindings?: Record<string, unknown>;
  /** A redactor, or options to build one. @default createRedactor() */
  redact?: Redactor | RedactOptions;
  /** Source of the `time` field. @default systemClock */
  clock?: Clock;
}

/** Fields of one line. */
export type LogFields = Record<string, unknown>;

/** A structured logger bound to some fields. */
export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes a line at `level`. */
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  /** A logger with more bound fields, writing to the same sink. */
  child(bindings: LogFields): Logger;
}

/** Creates a {@link Logger}. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = sinkOption('sink', options.sink);
  const level = enumOption('level', options.level, LEVELS, 'info');
  const redactor = toRedactor(options.redact);
  const clock = options.clock ?? systemClock;
  return build(sink, LEVELS.indexOf(level), level, redactor, clock, options.bindings ?? {});
}

/**
 * Accepts a ready redactor (all three methods of {@link Redactor}, as `createRedactor()`
 * returns) or the options of one.
 */
export function toRedactor(value: Redactor | RedactOptions | undefined): Redactor {
  if (value === undefined) return createRedactor();
  if (typeof value !== 'object' || value === null)
    throw new TypeError(
      `Expected \`redact\` to be a redactor or redaction options, got ${typeof value}`,
    );
  const methods = ['redact', 'redactText', 'isSensitiveKey'] as const;
  const present = methods.filter((m) => typeof (value as Partial<Redactor>)[m] === 'function');
  if (present.length === methods.length) return value as Redactor;
  // Half a redactor would fail later, inside a diagnostic, in place of the user's error.
  if (present.length > 0)
    throw new TypeError(
      `Expected \`redact\` to be a redactor with ${methods.join(', ')} (use createRedactor()), got one with ${present.join(', ')}`,
    );
  return createRedactor(value as RedactOptions);
}

function build(
  sink: LineSink,
  threshold: number,
  level: LogLevel,
  redactor: Redactor,
  clock: Clock,
  bindings: LogFields,
): Logger {
  const log = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS.indexOf(at) < threshold) return;
    const record = {
      level: at,
      time: new Date(clock.now()).toISOString(),
      msg,
      ...bindings,
      ...fields,
    };
    sink(JSON.stringify(redactor.redact(record)));
  };
  return {
    level,
    log,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (more) => build(sink, threshold, level, redactor, clock, { ...bindings, ...more }),
  };
}
