/** Starts the scriptable test server (Node side) for the browser tests; its URL goes to the page through `provide`. */
import type { TestProject } from 'vitest/node';
import { startTestServer } from '../http/test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer();
  project.provide('serverUrl', server.url);
  return () => server.close();
}
