import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function importsOf(dir: string): Array<{ file: string; specifier: string }> {
  const found: Array<{ file: string; specifier: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      found.push({ file: file.slice(src.length).split(sep).join('/'), specifier: match[1]! });
    }
  }
  return found;
}

/**
 * The dependency rules: core/ is browser-safe and uses nothing of ours outside itself;
 * http/, serverless/ (and later db/, stream/) never import each other; all of them reach
 * core/ and telemetry/ through their internal barrels, never through the package entries.
 */
describe('dependency rules', () => {
  it('core imports no Node built-in and nothing of ours outside core', () => {
    const bad = importsOf(join(src, 'core')).filter(
      ({ specifier }) =>
        builtins.has(specifier) || (specifier.startsWith('.') && specifier.startsWith('../')),
    );
    expect(bad).toEqual([]);
  });

  it('the browser-facing http entry imports no Node built-in', () => {
    const bad = importsOf(join(src, 'http')).filter(({ specifier }) => builtins.has(specifier));
    expect(bad).toEqual([]);
  });

  it('http, serverless (and later db, stream) never import each other', () => {
    const siblings = ['http', 'serverless', 'stream', 'db'];
    const bad = siblings.flatMap((dir) => {
      let imports: Array<{ file: string; specifier: string }> = [];
      try {
        imports = importsOf(join(src, dir));
      } catch {
        return [];
      }
      return imports.filter(({ specifier }) =>
        siblings.some((other) => other !== dir && new RegExp(`^\\.\\./${other}/`).test(specifier)),
      );
    });
    expect(bad).toEqual([]);
  });

  it('outside core/ and telemetry/, they are imported only through core/internal.js and telemetry/internal.js', () => {
    const bad = importsOf(src).filter(({ file, specifier }) => {
      if (!specifier.startsWith('.')) return false;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const folder = ['core', 'telemetry'].find((f) => target.startsWith(`${f}/`));
      return (
        folder !== undefined && !file.startsWith(`${folder}/`) && target !== `${folder}/internal.js`
      );
    });
    expect(
      bad,
      'outside core/ import the core from core/internal.js, outside telemetry/ telemetry from telemetry/internal.js (the index.js entries are for users)',
    ).toEqual([]);
  });
});
