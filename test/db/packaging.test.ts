import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ConnectionOf, type GuardedPool, guardPool } from '../../src/db/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = (dir: string, ext: string) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath, e.name));
const DRIVER = /(?:from|import)\s*\(?\s*['"](pg|mysql2)(\/[^'"]*)?['"]/;

describe('selfheal/db needs neither driver nor its types', () => {
  it('no file of src/db imports pg or mysql2 (the pool is passed in)', () => {
    const importing = files('src/db', '.ts').filter((f) => DRIVER.test(readFileSync(f, 'utf8')));
    expect(importing).toEqual([]);
  });

  it('no published .d.ts names pg or mysql2 (after `npm run build`)', () => {
    const declarations = files('dist', '.d.ts');
    expect(declarations.some((f) => f.includes('/db/'))).toBe(true);
    const naming = declarations.filter((f) => DRIVER.test(readFileSync(f, 'utf8')));
    expect(naming).toEqual([]);
  });

  it('takes its types from the pool it is given: the drivers’ own signatures and results (checked by npm run typecheck)', () => {
    // Compile-time checks (npm run typecheck); at run time nothing is called.
    const checks = async (pgGuard: GuardedPool<pg.Pool>, myGuard: GuardedPool<mysql.Pool>) => {
      expectTypeOf<ConnectionOf<pg.Pool>>().toEqualTypeOf<pg.PoolClient>();
      expectTypeOf<ConnectionOf<mysql.Pool>>().toEqualTypeOf<mysql.PoolConnection>();
      const result = await pgGuard.query<{ n: number }>('SELECT 1 AS n');
      expectTypeOf(result).toEqualTypeOf<pg.QueryResult<{ n: number }>>();
      const [rows, fields] = await myGuard.execute<mysql.RowDataPacket[]>('SELECT 1 AS n');
      expectTypeOf(rows).toEqualTypeOf<mysql.RowDataPacket[]>();
      expectTypeOf(fields).toEqualTypeOf<mysql.FieldPacket[]>();
      await pgGuard.withConnection((client) => expectTypeOf(client).toEqualTypeOf<pg.PoolClient>());
      expectTypeOf(guardPool<pg.Pool>).returns.toEqualTypeOf<GuardedPool<pg.Pool>>();
    };
    expect(checks).toBeTypeOf('function'); // never called: the checks above are the compiler's
  });
});
