// A real headless browser for tests: Debian's Chromium (installed when missing and the tests run as root, else the
// test fails naming the package), driven by puppeteer-core, which downloads no browser of its own.

import { execFileSync } from 'node:child_process';
import { ensureDebianPackage, onPath } from './debian';

// The few puppeteer-core calls the tests make. Declared here rather than imported so the build does not need the
// package's type declarations; a missing package fails at run time, loudly, in launchBrowser.
export interface Page {
  goto(url: string): Promise<unknown>;
  setViewport(viewport: { width: number; height: number }): Promise<void>;
  on(event: 'pageerror' | 'console', handler: (value: any) => void): unknown;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  waitForFunction<A extends unknown[]>(fn: (...args: A) => boolean, options: { timeout: number }, ...args: A): Promise<unknown>;
  evaluate<T, A extends unknown[]>(fn: (...args: A) => T, ...args: A): Promise<T>;
  waitForResponse(predicate: (response: Response) => boolean, options: { timeout: number }): Promise<Response>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}

export interface Response {
  url(): string;
  status(): number;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

interface Puppeteer {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser>;
}

export async function launchBrowser(): Promise<Browser> {
  ensureDebianPackage('chromium', () => onPath('chromium'), 'Chromium, a headless browser');
  let puppeteer: Puppeteer;
  try {
    puppeteer = require('puppeteer-core') as Puppeteer;
  } catch (e) {
    throw new Error(`this test needs the npm package puppeteer-core (a devDependency): run npm install (${(e as Error).message})`);
  }
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  return puppeteer.launch({
    executablePath,
    headless: true,
    // --no-sandbox: Chromium's sandbox refuses to run as root, as tests in containers do.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
