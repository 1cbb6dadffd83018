/**
 * The Chromium that the browser suite (and any end-to-end test that drives a page) launches,
 * found without downloading anything, in this order:
 *   1. `CHROMIUM_PATH`, when set;
 *   2. a system Chrome or Chromium on the usual paths;
 *   3. the headless Chromium inside the npm package `@sparticuz/chromium` (a devDependency,
 *      Linux x64 only), unpacked to the temp folder — about 5 s the first time.
 * `SELFHEAL_BROWSER=bundled` forces 3; `SELFHEAL_BROWSER=system` allows only 1 and 2.
 * When nothing fits, `findBrowser()` rejects with a {@link BrowserNotFoundError} whose
 * message is one line saying what to install.
 */
import { accessSync, constants, statSync } from 'node:fs';

/** Where the browser came from. */
export type BrowserSource = 'CHROMIUM_PATH' | 'system' | 'bundled';

/** What a launcher needs: `chromium.launch({ executablePath, args, headless: true })`. */
export interface FoundBrowser {
  executablePath: string;
  args: string[];
  source: BrowserSource;
}

/** No usable browser; `message` is one line naming what to install or set. */
export class BrowserNotFoundError extends Error {
  override readonly name = 'BrowserNotFoundError';
}

/** Flags for a headless run on a machine with a closed network. */
export const COMMON_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Flags of `@sparticuz/chromium`'s recommended list that would change what the tests
 * observe (CORS and mixed content are part of what a browser test checks), or that fight
 * Playwright's own headless switch.
 */
const DROPPED_BUNDLED_ARGS = [
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--single-process',
  "--headless='shell'",
];

/** The usual install paths of Chrome and Chromium, by platform. */
export const SYSTEM_PATHS: Readonly<Record<string, readonly string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

const INSTALL_HINT: Readonly<Record<string, string>> = {
  linux: 'e.g. apt-get install chromium',
  darwin: 'e.g. brew install --cask chromium',
  win32: 'e.g. Google Chrome',
};

/** Seams for tests; every field defaults to the real machine. */
export interface FindBrowserOptions {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: string;
  arch?: string;
  /** True when `path` is an executable file. */
  isExecutable?: (path: string) => boolean;
  /** Unpacks the bundled Chromium and returns its path and recommended flags. */
  unpackBundled?: () => Promise<{ executablePath: string; args: readonly string[] }>;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function unpackSparticuz(): Promise<{ executablePath: string; args: readonly string[] }> {
  const { default: chromium } = await import('@sparticuz/chromium');
  return { executablePath: await chromium.executablePath(), args: chromium.args };
}

/** Finds a browser (see the module comment for the order); never downloads one. */
export async function findBrowser(options: FindBrowserOptions = {}): Promise<FoundBrowser> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const mode = env.SELFHEAL_BROWSER || undefined;
  if (mode !== undefined && mode !== 'bundled' && mode !== 'system') {
    throw new BrowserNotFoundError(
      `Expected \`SELFHEAL_BROWSER\` to be 'bundled' or 'system' (or unset), got '${mode}'`,
    );
  }
  const hint = `install Chrome or Chromium (${INSTALL_HINT[platform] ?? 'e.g. Google Chrome'}) or set CHROMIUM_PATH to its executable`;

  if (mode !== 'bundled') {
    const custom = env.CHROMIUM_PATH;
    if (custom) {
      if (isExecutable(custom))
        return { executablePath: custom, args: [...COMMON_ARGS], source: 'CHROMIUM_PATH' };
      throw new BrowserNotFoundError(
        `CHROMIUM_PATH=${custom} is not an executable file: point it at a Chrome/Chromium binary, or unset it`,
      );
    }
    const system = (SYSTEM_PATHS[platform] ?? []).find(isExecutable);
    if (system) return { executablePath: system, args: [...COMMON_ARGS], source: 'system' };
    if (mode === 'system') {
      throw new BrowserNotFoundError(
        `SELFHEAL_BROWSER=system but no Chrome/Chromium on the usual paths: ${hint}, or unset SELFHEAL_BROWSER to use the bundled one`,
      );
    }
  }

  if (platform !== 'linux' || arch !== 'x64') {
    throw new BrowserNotFoundError(
      `No browser for the browser tests: the bundled @sparticuz/chromium runs on Linux x64 only (this is ${platform} ${arch}); ${hint}`,
    );
  }
  let bundled: { executablePath: string; args: readonly string[] };
  try {
    bundled = await (options.unpackBundled ?? unpackSparticuz)();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BrowserNotFoundError(
      `The bundled Chromium (devDependency @sparticuz/chromium) did not unpack (${reason}): run \`npm ci\`, or ${hint}`,
    );
  }
  const args = bundled.args.filter((arg) => !DROPPED_BUNDLED_ARGS.includes(arg));
  return {
    executablePath: bundled.executablePath,
    args: [...new Set([...args, ...COMMON_ARGS])],
    source: 'bundled',
  };
}
