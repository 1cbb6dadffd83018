import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/http/index.js';
import { createRegistry, serviceMap } from '../../src/telemetry/index.js';
import { startTestServer, type TestServer } from './test-server.js';

describe('createClient joins the service map it is given', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers once, named after its baseUrl origin, with api.health() and counted events', async () => {
    server.reply('/orders', { status: 503 }, { status: 200, body: '{"ok":true}' });
    const registry = createRegistry();
    const api = createClient({
      baseUrl: `${server.url}/`,
      registry,
      retry: { limit: 2, backoff: { baseMs: 1, maxMs: 1 } },
    });
    expect(serviceMap(registry).dependencies).toMatchObject([
      { name: server.url, kind: 'http', health: { origins: {} } },
    ]);
    expect(await api.get('orders').json()).toEqual({ ok: true });
    const [dependency] = serviceMap(registry).dependencies;
    const health = dependency?.health as {
      origins: Record<string, { counts: Record<string, number> }>;
    };
    expect(health.origins[server.url]?.counts).toMatchObject({
      requests: 1,
      attempts: 2,
      retries: 1,
    });
    expect(dependency?.events?.counts).toMatchObject({ retry: 1 });
    const snapshot = serviceMap(registry);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('takes an explicit name, and defaults to "http" without a base URL', () => {
    const registry = createRegistry();
    createClient({ registry, name: 'payments-api' });
    createClient({ registry });
    expect(serviceMap(registry).dependencies.map((d) => d.name)).toEqual(['payments-api', 'http']);
  });

  it('rejects a registry that is not one and an empty name', () => {
    expect(() => createClient({ registry: {} as never })).toThrow(/`registry`/);
    expect(() => createClient({ name: '' })).toThrow(TypeError);
  });
});
