/**
 * Line sinks: where JSON lines go. A sink is a plain function taking one line (no
 * newline). `stdoutSink()` is the only Node-dependent piece of telemetry and reaches
 * `process.stdout` through `globalThis`, so importing this module is browser-safe;
 * browsers pass their own sink (or `memorySink()`).
 */

/** Receives one record as one line of text, without the trailing newline. */
export type LineSink = (line: string) => void;

/**
 * Writes each line plus `\n` to `process.stdout` (synchronous for files and pipes on
 * Linux, so a line written before a SIGKILL is not lost). Throws where there is no
 * `process.stdout` (browsers): pass a sink there.
 */
export function stdoutSink(): LineSink {
  const stdout = (globalThis as { process?: { stdout?: { write(chunk: string): unknown } } })
    .process?.stdout;
  if (!stdout || typeof stdout.write !== 'function') {
    throw new TypeError('stdoutSink() needs process.stdout (Node); pass a `sink` function instead');
  }
  return (line) => {
    stdout.write(`${line}\n`);
  };
}

/** A sink that keeps lines in memory: for tests, browsers and buffering. */
export interface MemorySink extends LineSink {
  /** Every line written, oldest first. */
  readonly lines: string[];
  /** The lines parsed as JSON. */
  records<T = Record<string, unknown>>(): T[];
  /** Forgets every line. */
  clear(): void;
}

/** Creates a {@link MemorySink}. */
export function memorySink(): MemorySink {
  const lines: string[] = [];
  const sink = (line: string) => {
    lines.push(line);
  };
  return Object.assign(sink, {
    lines,
    records: <T>() => lines.map((line) => JSON.parse(line) as T),
    clear: () => {
      lines.length = 0;
    },
  });
}

/** Validates a user-given sink, defaulting to {@link stdoutSink} lazily. */
export function sinkOption(name: string, value: unknown): LineSink {
  if (value === undefined) return stdoutSink();
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`${name}\` to be a function (line: string) => void`);
  return value as LineSink;
}
