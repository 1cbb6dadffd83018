/**
 * selfheal/telemetry — where selfheal's events go: redaction (used by every diagnostic
 * in the SDK), a JSON logger, CloudWatch EMF metrics, an OpenTelemetry bridge, and the
 * service-map registry, and alarms for humans (`alarmSink`, `chatWebhook`). Browser-safe except `stdoutSink()` (which needs Node's
 * `process.stdout` and says so) and `loadOtelBridge()` (which needs the optional peer
 * `@opentelemetry/api`).
 */

export {
  type AlarmSink,
  type AlarmSinkOptions,
  alarmSink,
  type TelemetryAlarm,
} from './alarms.js';
export { type ChatWebhookOptions, chatWebhook } from './chat-webhook.js';
export {
  EMF_LIMITS,
  EMF_UNITS,
  type EmfMetric,
  type EmfMetricsOptions,
  type EmfMetricsSink,
  type EmfRecordInput,
  type EmfUnit,
  emfMetrics,
  emfRecord,
  emfRecords,
} from './emf.js';
export { DEFAULT_EVENT_LEVELS, type EventLoggerOptions, eventLogger } from './event-logger.js';
export {
  connect,
  type EventSink,
  type Subscribable,
  type TelemetryEvent,
} from './event-sink.js';
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './json-logger.js';
export {
  BREAKER_STATE_VALUE,
  createOtelBridge,
  type HttpAttempt,
  type HttpAttemptHook,
  type HttpAttemptOutcome,
  type LoadOtelBridgeOptions,
  loadOtelBridge,
  type OtelApi,
  type OtelBridge,
  type OtelBridgeOptions,
  type OtelMeter,
  type OtelSpan,
  type OtelTracer,
  type TracedClientTarget,
  TracedPolicy,
} from './otel.js';
export {
  CIRCULAR,
  createRedactor,
  REDACTED,
  type RedactOptions,
  type Redactor,
  redact,
  TRUNCATED,
} from './redact.js';
export { DEFAULT_KEYS } from './redact-keys.js';
export { DEFAULT_PATTERNS, type ValuePattern } from './redact-patterns.js';
export {
  createRegistry,
  type DependencySnapshot,
  type Json,
  type Registration,
  type Registry,
  type RegistryOptions,
  type ServiceMapSnapshot,
  serviceMap,
  sharedRegistry,
} from './registry.js';
export {
  type SerializedError,
  type SerializeErrorOptions,
  serializeError,
} from './serialize-error.js';
export { type LineSink, type MemorySink, memorySink, stdoutSink } from './sinks.js';
