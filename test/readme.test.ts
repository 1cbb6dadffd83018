import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireService } from './support/services.js';

/**
 * Every ```ts block of the README (and of the docs listed here that have no runner of their
 * own) runs as written, the way the README tells users to run one: saved as `.mts` and run
 * by plain Node (≥ 22.18 strips the types), against the built package through its own
 * `selfheal` import, exiting 0. A block may end with `// prints: text` lines, which must
 * appear in its output.
 */
const root = new URL('../', import.meta.url);
const sources = ['README.md', 'docs/custom-policies.md', 'docs/db.md'];
const blocks = sources.flatMap((source) =>
  [...readFileSync(new URL(source, root), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
    (m, i) => [`${source} #${i + 1}`, m[1]!] as const,
  ),
);
const dir = new URL('.readme-examples/', root);

describe('README and docs examples', () => {
  // The selfheal/db examples run against the real databases (as CI has them).
  beforeAll(async () => {
    if (blocks.some(([, code]) => code.includes("from 'pg'"))) await requireService('postgresql');
    if (blocks.some(([, code]) => code.includes("from 'mysql2"))) await requireService('mariadb');
  });

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks)('%s runs with plain node', async (label, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`${label.replace(/\W+/g, '-')}.mts`, dir);
    writeFileSync(file, code);
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], {
      cwd: root.pathname,
      timeout: 30_000,
    });
    for (const [, expected] of code.matchAll(/\/\/ prints: (.+)$/gm))
      expect(stdout).toContain(expected!.trim());
  });
});
