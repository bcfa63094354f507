import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

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
