/**
 * The real services integration suites run against, and one way to require them: a suite
 * calls `await requireService('redis')` in `beforeAll`; when the service does not answer,
 * the suite fails at once with one line that says how to start it (never a silent skip).
 * `.ci/run` starts each of them before the tests.
 */
import net from 'node:net';

export const SERVICES = {
  redis: {
    port: 6379,
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  },
  postgresql: {
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  mariadb: {
    port: 3306,
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** True when something accepts TCP connections on 127.0.0.1:`port` within `timeoutMs`. */
export function listening(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws one clear line when `name` is not answering on its port. */
export async function requireService(name: ServiceName): Promise<void> {
  const { port, start } = SERVICES[name];
  if (await listening(port)) return;
  throw new Error(
    `${name} is not answering on 127.0.0.1:${port}; this suite needs it. Start it with: ${start}`,
  );
}
