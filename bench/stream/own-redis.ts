/**
 * A redis-server of this suite's own on a free port, for restart tests and command
 * counts, so the shared Redis on 6379 is never restarted or reset. With `persist`, it
 * writes an append-only file (fsync always) in a temporary folder, so a restart keeps the
 * streams. Stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  readonly port: number;
  start(): Promise<void>;
  /** SIGKILL by PID; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Kills and removes its folder. */
  close(): Promise<void>;
  /** Sum of `calls` over INFO commandstats (the INFO call itself excluded). */
  commands(): Promise<number>;
  resetStats(): Promise<void>;
  /** CPU seconds the server has used (INFO cpu: user + system). */
  cpuSeconds(): Promise<number>;
}

export async function startOwnRedis(options: { persist?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-stream-redis-'));
  const persistence = options.persist
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const admin = async <T>(fn: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  };
  const own: OwnRedis = {
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 400; i++) {
        if (await admin((r) => r.ping()).catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`redis-server on ${port} did not answer within 10 s`);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
    async close() {
      await own.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    commands: () =>
      admin(async (r) => {
        const info = await r.info('commandstats');
        let calls = 0;
        for (const m of info.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm))
          if (m[1] !== 'info') calls += Number(m[2]);
        return calls;
      }),
    resetStats: () => admin((r) => r.config('RESETSTAT').then(() => undefined)),
    cpuSeconds: () =>
      admin(async (r) => {
        const info = await r.info('cpu');
        const read = (name: string) =>
          Number(info.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1]);
        return read('used_cpu_user') + read('used_cpu_sys');
      }),
  };
  await own.start();
  return own;
}
