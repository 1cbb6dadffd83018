import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sources = (dir: string) =>
  readdirSync(`${root}/src/${dir}`)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({
      file: `src/${dir}/${f}`,
      text: readFileSync(`${root}/src/${dir}/${f}`, 'utf8'),
    }));

describe('telemetry packaging', () => {
  it('importing selfheal/telemetry without @opentelemetry/api installed works; loadOtelBridge says what to install', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/without-otel.ts', import.meta.url));
    const hide = fileURLToPath(new URL('./fixtures/hide-otel.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', hide, fixture],
      { cwd: root },
    );
    expect(JSON.parse(stdout)).toEqual({
      redacted: { password: '[REDACTED]', ok: 1 },
      bridgeWithoutMeter: 'ok',
      load: 'loadOtelBridge() needs the optional peer dependency `@opentelemetry/api`: npm install @opentelemetry/api',
    });
  });

  it('only otel.ts mentions @opentelemetry/api, and only as a dynamic import or a type', () => {
    for (const { file, text } of [...sources('telemetry'), ...sources('serverless')]) {
      const mentions = text.match(/^import[^;]*['"]@opentelemetry\/api['"]/gm) ?? [];
      expect(mentions, file).toEqual([]);
      if (!file.endsWith('/otel.ts'))
        expect(text.includes("import('@opentelemetry/api')"), file).toBe(false);
    }
  });

  it('telemetry uses no Node built-ins (browser-safe) and only core of the other folders', () => {
    for (const { file, text } of sources('telemetry')) {
      expect(text, file).not.toMatch(/from ['"]node:/);
      for (const [, target] of text.matchAll(/from ['"]\.\.\/([\w-]+)\//g))
        expect(target, file).toBe('core');
    }
    for (const { file, text } of sources('serverless')) {
      for (const [, target] of text.matchAll(/from ['"]\.\.\/([\w-]+)\//g))
        expect(['core', 'telemetry'], file).toContain(target);
    }
  });

  it('library code never uses console', () => {
    for (const { file, text } of [...sources('telemetry'), ...sources('serverless')])
      expect(text, file).not.toMatch(/\bconsole\./);
  });
});
