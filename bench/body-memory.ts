/**
 * `npm run bench:memory`: peak RSS of one request for a 512 MiB answer (a 500, and a 200
 * whose body is never read), through bare ky and through `createClient`, and what a
 * stale-if-error client keeps resident afterwards. Each case runs in a fresh process
 * (`maxRSS` is per process); the upstream is a node:http server in its own process,
 * streaming the body in 64 KiB chunks. A measurement, not a test: writes
 * bench/results/body-memory.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import ky from 'ky';
import { createClient } from '../src/http/index.js';

const SIZE = Number(process.env.BODY_MIB ?? 512) * 1024 * 1024;
const MiB = 1024 * 1024;

// The upstream: `/500` and `/200` answer SIZE bytes with a content-length, `/chunked` without
// one (the body is counted as it arrives), in 64 KiB chunks.
const SERVER = `
const http = require('node:http');
const size = ${SIZE};
const chunk = Buffer.alloc(64 * 1024, 120);
http.createServer((req, res) => {
  const headers = { 'content-type': 'text/plain', 'cache-control': 'max-age=60' };
  if (req.url !== '/chunked') headers['content-length'] = size;
  res.writeHead(req.url === '/500' ? 500 : 200, headers);
  let sent = 0;
  const pump = () => {
    while (sent < size) {
      sent += chunk.length;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    res.end();
  };
  res.on('error', () => {});
  pump();
}).listen(0, '127.0.0.1', function () { process.send(this.address().port); });
`;

interface Case {
  name: string;
  run(base: string): Promise<string>;
}

/** The client of the case, kept reachable until memory is measured (what it keeps counts). */
const alive: unknown[] = [];

const quiet = { retry: { limit: 1, backoff: { baseMs: 1 } } } as const;
const CASES: Case[] = [
  {
    name: 'bare ky, 500',
    run: (base) =>
      ky
        .get(`${base}/500`, { retry: { limit: 1, delay: () => 1 } })
        .then(() => 'ok')
        .catch((e: Error) => e.name),
  },
  {
    name: 'selfheal, 500',
    run: (base) =>
      createClient(quiet)
        .get(`${base}/500`)
        .then(() => 'ok')
        .catch((e: Error) => e.name),
  },
  {
    name: 'bare ky, 200 never read',
    run: async (base) => {
      const res = await ky.get(`${base}/200`);
      await new Promise((r) => setTimeout(r, 1000));
      return String(res.status);
    },
  },
  {
    name: 'selfheal, 200 never read',
    run: async (base) => {
      try {
        const res = await createClient(quiet).get(`${base}/200`);
        await new Promise((r) => setTimeout(r, 1000));
        return String(res.status);
      } catch (e) {
        return (e as Error).name;
      }
    },
  },
  {
    name: 'selfheal, 200 chunked (no length) never read',
    run: async (base) => {
      try {
        const res = await createClient(quiet).get(`${base}/chunked`);
        await new Promise((r) => setTimeout(r, 1000));
        return String(res.status);
      } catch (e) {
        return (e as Error).name;
      }
    },
  },
  {
    name: 'selfheal staleIfError, 200 read (resident after)',
    run: async (base) => {
      try {
        const api = createClient({ ...quiet, staleIfError: {} });
        alive.push(api);
        const res = await api.get(`${base}/200`);
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1000));
        return `${res.status}, ${api.health().staleEntries} kept`;
      } catch (e) {
        return (e as Error).name;
      }
    },
  },
  {
    name: 'selfheal maxBodyBytes: Infinity + staleIfError, 200 read (resident after)',
    run: async (base) => {
      const api = createClient({
        ...quiet,
        maxBodyBytes: Number.POSITIVE_INFINITY,
        staleIfError: {},
      });
      alive.push(api);
      const res = await api.get(`${base}/200`);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 1000));
      return `${res.status}, ${api.health().staleEntries} kept`;
    },
  },
];

const [mode, which, base] = process.argv.slice(2);
if (mode === 'case') {
  // One case, in this process: report the outcome, peak RSS and RSS after a collection.
  const c = CASES[Number(which)]!;
  const outcome = await c.run(base!);
  // Two collections a tick apart: array buffers' backing stores are released after the first.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 100));
  gc?.();
  const peak = process.resourceUsage().maxRSS * 1024;
  const { heapUsed, external } = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({ outcome, peak, after: heapUsed + external, alive: alive.length }),
  );
  process.exit(0);
}

// The server's stdout is not ours: a pipe reading this script's output must not wait for it.
const server = spawn(process.execPath, ['-e', SERVER], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
process.on('exit', () => server.kill());
const port = await new Promise<number>((resolve) =>
  server.once('message', (p) => resolve(Number(p))),
);
const url = `http://127.0.0.1:${port}`;
const rows: string[] = [];
for (const [i, c] of CASES.entries()) {
  process.stderr.write(`bench:memory ${c.name}…\n`);
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, 'case', String(i), url],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(out) as { outcome: string; peak: number; after: number };
  rows.push(
    `| ${c.name} | ${r.outcome} | ${(r.peak / MiB).toFixed(0)} | ${(r.after / MiB).toFixed(0)} |`,
  );
}
server.kill();

const report = `# bench:memory — peak RSS of one request for a ${SIZE / MiB} MiB answer

Generated by \`npm run bench:memory\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB. Node ${process.version}.
Upstream: node:http in a child process, ${SIZE / MiB} MiB with a content-length (\`/chunked\`: without), 64 KiB chunks. Each case runs in a fresh
process; "peak" is its \`maxRSS\`, "live after" the heap and external memory still in use after full collections once the
request is done, with the client still reachable (what stays resident; RSS itself rarely shrinks).
Outcomes under load can read TimeoutError: the 10 s attempt timeout fired while 512 MiB were read.
Clients: bare ky (1 retry), \`createClient({ retry: { limit: 1 } })\` with its defaults otherwise (\`bufferBody: true\`,
\`maxBodyBytes\` 64 MiB, error bodies at most 10 MiB, \`staleIfError.maxBytes\` 10 MiB).

| case | outcome | peak RSS MiB | live after MiB |
|---|---|---:|---:|
${rows.join('\n')}
`;
writeFileSync(new URL('./results/body-memory.md', import.meta.url), report);
process.stdout.write(report);
