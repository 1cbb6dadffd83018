import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};
const subpaths = Object.entries(pkg.exports).filter(([, target]) => typeof target === 'object');

describe('package exports (after `npm run build`)', () => {
  it('lists types first in every entry', () => {
    for (const [, target] of subpaths) expect(Object.keys(target as object)[0]).toBe('types');
  });

  it.each(subpaths)(
    '%s resolves to built JS with .d.ts types, and imports',
    async (subpath, target) => {
      const { types, default: js } = target as { types: string; default: string };
      const specifier = `selfheal${subpath.slice(1)}`;
      const resolved = fileURLToPath(import.meta.resolve(specifier));
      expect(resolved).toBe(fileURLToPath(new URL(js, root)));
      expect(existsSync(resolved), `${js} missing: run \`npm run build\``).toBe(true);
      expect(existsSync(new URL(types, root)), `${types} missing`).toBe(true);
      const module = (await import(specifier)) as Record<string, unknown>;
      expect(Object.keys(module).length).toBeGreaterThan(0);
    },
  );
});
