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

/** Builds the web client once per run so the journeys test the code in this tree. */
export function buildWeb(): void {
  execFileSync('npm', ['run', 'build', '-w', '@plaza/web'], { cwd: path.resolve(import.meta.dirname, '..'), stdio: 'pipe', timeout: 180_000 });
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
