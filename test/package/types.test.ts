/**
 * The published types compile in a user's project as users configure it, with
 * `skipLibCheck: false` so every .d.ts of ours is checked: a browser project (DOM lib, no
 * `@types/node`) and a Node project (`@types/node`, no DOM lib). Every entry of package.json
 * `exports` is imported through its package name, as users do (after `npm run build`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const work = `${root}/node_modules/.cache/selfheal-types-${process.pid}`;
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
};
const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target !== null && 'types' in target)
  .map(([subpath]) => pkg.name + subpath.slice(1));

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function compile(name: string, compilerOptions: Record<string, unknown>): Promise<string> {
  const dir = `${work}/${name}`;
  mkdirSync(dir, { recursive: true });
  const lines = entries.map((entry, i) => `import * as e${i} from '${entry}';`);
  lines.push(`export type All = [${entries.map((_, i) => `typeof e${i}`).join(', ')}];`);
  writeFileSync(`${dir}/consumer.ts`, `${lines.join('\n')}\n`);
  const options = {
    target: 'ES2022',
    module: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    ...compilerOptions,
  };
  writeFileSync(
    `${dir}/tsconfig.json`,
    JSON.stringify({ compilerOptions: options, files: ['consumer.ts'] }),
  );
  return promisify(execFile)(process.execPath, [tsc, '-p', `${dir}/tsconfig.json`], {
    cwd: dir,
  }).then(
    ({ stdout }) => stdout,
    (error: { stdout: string }) => error.stdout || String(error),
  );
}

describe('the published types', () => {
  it('import every entry', () => {
    expect(entries).toEqual(
      expect.arrayContaining(['selfheal', 'selfheal/http', 'selfheal/serverless']),
    );
  });

  it('compile in a browser project without @types/node', async () => {
    expect(await compile('browser', { lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [] })).toBe(
      '',
    );
  });

  it('compile in a Node project without the DOM lib', async () => {
    expect(await compile('node', { lib: ['ES2023'], types: ['node'] })).toBe('');
  });
});
