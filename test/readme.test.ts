import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * Every ```ts block of the README runs as written (against the built package, through
 * its own `selfheal` import) and exits 0. A block may end with `// prints: text`
 * lines, which must appear in its output.
 */
const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = new URL('.readme-examples/', root);

describe('README examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((code, i) => [i + 1, code] as const))('example %i runs', async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i}.mts`, dir);
    writeFileSync(file, code);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', file.pathname],
      {
        cwd: root.pathname,
        timeout: 30_000,
      },
    );
    for (const [, expected] of code.matchAll(/\/\/ prints: (.+)$/gm))
      expect(stdout).toContain(expected!.trim());
  });
});
