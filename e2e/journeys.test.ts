import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeFriends, registerMember, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable, openTab, registerInBrowser, tokenOf } from './browser.js';

const shots = path.join(os.tmpdir(), `plaza-e2e-${process.pid}`);

describe.skipIf(!chromiumAvailable)('member journeys in Chromium', { timeout: 120_000 }, () => {
  let app: TestApp;
  let web: Browsing;

  async function openPlus(page: Page, item: string): Promise<void> {
    await page.getByTestId(TID.TOPBAR_PLUS).first().click();
    await page.getByTestId(item).click();
  }

  const bubble = (page: Page, text: string) => page.getByTestId(TID.MESSAGE_BUBBLE).filter({ hasText: text });

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true });
    buildWeb();
    app = await startApp({ dialect: 'sqlite' });
    web = await Browsing.launch(app.url);
  }, 240_000);

  afterAll(async () => {
    await web?.close();
    await app?.close();
  });

  it('two members register, become friends by ID, chat, and recall a message', async () => {
    const alice = await web.newPage({ permissions: ['microphone', 'camera'] });
    const bob = await web.newPage({ permissions: ['microphone', 'camera'] });
    await registerInBrowser(alice, 'Alice');
    const bobHandle = await registerInBrowser(bob, 'Bob');

    await openPlus(alice, TID.PLUS_ADD_CONTACT);
    await alice.getByTestId(TID.ADD_CONTACT_INPUT).fill(bobHandle);
    await alice.getByTestId(TID.ADD_CONTACT_SEARCH).click();
    await alice.getByTestId(TID.ADD_CONTACT_RESULT).waitFor();
    await alice.getByTestId(TID.ADD_CONTACT_GREETING).fill('Hi Bob, it is Alice');
    await alice.getByTestId(TID.ADD_CONTACT_ADD).click();

    await openTab(bob, TID.TAB_CONTACTS);
    await bob.getByTestId(TID.NEW_FRIENDS_ENTRY).click();
    await expect.poll(() => bob.getByText('Hi Bob, it is Alice').count()).toBeGreaterThan(0);
    await bob.getByTestId(TID.NEW_FRIEND_ACCEPT).first().click();

    await openTab(alice, TID.TAB_CONTACTS);
    await alice.getByTestId(TID.CONTACT_ROW).filter({ hasText: 'Bob' }).click();
    await alice.getByTestId(TID.PROFILE_MESSAGE).click();
    await alice.getByTestId(TID.CHAT_INPUT).fill('Hello Bob 👋');
    await alice.getByTestId(TID.CHAT_SEND).click();
    await bubble(alice, 'Hello Bob 👋').waitFor();

    await openTab(bob, TID.TAB_CHATS);
    await bob.getByTestId(TID.CONVERSATION_ROW).filter({ hasText: 'Alice' }).click();
    await bubble(bob, 'Hello Bob 👋').waitFor();
    await bob.getByTestId(TID.CHAT_INPUT).fill('Hi Alice!');
    await bob.getByTestId(TID.CHAT_SEND).click();
    await bubble(alice, 'Hi Alice!').waitFor();

    await alice.getByTestId(TID.CHAT_INPUT).fill('a secret I regret');
    await alice.getByTestId(TID.CHAT_SEND).click();
    await bubble(bob, 'a secret I regret').waitFor();
    await bubble(alice, 'a secret I regret').click({ button: 'right' });
    await alice.getByTestId(TID.MESSAGE_MENU_RECALL).click();
    await expect.poll(() => bubble(bob, 'a secret I regret').count()).toBe(0);
    await bob
      .getByTestId(TID.MESSAGE_BUBBLE)
      .filter({ hasText: /recalled/i })
      .first()
      .waitFor();
    await alice.screenshot({ path: path.join(shots, 'chat-alice.png') });
  });

  it('adds a friend by scanning their QR code from an uploaded picture', async () => {
    const dana = await web.newPage({ permissions: ['microphone', 'camera'] });
    const danaHandle = await registerInBrowser(dana, 'Dana');
    const erin = await web.newPage({ permissions: ['microphone', 'camera'] });
    await registerInBrowser(erin, 'Erin');

    await openTab(dana, TID.TAB_ME);
    await dana.getByTestId(TID.ME_QR_BUTTON).click();
    const qr = dana.getByTestId(TID.MY_QR_IMAGE);
    await qr.waitFor();
    const qrFile = path.join(shots, 'dana-qr.png');
    await qr.screenshot({ path: qrFile });

    await openPlus(erin, TID.PLUS_SCAN);
    await erin.getByTestId(TID.SCAN_UPLOAD_INPUT).setInputFiles(qrFile);
    await erin.getByTestId(TID.PROFILE_ADD).click();
    await erin.getByRole('button', { name: 'Send', exact: true }).click();

    const danaApi = api(app, await tokenOf(dana));
    const incomingFrom = async () => {
      const requests = await danaApi.get('/api/v1/friend-requests');
      return requests.body.requests.find((r: { direction: string }) => r.direction === 'incoming')?.from.displayName;
    };
    await expect.poll(incomingFrom, { timeout: 15_000 }).toBe('Erin');
    const me = await danaApi.get('/api/v1/me');
    expect(me.body.account.handle).toBe(danaHandle);
  });

  it('signs in on the web by scanning the login QR with a signed-in device', async () => {
    const phone = await web.newPage({ permissions: ['microphone', 'camera'] });
    await registerInBrowser(phone, 'Frank');
    const desktop = await web.newPage({ viewport: { width: 1280, height: 800 }, permissions: ['microphone', 'camera'] });
    await desktop.getByTestId(TID.AUTH_TAB_QR).click();
    const qr = desktop.getByTestId(TID.QR_LOGIN_IMAGE);
    await qr.waitFor();
    const qrFile = path.join(shots, 'login-qr.png');
    await qr.screenshot({ path: qrFile });

    await openPlus(phone, TID.PLUS_SCAN);
    await phone.getByTestId(TID.SCAN_UPLOAD_INPUT).setInputFiles(qrFile);
    await desktop.locator(`[data-testid="${TID.QR_LOGIN_STATUS}"][data-status="scanned"]`).waitFor();
    await phone.getByTestId(TID.LOGIN_CONFIRM).click();
    await desktop.getByTestId(TID.TAB_ME).waitFor();
    await openTab(desktop, TID.TAB_ME);
    await expect.poll(() => desktop.getByText('Frank').count()).toBeGreaterThan(0);
    await desktop.screenshot({ path: path.join(shots, 'desktop-after-qr-login.png') });
  });

  it('runs a group of three with a mention, a voice message and an image', async () => {
    const owner = await web.newPage({ permissions: ['microphone', 'camera'] });
    const ownerHandle = await registerInBrowser(owner, 'Grace');
    const ownerToken = await tokenOf(owner);
    const ownerMember = {
      id: (await api(app, ownerToken).get('/api/v1/me')).body.account.id,
      handle: ownerHandle,
      token: ownerToken,
      http: api(app, ownerToken),
    };
    const heidi = await registerMember(app, 'Heidi');
    const ivan = await registerMember(app, 'Ivan');
    await makeFriends(ownerMember, heidi);
    await makeFriends(ownerMember, ivan);
    await owner.reload();

    await openPlus(owner, TID.PLUS_NEW_GROUP);
    await owner.locator(`[data-testid="${TID.GROUP_MEMBER_CHECKBOX}"][data-account-id="${heidi.id}"]`).click();
    await owner.locator(`[data-testid="${TID.GROUP_MEMBER_CHECKBOX}"][data-account-id="${ivan.id}"]`).click();
    await owner.getByTestId(TID.GROUP_CREATE_BUTTON).click();
    await owner.getByTestId(TID.CHAT_INPUT).waitFor();

    await owner.getByTestId(TID.CHAT_INPUT).pressSequentially('@');
    await owner.locator(`[data-testid="${TID.MENTION_OPTION}"][data-account-id="${heidi.id}"]`).click();
    await owner.getByTestId(TID.CHAT_INPUT).pressSequentially(' lunch at noon?');
    await owner.getByTestId(TID.CHAT_SEND).click();
    await bubble(owner, 'lunch at noon?').waitFor();

    // Hold to talk: the fake microphone records about two seconds, released to send.
    await owner.getByTestId(TID.CHAT_VOICE_TOGGLE).click();
    const talk = owner.getByTestId(TID.CHAT_HOLD_TO_TALK);
    const box = await talk.boundingBox();
    if (!box) throw new Error('hold-to-talk button has no box');
    await owner.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await owner.mouse.down();
    await owner.waitForTimeout(2000);
    await owner.mouse.up();
    await owner.locator(`[data-testid="${TID.MESSAGE_BUBBLE}"][data-type="voice"][data-status="sent"]`).first().waitFor();
    await owner.getByTestId(TID.CHAT_VOICE_TOGGLE).click();

    const photo = path.join(shots, 'photo.png');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 7, g: 163, b: 90 } } })
      .png()
      .toFile(photo);
    await owner.getByTestId(TID.CHAT_PLUS_BUTTON).click();
    await owner.getByTestId(TID.ATTACH_IMAGE_INPUT).setInputFiles(photo);
    await owner.locator(`[data-testid="${TID.MESSAGE_BUBBLE}"] img`).first().waitFor();

    const conversations = await heidi.http.get('/api/v1/conversations');
    const group = conversations.body.conversations.find((c: { kind: string }) => c.kind === 'group');
    expect(group.memberCount).toBe(3);
    const messages = async () =>
      (await heidi.http.get(`/api/v1/conversations/${group.id}/messages?afterSeq=0`)).body.messages as {
        type: string;
        text?: string;
        content: { mentions?: string[] };
      }[];
    await expect.poll(async () => (await messages()).some((m) => m.type === 'image'), { timeout: 15_000 }).toBe(true);
    const voice = (await messages()).find((m) => m.type === 'voice') as unknown as { content: { media: { mime: string; sizeBytes: number } } };
    expect(voice.content.media.mime).toMatch(/webm|ogg/);
    expect(voice.content.media.sizeBytes).toBeGreaterThan(1000);
    const mention = (await messages()).find((m) => m.type === 'text' && m.text?.includes('lunch at noon?'));
    expect(mention?.content.mentions).toEqual([heidi.id]);
    await owner.screenshot({ path: path.join(shots, 'group.png') });
  });
});
