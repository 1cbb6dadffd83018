/**
 * The core as selfheal's own modules see it (http, serverless, telemetry, and those to come):
 * the public API plus the plumbing that is not part of the package's surface — option
 * validation, signal helpers, the listener-error reporter. Not a package export: modules
 * outside core/ import the core from here, users from `selfheal`.
 */
export { isSelfhealErrorNamed } from './errors.js';
export { reportLater } from './events.js';
export * from './index.js';
export { invoke } from './policy.js';
export { requestedDelay } from './retry.js';
export { RollingWindow } from './rolling-window.js';
export { abortReason, type LinkedSignal, linkSignal, NEVER_ABORTED } from './signal.js';
export {
  enumOption,
  functionOption,
  knownKeys,
  numberOption,
  objectOption,
  optionalNumber,
} from './validate.js';
