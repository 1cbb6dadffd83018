/**
 * The checked-in API report (api/report.md) matches the build: an export that appears,
 * disappears or changes kind in any entry of package.json `exports` fails here until
 * `npm run api` rewrites the report — so every change to the public surface shows up in
 * review as a diff of api/report.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Api,
  type ApiKind,
  collectApi,
  diffApi,
  entriesOf,
  parseReport,
  REPORT_PATH,
  renderReport,
} from '../../scripts/api-report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe(`the API report (${REPORT_PATH})`, () => {
  it('lists every export of every entry of the build, with its kind', async () => {
    const built = await collectApi(root);
    const reported = parseReport(readFileSync(`${root}/${REPORT_PATH}`, 'utf8'));
    const changes = diffApi(reported, built);
    expect(
      changes,
      `The public API changed:\n${changes.join('\n')}\nIf that is intended, run \`npm run api\` (it builds, then rewrites ${REPORT_PATH}) and commit ${REPORT_PATH}; if not, fix the entry's index.ts (our own modules import helpers from core/internal.ts and telemetry/internal.ts, not through the entries).`,
    ).toEqual([]);
    // Same exports and kinds — and the file is exactly what `npm run api` writes.
    expect(readFileSync(`${root}/${REPORT_PATH}`, 'utf8')).toBe(renderReport(built));
  });

  it('covers every entry of package.json `exports`, including ones added later', async () => {
    const built = await collectApi(root);
    expect([...built.keys()]).toEqual(entriesOf(root).map((e) => e.entry));
    expect([...built.keys()]).toContain('selfheal/telemetry');
  });

  it('reads kinds from the build: classes, functions, values, interfaces and types', async () => {
    const core = (await collectApi(root)).get('selfheal')!;
    expect(core.get('BasePolicy')).toBe('class');
    expect(core.get('retry')).toBe('function');
    expect(core.get('systemClock')).toBe('value');
    expect(core.get('Policy')).toBe('interface');
    expect(core.get('Operation')).toBe('type');
    const http = (await collectApi(root)).get('selfheal/http')!;
    expect(http.get('HTTPError')).toBe('class'); // re-exported from ky: the runtime says so
  });

  it('names each difference: added, removed, changed kind, new entry', () => {
    const api = (entries: Record<string, Record<string, ApiKind>>): Api =>
      new Map(
        Object.entries(entries).map(([entry, names]) => [entry, new Map(Object.entries(names))]),
      );
    const before = parseReport(renderReport(api({ selfheal: { a: 'function', B: 'interface' } })));
    const after = api({
      selfheal: { B: 'type', c: 'class' },
      'selfheal/db': { guardPool: 'function' },
    });
    expect(diffApi(before, after)).toEqual([
      '~ selfheal: B (interface → type)',
      '+ selfheal: c (class)',
      '- selfheal: a (function)',
      '+ entry selfheal/db',
      '+ selfheal/db: guardPool (function)',
    ]);
  });
});
