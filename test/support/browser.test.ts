import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import {
  BrowserNotFoundError,
  COMMON_ARGS,
  type FindBrowserOptions,
  findBrowser,
} from './browser.js';

const BUNDLED = {
  executablePath: '/tmp/chromium',
  args: ['--single-process', '--disable-web-security', '--use-angle=swiftshader', '--no-sandbox'],
};

/** A fake machine: which paths are executables, and a counting bundled unpacker. */
function machine(executables: string[], options: FindBrowserOptions = {}) {
  const unpackBundled = vi.fn(async () => BUNDLED);
  return {
    unpackBundled,
    find: (env: Record<string, string>) =>
      findBrowser({
        env,
        platform: 'linux',
        arch: 'x64',
        isExecutable: (path) => executables.includes(path),
        unpackBundled,
        ...options,
      }),
  };
}

async function failure(promise: Promise<unknown>): Promise<BrowserNotFoundError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BrowserNotFoundError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return error as BrowserNotFoundError;
}

describe('findBrowser: CHROMIUM_PATH, then the system, then the bundled Chromium', () => {
  it('CHROMIUM_PATH wins over a system browser; nothing is unpacked', async () => {
    const m = machine(['/opt/chrome', '/usr/bin/chromium']);
    const found = await m.find({ CHROMIUM_PATH: '/opt/chrome' });
    expect(found).toEqual({
      executablePath: '/opt/chrome',
      args: [...COMMON_ARGS],
      source: 'CHROMIUM_PATH',
    });
    expect(m.unpackBundled).not.toHaveBeenCalled();
  });

  it('a system browser on the usual paths comes before the bundled one', async () => {
    const m = machine(['/usr/bin/google-chrome']);
    const found = await m.find({});
    expect(found.executablePath).toBe('/usr/bin/google-chrome');
    expect(found.source).toBe('system');
    expect(m.unpackBundled).not.toHaveBeenCalled();
  });

  it('with nothing installed, the bundled one — without flags that would hide CORS', async () => {
    const m = machine([]);
    const found = await m.find({});
    expect(found.source).toBe('bundled');
    expect(found.executablePath).toBe('/tmp/chromium');
    expect(found.args).toContain('--use-angle=swiftshader');
    expect(found.args).toEqual(expect.arrayContaining([...COMMON_ARGS]));
    expect(found.args).not.toContain('--disable-web-security');
    expect(found.args).not.toContain('--single-process');
    expect(found.args.filter((a) => a === '--no-sandbox')).toHaveLength(1);
  });

  it('SELFHEAL_BROWSER=bundled skips CHROMIUM_PATH and the system browser', async () => {
    const m = machine(['/opt/chrome', '/usr/bin/chromium']);
    const found = await m.find({ SELFHEAL_BROWSER: 'bundled', CHROMIUM_PATH: '/opt/chrome' });
    expect(found.source).toBe('bundled');
    expect(m.unpackBundled).toHaveBeenCalledTimes(1);
  });

  it('SELFHEAL_BROWSER=system never falls back to the bundled one', async () => {
    const m = machine([]);
    const error = await failure(m.find({ SELFHEAL_BROWSER: 'system' }));
    expect(error.message).toMatch(/no Chrome\/Chromium on the usual paths/);
    expect(error.message).toContain('apt-get install chromium');
    expect(error.message).toContain('CHROMIUM_PATH');
    expect(m.unpackBundled).not.toHaveBeenCalled();
  });

  it('a CHROMIUM_PATH that is not an executable is an error, not a silent fallback', async () => {
    const m = machine(['/usr/bin/chromium']);
    const error = await failure(m.find({ CHROMIUM_PATH: '/nope/chrome' }));
    expect(error.message).toBe(
      'CHROMIUM_PATH=/nope/chrome is not an executable file: point it at a Chrome/Chromium binary, or unset it',
    );
  });

  it('macOS without Chrome: one line saying what to install (the bundled one is Linux x64 only)', async () => {
    const m = machine([], { platform: 'darwin', arch: 'arm64' });
    const error = await failure(m.find({}));
    expect(error.message).toContain('Linux x64 only (this is darwin arm64)');
    expect(error.message).toContain('brew install --cask chromium');
    expect(m.unpackBundled).not.toHaveBeenCalled();
  });

  it('a bundled Chromium that fails to unpack says to run npm ci', async () => {
    const error = await failure(
      findBrowser({
        env: {},
        platform: 'linux',
        arch: 'x64',
        isExecutable: () => false,
        unpackBundled: () => Promise.reject(new Error("Cannot find package '@sparticuz/chromium'")),
      }),
    );
    expect(error.message).toContain("(Cannot find package '@sparticuz/chromium')");
    expect(error.message).toContain('run `npm ci`');
  });

  it('an unknown SELFHEAL_BROWSER names the accepted values', async () => {
    const error = await failure(machine([]).find({ SELFHEAL_BROWSER: 'firefox' }));
    expect(error.message).toBe(
      "Expected `SELFHEAL_BROWSER` to be 'bundled' or 'system' (or unset), got 'firefox'",
    );
  });
});

describe('findBrowser on this machine', () => {
  it('the bundled Chromium unpacks to an executable on Linux x64, and is refused elsewhere', async () => {
    const found = findBrowser({ env: { SELFHEAL_BROWSER: 'bundled' } });
    if (process.platform === 'linux' && process.arch === 'x64') {
      const { executablePath, source } = await found;
      expect(source).toBe('bundled');
      expect(statSync(executablePath).isFile()).toBe(true);
    } else {
      await failure(found);
    }
  });

  it('the browser suite stops with exactly one line, exit code 1, when no browser fits', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
    const run = promisify(execFile)(
      process.execPath,
      [vitest, 'run', '--config', 'vitest.browser.config.ts'],
      { cwd: root, env: { ...process.env, CHROMIUM_PATH: '/nope/chrome', SELFHEAL_BROWSER: '' } },
    );
    const error = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stdout: string; stderr: string } | undefined;
    expect(error?.code).toBe(1);
    const lines = `${error?.stdout}${error?.stderr}`.split('\n').filter((l) => l.trim());
    expect(lines).toEqual([
      'browser tests: CHROMIUM_PATH=/nope/chrome is not an executable file: point it at a Chrome/Chromium binary, or unset it',
    ]);
  });
});
