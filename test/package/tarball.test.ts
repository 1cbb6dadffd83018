/**
 * What `npm pack` ships is what a user gets in node_modules: the entries, LICENSE, the
 * changelog, the docs and benchmark results the README links to, and the TypeScript
 * sources every source map points at — and nothing else (no tests, no bench code).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let shipped: Set<string>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: root },
  );
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  shipped = new Set(pack!.files.map((f) => f.path));
}, 60_000);

const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const headings = markdown.matchAll(/^#{1,6} (.+)$/gm);
  return new Set(
    [...headings].map(([, text]) =>
      text!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('the packed tarball', () => {
  it('ships the entries, LICENSE, README, CHANGELOG, SECURITY — and no tests or bench code', () => {
    const pkg = JSON.parse(read('package.json')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = Object.values(pkg.exports).flatMap((t) =>
      typeof t === 'string' ? [t] : Object.values(t),
    );
    for (const target of targets) expect(shipped, target).toContain(posix.normalize(target));
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'SECURITY.md', 'package.json'])
      expect(shipped).toContain(file);
    const rootFiles = [...shipped].filter((f) => !f.includes('/')).sort();
    expect(rootFiles).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'SECURITY.md',
      'package.json',
    ]);
    const stray = [...shipped].filter(
      (f) => f.includes('/') && !/^(dist|src|docs|bench\/results|api)\//.test(f),
    );
    expect(stray).toEqual([]);
  });

  it('every source map points at sources that ship', () => {
    const maps = [...shipped].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(100);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(read(map)) as { sources: string[] };
      return sources
        .map((source) => posix.normalize(posix.join(posix.dirname(map), source)))
        .filter((source) => !shipped.has(source))
        .map((source) => `${map} → ${source}`);
    });
    expect(missing).toEqual([]);
  });

  it('every relative link in the shipped markdown resolves inside the package', () => {
    const docs = [...shipped].filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/http.md']));
    const broken = docs.flatMap((doc) =>
      [...read(doc).matchAll(/\]\(([^)\s]+)\)/g)]
        .map(([, link]) => link!)
        .filter((link) => !/^[a-z]+:/i.test(link))
        .filter((link) => {
          const [path, anchor] = link.split('#') as [string, string | undefined];
          const target = path ? posix.normalize(posix.join(posix.dirname(doc), path)) : doc;
          if (!shipped.has(target)) return true;
          return (
            anchor !== undefined && target.endsWith('.md') && !anchors(read(target)).has(anchor)
          );
        })
        .map((link) => `${doc}: ${link}`),
    );
    expect(broken).toEqual([]);
  });
});
