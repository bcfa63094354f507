// Drives the main member journeys through the real web client, using the data-testids in
// src/testids.ts: register two members, add a friend and accept, chat live, send a photo, recall,
// create a group with @All, show My QR code, scan a code from a picture, and log in by QR.
// Run against a dev server (npx vite) proxying to a running Plaza server:
//   node apps/web/e2e/journeys.mjs     (PLAZA_WEB_URL, CHROMIUM_PATH override the defaults)
import { chromium } from 'playwright-core';
import QRCode from 'qrcode';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const BASE = process.env.PLAZA_WEB_URL ?? 'http://127.0.0.1:5173';
const dir = mkdtempSync(join(tmpdir(), 'plaza-journeys-'));
const browser = await chromium.launch({executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args:['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--use-fake-ui-for-media-stream','--use-fake-device-for-media-stream']});
const errors = [];
async function newUser(handle, name) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 780 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(handle + ': ' + e));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(handle + ': ' + m.text()); });
  await page.goto(BASE + '/');
  await page.click('[data-testid=auth-tab-register]');
  await page.fill('[data-testid=register-handle]', handle);
  await page.fill('[data-testid=register-display-name]', name);
  await page.fill('[data-testid=register-password]', 'secret123');
  await page.click('[data-testid=register-submit]');
  await page.waitForSelector('[data-testid=tab-chats]');
  return page;
}
const s = Date.now().toString(36).slice(-5);
const a = await newUser('ea' + s, 'Erin');
const b = await newUser('eb' + s, 'Frank');
// a adds b
await a.click('[data-testid=topbar-plus]');
await a.click('[data-testid=plus-add-contact]');
await a.fill('[data-testid=add-contact-input]', 'eb' + s);
await a.click('[data-testid=add-contact-search]');
await a.click('[data-testid=add-contact-add]');
await a.waitForTimeout(500);
// b accepts
await b.click('[data-testid=tab-contacts]');
await b.click('[data-testid=new-friends-entry]');
await b.click('[data-testid=new-friend-accept]');
await b.waitForTimeout(800);
await b.goto(BASE + '/contacts');
await b.click('[data-testid=contact-row]');
await b.click('[data-testid=profile-message]');
await b.fill('[data-testid=chat-input]', 'hi Erin');
await b.click('[data-testid=chat-send]');
await b.waitForSelector('[data-testid=message-bubble][data-status=sent]');
// a sees it live
await a.click('[data-testid=tab-chats]').catch(() => {});
await a.goto(BASE + '/chats');
await a.waitForSelector('[data-testid=conversation-row]', { timeout: 5000 });
await a.click('[data-testid=conversation-row]');
await a.waitForSelector('[data-testid=message-bubble]:has-text("hi Erin")');
// image
const png = Buffer.from((await QRCode.toDataURL('plaza://user/eb' + s, { width: 300 })).split(',')[1], 'base64');
writeFileSync(join(dir, 'qr.png'), png);
await a.setInputFiles('[data-testid=attach-image-input]', join(dir, 'qr.png'));
await a.waitForSelector('[data-testid=message-bubble][data-type=image][data-status=sent]', { timeout: 5000 });
// live on b
await b.waitForSelector('[data-testid=message-bubble][data-type=image]', { timeout: 5000 });
// recall
await a.fill('[data-testid=chat-input]', 'oops');
await a.click('[data-testid=chat-send]');
await a.waitForTimeout(600);
await a.locator('[data-testid=message-bubble]').last().click({ button: 'right' });
await a.click('[data-testid=message-menu-recall]');
await a.waitForSelector('[data-type=recalled]');
await b.waitForSelector('[data-type=recalled]', { timeout: 5000 });
// group
await a.goto(BASE + '/chats');
await a.click('[data-testid=topbar-plus]');
await a.click('[data-testid=plus-new-group]');
await a.click('[data-testid=group-member-checkbox]');
await a.click('[data-testid=group-create-button]');
await a.waitForURL(/\/chats\/\d+/);
await a.fill('[data-testid=chat-input]', 'welcome @');
await a.waitForTimeout(400);
await a.click('[data-testid=mention-option][data-account-id=all]');
await a.click('[data-testid=chat-send]');
await a.waitForTimeout(600);
// my QR + scan upload
await a.goto(BASE + '/me/qr');
await a.waitForSelector('[data-testid=my-qr-image]');
await a.goto(BASE + '/scan');
await a.setInputFiles('[data-testid=scan-upload-input]', join(dir, 'qr.png'));
await a.waitForURL(/\/profile\//, { timeout: 5000 });
// QR login: new context, b confirms
const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
const c = await ctx.newPage();
await c.goto(BASE + '/');
await c.click('[data-testid=auth-tab-qr]');
const qrText = await c.getAttribute('[data-testid=qr-login-image]', 'data-qr-text');
const qrPng = Buffer.from((await QRCode.toDataURL(qrText, { width: 300 })).split(',')[1], 'base64');
writeFileSync(join(dir, 'qrlogin.png'), qrPng);
await b.goto(BASE + '/scan');
await b.setInputFiles('[data-testid=scan-upload-input]', join(dir, 'qrlogin.png'));
await b.waitForSelector('[data-testid=login-confirm]');
await c.waitForSelector('[data-status=scanned]', { timeout: 5000 });
await b.click('[data-testid=login-confirm]');
await c.waitForSelector('[data-testid=tab-chats]', { timeout: 6000 });
if (errors.length) {
  console.error(errors.join('\n'));
  process.exitCode = 1;
} else console.log('journeys passed');
await browser.close();
