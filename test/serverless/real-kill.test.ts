import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/serverless/index.js';

const fixture = fileURLToPath(new URL('./fixtures/killed-handler.ts', import.meta.url));
const BUDGET_MS = 2000;
const MARGIN_MS = 600;

interface Line {
  at: number;
  record: Record<string, unknown>;
}

describe('instrument: real kill', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('the diagnostic reaches the parent before the runtime SIGKILLs the process at the budget', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, BUDGET_MS: String(BUDGET_MS), MARGIN_MS: String(MARGIN_MS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    let stderr = '';
    let buffered = '';
    let invokedAt: number | undefined;
    let killedAt: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const proc = child;
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const record = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        lines.push({ at: Date.now(), record });
        if (record.type === 'invoke') {
          // The runtime's clock starts with the invocation: kill at the budget.
          invokedAt = Date.now();
          killTimer = setTimeout(() => {
            killedAt = Date.now();
            proc.kill('SIGKILL');
          }, BUDGET_MS);
        }
      }
    });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killTimer);

    expect(stderr).toBe('');
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(invokedAt).toBeDefined();
    expect(killedAt).toBeDefined();
    const diagnostic = lines.find((l) => l.record.type === 'diagnostic');
    expect(diagnostic, `lines received: ${JSON.stringify(lines)}`).toBeDefined();
    expect(diagnostic!.at).toBeLessThan(killedAt!);
    // Written at the early deadline (budget − margin), not at once; generous bounds,
    // since two busy processes measure from slightly different instants.
    expect(diagnostic!.at - invokedAt!).toBeGreaterThanOrEqual(BUDGET_MS - MARGIN_MS - 400);
    const record = diagnostic!.record as unknown as Diagnostic;
    expect(record).toMatchObject({
      reason: 'timeout',
      error: { name: 'DeadlineExceededError' },
      context: { requestId: 'kill-1', functionName: 'killed-fn', coldStart: true },
      event: { headers: { Authorization: '[REDACTED]', Host: 'api.test' } },
    });
    expect(JSON.parse((record.event as { body: string }).body)).toEqual({
      orderId: 77,
      password: '[REDACTED]',
    });
    const all = JSON.stringify(lines);
    expect(all).not.toContain('kill-test-Tq9Wz3Xv7');
    expect(all).not.toContain('kill-test-Pw4Mn8');
  });
});
