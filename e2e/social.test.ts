import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeOperator, type Member, registerMember, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable } from './browser.js';

const shots = path.join(os.tmpdir(), `plaza-e2e-social-${process.pid}`);
// A two-second 64×48 VP8 clip (6 KB), the same one the media tests probe.
const CLIP = path.resolve(import.meta.dirname, '../apps/server/src/modules/media/testdata/clip-2s.webm');

describe.skipIf(!chromiumAvailable)('social journeys in Chromium', { timeout: 120_000 }, () => {
  let app: TestApp;
  let web: Browsing;

  async function open(page: Page, route: string): Promise<void> {
    await page.goto(app.url + route);
  }

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true });
    buildWeb();
    // Two followers are enough to apply for creator verification here (1,000 by default).
    app = await startApp({ dialect: 'sqlite', env: { CHANNELS_VERIFY_MIN_FOLLOWERS: '2' } });
    web = await Browsing.launch(app.url);
  }, 240_000);

  afterAll(async () => {
    await web?.close();
    await app?.close();
  });

  it('posts a Moment with photos; a friend comments; a friend of the poster who is not the commenter’s friend does not see it', async () => {
    const alice = await registerMember(app, 'Alice');
    const bob = await registerMember(app, 'Bob');
    const carol = await registerMember(app, 'Carol');
    await makeFriends(alice, bob);
    await makeFriends(alice, carol);

    const photos = [0, 1].map((i) => path.join(shots, `moment-${i}.png`));
    for (const [i, file] of photos.entries())
      await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 40 + 100 * i, g: 120, b: 200 } } })
        .png()
        .toFile(file);

    const alicePage = await web.signIn(alice);
    await open(alicePage, '/discover/moments');
    await alicePage.getByTestId(TID.MOMENT_COMPOSE).click();
    await alicePage.getByTestId(TID.MOMENT_TEXT).locator('textarea:not([readonly])').fill('Spring in the park');
    await alicePage.locator('.moment-compose input[type="file"]').setInputFiles(photos);
    await expect.poll(() => alicePage.locator('.moment-compose .adm-image-uploader-cell img').count()).toBe(2);
    await expect.poll(() => alicePage.locator('.moment-compose .adm-image-uploader-cell-loading').count()).toBe(0);
    await alicePage.getByTestId(TID.MOMENT_PUBLISH).click();
    const alicePost = alicePage.getByTestId(TID.MOMENT_POST).filter({ hasText: 'Spring in the park' });
    await expect.poll(() => alicePost.locator('.moment-photos img').count()).toBe(2);

    const bobPage = await web.signIn(bob);
    await open(bobPage, '/discover/moments');
    const bobSees = bobPage.getByTestId(TID.MOMENT_POST).filter({ hasText: 'Spring in the park' });
    await bobSees.getByTestId(TID.MOMENT_MENU).click();
    await bobSees.getByTestId(TID.MOMENT_COMMENT_ACTION).click();
    await bobSees.getByTestId(TID.MOMENT_COMMENT_INPUT).locator('input').fill('Lovely light!');
    await bobSees.getByTestId(TID.MOMENT_COMMENT_INPUT).locator('input').press('Enter');
    await bobSees.getByTestId(TID.MOMENT_COMMENT).filter({ hasText: 'Lovely light!' }).waitFor();

    // The poster sees the comment of a friend.
    await alicePage.reload();
    await alicePage
      .getByTestId(TID.MOMENT_POST)
      .filter({ hasText: 'Spring in the park' })
      .getByTestId(TID.MOMENT_COMMENT)
      .filter({ hasText: 'Lovely light!' })
      .waitFor();

    // …and hears of it under the bell.
    await alicePage.getByTestId(TID.MOMENT_NOTIFICATIONS).click();
    await alicePage.getByTestId(TID.MOMENT_NOTIFICATION).filter({ hasText: 'Lovely light!' }).waitFor();

    // Carol is Alice's friend but not Bob's: she sees the post and its photos, not Bob's comment.
    const carolPage = await web.signIn(carol);
    await open(carolPage, '/discover/moments');
    const carolSees = carolPage.getByTestId(TID.MOMENT_POST).filter({ hasText: 'Spring in the park' });
    await expect.poll(() => carolSees.locator('.moment-photos img').count()).toBe(2);
    expect(await carolSees.getByTestId(TID.MOMENT_COMMENT).count()).toBe(0);
    expect(await carolPage.getByText('Lovely light!').count()).toBe(0);
    const carolApi = (await carol.http.get('/api/v1/moments/timeline')).body.posts[0];
    expect(carolApi).toMatchObject({ text: 'Spring in the park', comments: [] });
    await carolPage.screenshot({ path: path.join(shots, 'moments-carol.png') });
    await bobPage.screenshot({ path: path.join(shots, 'moments-bob.png') });
  });

  it('publishes a Channel video with a poster frame from the browser and streams it by range', async () => {
    const dave = await registerMember(app, 'Dave');
    const page = await web.signIn(dave);
    await open(page, '/discover/channels');
    await page.getByTestId(TID.CHANNEL_PUBLISH_OPEN).click();
    await page.getByTestId(TID.CHANNEL_NAME_INPUT).locator('input').fill('Dave cooks');
    await page.getByTestId(TID.CHANNEL_CAPTION_INPUT).locator('textarea:not([readonly])').fill('Two seconds of test pattern');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId(TID.CHANNEL_PICK_VIDEO).click();
    await (await chooser).setFiles(CLIP);
    await page.getByTestId(TID.CHANNEL_VIDEO_READY).waitFor();
    await page.getByTestId(TID.CHANNEL_PUBLISH).click();

    const post = page.getByTestId(TID.CHANNEL_POST).filter({ hasText: 'Two seconds of test pattern' });
    const video = post.getByTestId(TID.CHANNEL_VIDEO);
    await video.waitFor();
    await expect.poll(() => video.getAttribute('poster')).toMatch(/^blob:/);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.videoWidth)).toBe(64);
    // The player streams from a signed URL by itself (no whole-file download into a blob first).
    expect(await video.evaluate((v: HTMLVideoElement) => new URL(v.currentSrc).pathname)).toMatch(/^\/api\/v1\/media\/[0-9]+\/stream$/);

    const published = (await dave.http.get('/api/v1/channels/mine')).body.channel;
    const posts = (await dave.http.get(`/api/v1/channels/${published.id}/posts`)).body.posts;
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ kind: 'video', caption: 'Two seconds of test pattern' });
    const media = posts[0].media[0];
    expect(media).toMatchObject({ mime: 'video/webm', durationMs: 2000, width: 64, height: 48, thumbUrl: `/api/v1/media/${media.id}/thumb` });
    const poster = await fetch(app.url + media.thumbUrl, { headers: { authorization: `Bearer ${dave.token}` } });
    expect((await sharp(Buffer.from(await poster.arrayBuffer())).metadata()).width).toBe(64);
    const ranged = await fetch(app.url + media.url, { headers: { authorization: `Bearer ${dave.token}`, range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).readUInt32BE(0)).toBe(0x1a45dfa3);
    await page.screenshot({ path: path.join(shots, 'channel-video.png') });
  });

  it('verifies a creator through the operator console, A/B tests a caption, and shares the post into a chat', async () => {
    const erin = await registerMember(app, 'Erin');
    const olga = await registerMember(app, 'Olga');
    const fans = [await registerMember(app, 'Fan A'), await registerMember(app, 'Fan B')];
    await makeOperator(app, olga);
    await makeFriends(fans[0] as Member, fans[1] as Member);
    await erin.http.post('/api/v1/channels', { name: 'Erin bakes' });
    const channel = (await erin.http.get('/api/v1/channels/mine')).body.channel;
    for (const fan of fans) await fan.http.put(`/api/v1/channels/${channel.id}/follow`, {});
    const photo = path.join(shots, 'bread.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 150, b: 60 } } })
      .png()
      .toFile(photo);
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(fs.readFileSync(photo))], { type: 'image/png' }), 'bread.png');
    const uploaded = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${erin.token}` }, body: form });
    const photoId = ((await uploaded.json()) as { media: { id: string } }).media.id;
    const postId = (await erin.http.post('/api/v1/channel-posts', { caption: 'Sourdough', photoMediaIds: [photoId] })).body.post.id;

    // Erin applies with a link and a follower count elsewhere.
    const erinPage = await web.signIn(erin);
    await open(erinPage, '/discover/channels');
    await erinPage.getByTestId(TID.CHANNEL_MINE_OPEN).click();
    await erinPage.getByPlaceholder('Links to your work elsewhere, one per line').fill('https://bakes.example/erin');
    await erinPage.getByPlaceholder('Followers elsewhere, one per line, e.g. "Weibo: 52000"').fill('Elsewhere: 12000');
    await erinPage.getByTestId(TID.CHANNEL_VERIFY_APPLY).click();
    await expect.poll(() => erinPage.getByTestId(TID.CHANNEL_VERIFY_STATUS).getAttribute('data-status')).toBe('pending');

    // Olga approves it in the operator console.
    const olgaPage = await web.signIn(olga);
    await open(olgaPage, '/operator');
    await olgaPage.getByTestId('operator-section-creator-verification').click();
    const row = olgaPage.getByTestId(TID.CHANNEL_REVIEW_ROW).filter({ hasText: 'Erin bakes' });
    await row.getByText('Elsewhere: 12,000').waitFor();
    await olgaPage.screenshot({ path: path.join(shots, 'operator-review.png') });
    await row.getByTestId(TID.CHANNEL_REVIEW_APPROVE).click();
    await expect.poll(() => row.count()).toBe(0);
    await erinPage.reload();
    await expect.poll(() => erinPage.getByTestId(TID.CHANNEL_VERIFY_STATUS).getAttribute('data-status')).toBe('verified');

    // Erin starts an A/B test of two captions on her post.
    await open(erinPage, `/discover/channels/posts/${postId}`);
    await erinPage.getByTestId(TID.CHANNEL_VERIFIED_BADGE).first().waitFor();
    await erinPage.locator('.channel-variant textarea:not([readonly])').nth(1).fill('Sourdough, 36 hours in the making');
    await erinPage.getByTestId(TID.CHANNEL_EXPERIMENT_START).click();
    await erinPage.locator(`[data-testid="${TID.CHANNEL_EXPERIMENT_REPORT}"][data-status="running"]`).waitFor();

    // Each fan sees the caption their hash picks, with the badge; both count as impressions.
    const experiment = (await erin.http.get(`/api/v1/channel-posts/${postId}/experiments`)).body.experiments[0];
    const fanPage = await web.signIn(fans[0] as Member);
    await open(fanPage, `/discover/channels/posts/${postId}`);
    const expected = (await fans[0]?.http.get(`/api/v1/channel-posts/${postId}`))?.body.post.caption;
    await expect.poll(() => fanPage.getByTestId(TID.CHANNEL_POST_CAPTION).textContent()).toBe(expected);
    await fanPage.getByTestId(TID.CHANNEL_VERIFIED_BADGE).first().waitFor();
    await expect
      .poll(async () =>
        (await erin.http.get(`/api/v1/channel-experiments/${experiment.id}`)).body.experiment.variants.reduce(
          (n: number, v: { impressions: number }) => n + v.impressions,
          0,
        ),
      )
      .toBe(1);

    // The channel page shows the badge; the fan unfollows and follows again from there.
    await fanPage.getByTestId(TID.CHANNEL_OPEN).first().click();
    const header = fanPage.getByTestId(TID.CHANNEL_HEADER);
    await header.getByTestId(TID.CHANNEL_VERIFIED_BADGE).waitFor();
    await header.getByTestId(TID.CHANNEL_FOLLOW_TOGGLE).filter({ hasText: 'Unfollow' }).click();
    await expect.poll(async () => (await erin.http.get('/api/v1/channels/mine')).body.channel.followerCount).toBe(1);
    await header
      .getByTestId(TID.CHANNEL_FOLLOW_TOGGLE)
      .filter({ hasText: /^Follow$/ })
      .click();
    await expect.poll(async () => (await erin.http.get('/api/v1/channels/mine')).body.channel.followerCount).toBe(2);
    await fanPage.goBack();

    // The fan shares the post into a chat with the other fan, who opens the card.
    const conversation = (await fans[0]?.http.post('/api/v1/conversations', { kind: 'direct', peerId: fans[1]?.id }))?.body.conversation.id;
    await fanPage.reload();
    await fanPage.getByTestId(TID.CHANNEL_SHARE).first().click();
    await fanPage.getByText('Send to chat').click();
    await fanPage.locator(`[data-testid="${TID.CHANNEL_SHARE_TARGET}"][data-conversation-id="${conversation}"]`).click();
    await fanPage.getByTestId(TID.CHANNEL_SHARE_CONFIRM).click();
    const otherPage = await web.signIn(fans[1] as Member);
    await open(otherPage, `/chats/${conversation}`);
    const card = otherPage.getByTestId(TID.CHANNEL_CARD_MESSAGE).filter({ hasText: 'Erin bakes' });
    await card.click();
    await otherPage.waitForURL(`**/discover/channels/posts/${postId}`);
    await otherPage.getByTestId(TID.CHANNEL_POST).waitFor();

    // Erin promotes variant B; everyone sees its caption and the test has ended.
    await erinPage.reload();
    await erinPage.getByTestId(TID.CHANNEL_EXPERIMENT_REPORT).locator('canvas').first().waitFor();
    await erinPage.screenshot({ path: path.join(shots, 'ab-report.png'), fullPage: true });
    await erinPage.getByTestId(TID.CHANNEL_EXPERIMENT_PROMOTE).nth(1).click();
    await erinPage.locator(`[data-testid="${TID.CHANNEL_EXPERIMENT_REPORT}"][data-status="promoted"]`).waitFor();
    await otherPage.reload();
    await expect.poll(() => otherPage.getByTestId(TID.CHANNEL_POST_CAPTION).textContent()).toBe('Sourdough, 36 hours in the making');
  });
});
