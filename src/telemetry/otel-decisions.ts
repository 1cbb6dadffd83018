/**
 * selfheal's decisions as span events: a retry (with its delay and reason), a throttled
 * wait, a rejection (open breaker, full bulkhead, spent budget) and a degraded answer are
 * added to the span active when they are made — the caller's span around the request
 * (the parent of the attempts' CLIENT spans), or a `traced(policy)` span. As .NET's
 * resilience handler does: the attempts are the spans, the decisions between them events.
 */
import { eventField, type TelemetryEvent } from './event-sink.js';
import type { OtelApi } from './otel-http.js';

type Attributes = Record<string, string | number | boolean>;

/** Event type → the payload fields its span event carries, by attribute name. */
const DECISIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  retry: { attempt: 'selfheal.attempt', delayMs: 'selfheal.delay_ms', reason: 'selfheal.reason' },
  throttled: { waitMs: 'selfheal.wait_ms', rejected: 'selfheal.rejected' },
  rejected: { reason: 'selfheal.reason' },
  degraded: { reason: 'selfheal.reason', ageMs: 'selfheal.age_ms' },
};

/**
 * Adds `event` as `<prefix>.<type>` to the active span when it is a decision and a span
 * records; `series` gives `server.address` / `server.port` for HTTP.
 */
export function recordDecision(
  api: OtelApi,
  prefix: string,
  event: TelemetryEvent,
  series: Attributes,
): void {
  const fields = DECISIONS[event.type];
  if (!fields) return;
  const span = api.trace.getSpan(api.context.active());
  if (!span || span.isRecording?.() === false) return;
  const attributes: Attributes = {};
  for (const [field, key] of Object.entries(fields)) {
    const value = eventField(event, field);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      attributes[key] = value;
  }
  const address = series['server.address'];
  if (address !== undefined) {
    attributes['server.address'] = address;
    attributes['server.port'] = series['server.port']!;
  }
  span.addEvent(`${prefix}.${event.type}`, attributes);
}
