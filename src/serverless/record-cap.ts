/**
 * One diagnostic is one log line, and CloudWatch Logs drops (or splits) an event over
 * 256 KB — counted in UTF-8 bytes of the serialised line, where a Japanese character is
 * 3 bytes and a control character escapes to 6. `capDiagnostic()` measures the whole
 * line in bytes and trims the least useful parts first: the selfheal events (their
 * counts stay), the operations in flight, the event (kept as a JSON prefix), the stacks
 * and nested errors, and last the error's own stack and message. `trimmed` lists what
 * was cut, so a reader knows the record is partial.
 */
import type { Diagnostic } from './types.js';

const encoder = new TextEncoder();

/** Bytes of `value` as one JSON line. */
export function lineBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/** `text` cut so that its JSON form (escapes included) takes at most `maxBytes`. */
export function fitString(text: string, maxBytes: number): string {
  const marker = `…[TRUNCATED: ${text.length} chars]`;
  if (lineBytes(text) <= maxBytes) return text;
  let keep = maxBytes - lineBytes(marker);
  for (let i = 0; i < 20 && keep > 0; i++) {
    const candidate = cutUtf8(text, keep) + marker;
    const size = lineBytes(candidate);
    if (size <= maxBytes) return candidate;
    keep = Math.floor((keep * maxBytes) / size) - 8;
  }
  return '[TRUNCATED]';
}

type Step = (d: Diagnostic, room: () => number) => string | undefined;

// Least useful first. Each step trims one part and says which, or returns undefined.
const STEPS: readonly Step[] = [
  (d, room) => {
    const events = d.selfheal.events;
    if (events.length === 0) return undefined;
    let keep = events.length;
    while (keep > 0 && room() < 0) {
      keep = Math.floor(keep / 2);
      d.selfheal.dropped += events.length - keep;
      events.length = keep;
    }
    return 'selfheal.events';
  },
  (d) => {
    if (d.inFlight.length <= 5) return undefined;
    d.inFlight.length = 5;
    return 'inFlight';
  },
  (d, room) => {
    const json = JSON.stringify(d.event) ?? '';
    d.event = '';
    d.event = fitString(json, Math.max(0, room() - 2));
    return 'event';
  },
  (d) => {
    let trimmed = false;
    for (let e = d.error.cause; e; e = e.cause) {
      if (e.stack !== undefined) delete e.stack;
      trimmed = true;
    }
    if (d.error.errors?.length) {
      d.error.errors = d.error.errors.slice(0, 3).map(({ name, message }) => ({ name, message }));
      trimmed = true;
    }
    return trimmed ? 'error.cause' : undefined;
  },
  (d, room) => {
    if (typeof d.error.stack !== 'string') return undefined;
    const stack = d.error.stack;
    d.error.stack = '';
    d.error.stack = fitString(stack, Math.max(0, room() - 2));
    return 'error.stack';
  },
  (d, room) => {
    delete d.error.cause;
    delete d.error.errors;
    const message = d.error.message;
    d.error.message = '';
    d.error.message = fitString(message, Math.max(0, room() - 2));
    return 'error.message';
  },
];

/** Trims `diagnostic` in place until its line takes at most `maxBytes`; returns it. */
export function capDiagnostic(diagnostic: Diagnostic, maxBytes: number): Diagnostic {
  const room = () => maxBytes - lineBytes(diagnostic);
  if (room() >= 0) return diagnostic;
  // Reserve room for the list of what was trimmed.
  const reserve = 160;
  const inner = () => room() - reserve;
  const trimmed: string[] = [];
  for (const step of STEPS) {
    if (inner() >= 0) break;
    const part = step(diagnostic, inner);
    if (part) trimmed.push(part);
  }
  diagnostic.trimmed = trimmed;
  if (room() >= 0) return diagnostic;
  // Only the fixed fields are left and they still do not fit (a huge function name):
  // the smallest record that still says what happened.
  return {
    type: 'diagnostic',
    level: 'error',
    time: diagnostic.time,
    reason: diagnostic.reason,
    msg: fitString(diagnostic.msg, Math.floor(maxBytes / 4)),
    error: { name: fitString(diagnostic.error.name, 256), message: '' },
    event: '',
    context: {
      requestId: fitString(diagnostic.context.requestId, 256),
      functionName: fitString(diagnostic.context.functionName, 256),
      coldStart: diagnostic.context.coldStart,
      invocation: diagnostic.context.invocation,
    },
    durationMs: diagnostic.durationMs,
    marginMs: diagnostic.marginMs,
    selfheal: { events: [], counts: {}, dropped: diagnostic.selfheal.dropped },
    inFlight: [],
    trimmed: [...trimmed, 'everything else'],
  };
}
