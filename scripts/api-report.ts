/**
 * The public API report: every export of every entry in package.json `exports`, with its
 * kind, read from the built package (`dist/`: the .js for what exists at runtime, the .d.ts
 * for types and for what kind each value is). `npm run api` builds and rewrites
 * api/report.md; test/package/api-report.test.ts fails when the build and the report differ.
 * TypeScript 7 has no compiler API, so the .d.ts files are scanned: tsc emits a small,
 * regular subset (declarations and `export { … } from` lists), which is all this reads.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What an export is. */
export type ApiKind = 'class' | 'function' | 'value' | 'enum' | 'namespace' | 'interface' | 'type';

/** Export name → kind, for one entry (`selfheal`, `selfheal/http`, …). */
export type EntryApi = Map<string, ApiKind>;

/** Entry name → its exports, in package.json order. */
export type Api = Map<string, EntryApi>;

export const REPORT_PATH = 'api/report.md';

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(class|function|const|let|var|enum|namespace|interface|type)\s+([A-Za-z_$][\w$]*)/gm;
const LOCAL_DECLARATION =
  /^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(class|function|const|let|var|enum|namespace|interface|type)\s+([A-Za-z_$][\w$]*)/gm;
const EXPORT_LIST = /^export\s+(type\s+)?\{([^}]*)\}(?:\s+from\s+['"]([^'"]+)['"])?/gm;
const EXPORT_STAR = /^export\s+\*\s+from\s+['"]([^'"]+)['"]/gm;

function kindOf(keyword: string): ApiKind {
  if (keyword === 'const' || keyword === 'let' || keyword === 'var') return 'value';
  return keyword as ApiKind;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/**
 * The exports a .d.ts file declares, following relative re-exports. A name re-exported from
 * another package (ky) is a `type` when type-only; otherwise `value`, refined at runtime.
 */
function declaredExports(file: string, seen = new Set<string>()): EntryApi {
  const exports: EntryApi = new Map();
  if (seen.has(file)) return exports;
  seen.add(file);
  if (!existsSync(file)) throw new Error(`${file} missing: run \`npm run build\``);
  const text = stripComments(readFileSync(file, 'utf8'));
  const local = new Map<string, ApiKind>();
  for (const [, keyword, name] of text.matchAll(LOCAL_DECLARATION))
    local.set(name!, kindOf(keyword!));
  for (const [, keyword, name] of text.matchAll(DECLARATION)) exports.set(name!, kindOf(keyword!));
  const moduleOf = (specifier: string) =>
    specifier.startsWith('.')
      ? declaredExports(join(dirname(file), specifier.replace(/\.js$/, '.d.ts')), seen)
      : undefined;
  for (const [, typeOnly, list, from] of text.matchAll(EXPORT_LIST)) {
    const source = from === undefined ? local : moduleOf(from);
    for (const raw of list!.split(',')) {
      const spec = raw.trim();
      if (!spec) continue;
      const [, typeKeyword, original, alias] = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(
        spec,
      ) ?? [undefined, undefined, spec];
      const isType = Boolean(typeOnly || typeKeyword);
      const found = source?.get(original!);
      exports.set(alias ?? original!, found ?? (isType ? 'type' : 'value'));
    }
  }
  for (const [, from] of text.matchAll(EXPORT_STAR)) {
    for (const [name, kind] of moduleOf(from!) ?? [])
      if (name !== 'default') exports.set(name, kind);
  }
  return exports;
}

function runtimeKind(value: unknown): ApiKind {
  if (typeof value !== 'function') return 'value';
  return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
}

const VALUE_KINDS: ReadonlySet<ApiKind> = new Set([
  'class',
  'function',
  'value',
  'enum',
  'namespace',
]);

/** The entries of package.json `exports` that have types and code. */
export function entriesOf(root: string): Array<{ entry: string; types: string; js: string }> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string; default?: string }>;
  };
  return Object.entries(pkg.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target.types && target.default
      ? [{ entry: pkg.name + subpath.slice(1), types: target.types, js: target.default }]
      : [],
  );
}

/** Reads the API of every entry from the build; throws when .js and .d.ts disagree. */
export async function collectApi(root: string): Promise<Api> {
  const api: Api = new Map();
  for (const { entry, types, js } of entriesOf(root)) {
    const declared = declaredExports(join(root, types));
    const jsFile = join(root, js);
    if (!existsSync(jsFile)) throw new Error(`${js} missing: run \`npm run build\``);
    const runtime = (await import(pathToFileURL(jsFile).href)) as Record<string, unknown>;
    const exports: EntryApi = new Map();
    for (const [name, kind] of declared) {
      const atRuntime = Object.hasOwn(runtime, name);
      if (VALUE_KINDS.has(kind) !== atRuntime) {
        throw new Error(
          `${entry}: \`${name}\` is ${atRuntime ? 'exported by' : 'missing from'} ${js} but declared as ${kind} in ${types}`,
        );
      }
      // Re-exports from other packages carry no declaration here: the runtime says what they are.
      exports.set(name, atRuntime && kind === 'value' ? runtimeKind(runtime[name]) : kind);
    }
    for (const name of Object.keys(runtime)) {
      if (!declared.has(name)) throw new Error(`${entry}: \`${name}\` has no type in ${types}`);
    }
    api.set(entry, new Map([...exports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  }
  return api;
}

/** The report's markdown. */
export function renderReport(api: Api): string {
  const lines = [
    '# The public API of selfheal',
    '',
    'Every export of every entry in package.json `exports`, with its kind. Generated from the',
    'build by `npm run api` — do not edit by hand. `test/package/api-report.test.ts` fails',
    'when an export appears or disappears without this file being regenerated: every line',
    'here is a promise to users, so review its diff like code. On a merge conflict in this',
    'file, do not merge it by hand: run `npm run api` on the merged code.',
  ];
  for (const [entry, exports] of api) {
    lines.push('', `## \`${entry}\` (${exports.size})`, '', '| export | kind |', '|---|---|');
    for (const [name, kind] of exports) lines.push(`| \`${name}\` | ${kind} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a report back (the inverse of {@link renderReport}). */
export function parseReport(markdown: string): Api {
  const api: Api = new Map();
  let current: EntryApi | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## `([^`]+)`/.exec(line);
    if (heading) {
      current = new Map();
      api.set(heading[1]!, current);
    }
    const row = /^\| `([^`]+)` \| (\w+) \|$/.exec(line);
    if (row && current) current.set(row[1]!, row[2] as ApiKind);
  }
  return api;
}

/** One line per difference: `+ selfheal/http: name (function)`, `- …`, `~ … kind a → b`. */
export function diffApi(reported: Api, built: Api): string[] {
  const lines: string[] = [];
  for (const entry of new Set([...reported.keys(), ...built.keys()])) {
    const before = reported.get(entry) ?? new Map<string, ApiKind>();
    const after = built.get(entry) ?? new Map<string, ApiKind>();
    if (!reported.has(entry)) lines.push(`+ entry ${entry}`);
    if (!built.has(entry)) lines.push(`- entry ${entry}`);
    for (const [name, kind] of after) {
      const old = before.get(name);
      if (old === undefined) lines.push(`+ ${entry}: ${name} (${kind})`);
      else if (old !== kind) lines.push(`~ ${entry}: ${name} (${old} → ${kind})`);
    }
    for (const [name, kind] of before)
      if (!after.has(name)) lines.push(`- ${entry}: ${name} (${kind})`);
  }
  return lines;
}

if (import.meta.main) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const api = await collectApi(root);
  const file = join(root, REPORT_PATH);
  const previous = existsSync(file) ? parseReport(readFileSync(file, 'utf8')) : new Map();
  writeFileSync(file, renderReport(api));
  const changes = diffApi(previous, api);
  const count = [...api.values()].reduce((sum, e) => sum + e.size, 0);
  process.stdout.write(
    `${relative(process.cwd(), file) || REPORT_PATH}: ${api.size} entries, ${count} exports` +
      (changes.length ? `; changed:\n${changes.join('\n')}\n` : '; no change\n'),
  );
}
