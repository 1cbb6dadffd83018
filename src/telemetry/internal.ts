/**
 * Telemetry as selfheal's own modules see it: the public `selfheal/telemetry` API plus the
 * helpers other modules share but users do not need. Not a package export: modules outside
 * telemetry/ import it from here, users from `selfheal/telemetry`.
 */
export { alarmText } from './chat-webhook.js';
export { emfDimensionsOption, emfNamespaceOption, toDimensionValue } from './emf-spec.js';
export { eventField } from './event-sink.js';
export * from './index.js';
export { toRedactor } from './json-logger.js';
export { isCardNumber } from './redact-patterns.js';
