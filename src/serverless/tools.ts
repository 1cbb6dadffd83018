/**
 * The tools an instrumented handler receives. They are a function — the callback of a
 * callback-style Lambda handler — whose `signal`, `deadline`, `log` and `track` come from
 * one shared prototype reading the invocation, so nothing is built per call until the
 * handler asks for it.
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

const TOOLS_PROTO = Object.create(Function.prototype, {
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
});

function owner(tools: unknown): ToolsOwner {
  return (tools as { [OWNER]: ToolsOwner })[OWNER];
}

/** The tools of one invocation; `onCallback` runs on the first call of them as a callback. */
export function makeTools(
  of: ToolsOwner,
  onCallback: (error: unknown, value: unknown) => void,
): InvocationTools {
  let called = false;
  const tools = (error?: unknown, value?: unknown) => {
    if (called) return;
    called = true;
    onCallback(error, value);
  };
  Object.setPrototypeOf(tools, TOOLS_PROTO);
  (tools as unknown as { [OWNER]: ToolsOwner })[OWNER] = of;
  return Object.freeze(tools) as unknown as InvocationTools;
}
