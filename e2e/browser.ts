import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { uniqueHandle } from '../apps/server/src/test/harness.js';
import { TID } from '../apps/web/src/testids.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const inCi = process.env.CI === 'true' || process.env.CI === '1';

export const chromiumAvailable = (() => {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (inCi) throw new Error(`Chromium is required in CI but ${CHROMIUM_PATH} is missing`);
  console.warn(`[plaza e2e] ${CHROMIUM_PATH} missing, skipping browser journeys`);
  return false;
})();

export const WEB_DIST = path.resolve(import.meta.dirname, '../apps/web/dist');

/**
 * Builds the web client once per test run so the journeys test the code in this tree. Journey
 * files run in parallel worker processes of one Vitest run (same parent pid): the first takes a
 * lock directory and builds, the others wait for its stamp instead of building over it.
 */
export function buildWeb(): void {
  const stamp = path.join(WEB_DIST, `.built-for-${process.ppid}`);
  const lock = path.resolve(WEB_DIST, `../.web-build-lock-${process.ppid}`);
  const deadline = Date.now() + 240_000;
  while (!fs.existsSync(stamp)) {
    try {
      fs.mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to build the web client');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      continue;
    }
    try {
      execFileSync('npm', ['run', 'build', '-w', '@plaza/web'], { cwd: path.resolve(import.meta.dirname, '..'), stdio: 'pipe', timeout: 180_000 });
      fs.writeFileSync(stamp, new Date().toISOString());
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // A fake microphone and camera (a tone and a test pattern) with no permission prompt, so the
    // voice-message journey records real audio through MediaRecorder.
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** The password harness.registerMember gives every member, typed into the login form here. */
export const PASSWORD = 'correct horse battery';

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** e.g. ['microphone', 'camera'] for the voice and video journeys. */
  permissions?: string[];
}

/**
 * One Chromium for a journey file, and a browser context per member (own storage, own session),
 * as each member on their own phone. `close` ends them all.
 */
export class Browsing {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly url: string,
  ) {}

  static async launch(url: string): Promise<Browsing> {
    return new Browsing(await launchChromium(), url);
  }

  /** A fresh page on the app's start screen, in a context of its own. */
  async newPage(options: PageOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: options.viewport ?? { width: 420, height: 860 },
      locale: 'en-US',
      permissions: options.permissions,
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => console.error('[e2e] page error:', error.message));
    await page.goto(this.url);
    return page;
  }

  /** A member registered through the API, signed in on a fresh page with the login form. */
  async signIn(member: { handle: string }): Promise<Page> {
    const page = await this.newPage();
    await page.getByTestId(TID.AUTH_TAB_LOGIN).click();
    await page.getByTestId(TID.LOGIN_HANDLE).fill(member.handle);
    await page.getByTestId(TID.LOGIN_PASSWORD).fill(PASSWORD);
    await page.getByTestId(TID.LOGIN_SUBMIT).click();
    await page.getByTestId(TID.TAB_CHATS).waitFor();
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.browser.close();
  }
}

/** Registers a new member with the registration form on `page` (at the start screen); answers the handle. */
export async function registerInBrowser(page: Page, displayName: string): Promise<string> {
  const handle = uniqueHandle(displayName.toLowerCase());
  await page.getByTestId(TID.AUTH_TAB_REGISTER).click();
  await page.getByTestId(TID.REGISTER_HANDLE).fill(handle);
  await page.getByTestId(TID.REGISTER_DISPLAY_NAME).fill(displayName);
  await page.getByTestId(TID.REGISTER_PASSWORD).fill(PASSWORD);
  await page.getByTestId(TID.REGISTER_SUBMIT).click();
  await page.getByTestId(TID.TAB_CHATS).waitFor();
  return handle;
}

/** Opens a bottom tab, first leaving any sub-page (which hides the tab bar) the way a member would: back. */
export async function openTab(page: Page, tab: string): Promise<void> {
  for (let i = 0; i < 6 && !(await page.getByTestId(tab).isVisible()); i++) await page.goBack();
  await page.getByTestId(tab).click();
}

/** The session token the client keeps in localStorage. */
export async function tokenOf(page: Page): Promise<string> {
  const token = await page.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) ?? '';
      const value = localStorage.getItem(key) ?? '';
      if (value.startsWith('plz_')) return value;
      const match = /"(plz_[A-Za-z0-9_-]+)"/.exec(value);
      if (match) return match[1];
    }
    return null;
  });
  if (!token) throw new Error('no session token in localStorage');
  return token;
}
