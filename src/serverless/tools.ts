/**
 * The tools an instrumented handler receives: `signal`, `deadline`, `log` and `track`,
 * from one shared prototype reading the invocation, so nothing is built per call until
 * the handler asks for it. For a Lambda handler that is not `async` — possibly
 * callback-style — they are a function too: the callback.
 */
import type { Logger } from '../telemetry/internal.js';
import type { InvocationTools } from './types.js';

/** What the tools read from their invocation. */
export interface ToolsOwner {
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly log: Logger;
  readonly boundTrack: InvocationTools['track'];
}

const OWNER = Symbol('invocation');

const DESCRIPTORS: PropertyDescriptorMap = {
  signal: {
    get(this: unknown) {
      return owner(this).signal;
    },
  },
  deadline: {
    get(this: unknown) {
      return owner(this).deadline;
    },
  },
  log: {
    get(this: unknown) {
      return owner(this).log;
    },
  },
  // A getter handing out a bound function: handlers destructure `{ track }`.
  track: {
    get(this: unknown) {
      return owner(this).boundTrack;
    },
  },
};
const CALLABLE_PROTO = Object.create(Function.prototype, DESCRIPTORS);
const PLAIN_PROTO = Object.create(Object.prototype, DESCRIPTORS);

function owner(tools: unknown): ToolsOwner {
  return (tools as { [OWNER]: ToolsOwner })[OWNER];
}

/**
 * The tools of one invocation. `onCallback` runs on the first call of them as a
 * callback; without it they are a plain object (`typeof tools === 'object'`, as code
 * that takes an options-like object expects).
 */
export function makeTools(
  of: ToolsOwner,
  onCallback?: (error: unknown, value: unknown) => void,
): InvocationTools {
  if (!onCallback) {
    const plain = Object.create(PLAIN_PROTO) as { [OWNER]: ToolsOwner };
    plain[OWNER] = of;
    return Object.freeze(plain) as unknown as InvocationTools;
  }
  let called = false;
  const tools = (error?: unknown, value?: unknown) => {
    if (called) return;
    called = true;
    onCallback(error, value);
  };
  Object.setPrototypeOf(tools, CALLABLE_PROTO);
  (tools as unknown as { [OWNER]: ToolsOwner })[OWNER] = of;
  return Object.freeze(tools) as unknown as InvocationTools;
}
