import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { dialects, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';

async function uploadImage(app: TestApp, member: Member, kind = 'image'): Promise<string> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 0, g: 90, b: 200 } } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('kind', kind);
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'proof.png');
  const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
  return ((await response.json()) as { media: { id: string } }).media.id;
}

it('asks for 1,000 followers before a channel may apply, unless configured otherwise', () => {
  expect(loadConfig({}).channels.verifyMinFollowers).toBe(1000);
  expect(loadConfig({ CHANNELS_VERIFY_MIN_FOLLOWERS: '50' }).channels.verifyMinFollowers).toBe(50);
});

describe.each(dialects)('creator verification on %s', (dialect) => {
  let app: TestApp;
  let creator: Member;
  let fans: Member[];
  let reviewer: Member;
  let channelId: string;
  beforeAll(async () => {
    app = await startApp({ dialect, env: { CHANNELS_VERIFY_MIN_FOLLOWERS: '2' } });
    creator = await registerMember(app, 'Creator');
    reviewer = await registerMember(app, 'Reviewer');
    fans = [await registerMember(app, 'Fan one'), await registerMember(app, 'Fan two')];
    await makeOperator(app, reviewer);
    channelId = (await creator.http.post('/api/v1/channels', { name: 'Noodles' })).body.channel.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  const proof = { links: ['https://video.example/noodles'], followerCounts: [{ platform: 'Elsewhere', count: 52000 }] };

  it('turns away a channel below the follower rule and says how far it is', async () => {
    expect((await fans[0]?.http.post('/api/v1/channels/mine/verification', proof))?.body.error.code).toBe('CHANNELS_NO_CHANNEL');
    const mine = await creator.http.get('/api/v1/channels/mine/verification');
    expect(mine.body).toMatchObject({ eligibility: { minFollowers: 2, followerCount: 0, eligible: false }, verified: false, application: null });
    const refused = await creator.http.post('/api/v1/channels/mine/verification', proof);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'CHANNELS_NOT_ELIGIBLE', message: expect.stringContaining('at least 2 followers') });
    for (const fan of fans) await fan.http.put(`/api/v1/channels/${channelId}/follow`, {});
    expect((await creator.http.get('/api/v1/channels/mine/verification')).body.eligibility).toMatchObject({ followerCount: 2, eligible: true });
  });

  it('takes proof of links, follower counts and the applicant’s own documents, one application at a time', async () => {
    expect((await creator.http.post('/api/v1/channels/mine/verification', {})).body.error.code).toBe('CHANNELS_INVALID_PROOF');
    const stolen = await uploadImage(app, fans[0] as Member);
    expect((await creator.http.post('/api/v1/channels/mine/verification', { documentMediaIds: [stolen] })).body.error.code).toBe('MEDIA_FORBIDDEN');
    const document = await uploadImage(app, creator, 'file');
    const applied = await creator.http.post('/api/v1/channels/mine/verification', { ...proof, documentMediaIds: [document], statement: 'Cooking daily' });
    expect(applied.status).toBe(201);
    expect(applied.body.application).toMatchObject({
      status: 'pending',
      followerCountAtApply: 2,
      proof: { links: proof.links, followerCounts: proof.followerCounts, documentMediaIds: [document], statement: 'Cooking daily' },
    });
    expect(applied.body.application.proof.documents[0]).toMatchObject({ id: document, kind: 'file' });
    expect((await creator.http.post('/api/v1/channels/mine/verification', proof)).body.error.code).toBe('CHANNELS_VERIFICATION_PENDING');
  });

  it('lets only operators review, and shows them the documents', async () => {
    expect((await creator.http.get('/api/v1/operator/channel-verifications')).status).toBe(403);
    const queue = (await reviewer.http.get('/api/v1/operator/channel-verifications?status=pending')).body;
    expect(queue.applications).toHaveLength(1);
    expect(queue.applications[0].channel).toMatchObject({ id: channelId, name: 'Noodles', followerCount: 2 });
    const documentUrl = queue.applications[0].proof.documents[0].url;
    expect((await fetch(app.url + documentUrl, { headers: { authorization: `Bearer ${reviewer.token}` } })).status).toBe(200);
    expect((await fetch(app.url + documentUrl, { headers: { authorization: `Bearer ${fans[1]?.token}` } })).status).toBe(404);
  });

  it('records a rejection with its note and tells the applicant; a decided application stays decided', async () => {
    const pending = (await reviewer.http.get('/api/v1/operator/channel-verifications')).body.applications[0];
    const rejected = await reviewer.http.post(`/api/v1/operator/channel-verifications/${pending.id}/decision`, {
      approve: false,
      note: 'Add a link to your profile',
    });
    expect(rejected.body.application).toMatchObject({ status: 'rejected', note: 'Add a link to your profile' });
    expect((await reviewer.http.post(`/api/v1/operator/channel-verifications/${pending.id}/decision`, { approve: true })).body.error.code).toBe(
      'CHANNELS_VERIFICATION_CLOSED',
    );
    expect((await creator.http.get(`/api/v1/channels/${channelId}`)).body.channel.verified).toBe(false);
    const events = (await creator.http.get('/api/v1/sync?afterSeq=0&limit=500')).body.events as { type: string; status: string; note: string }[];
    expect(events.filter((e) => e.type === 'channel.verification').map((e) => [e.status, e.note])).toEqual([['rejected', 'Add a link to your profile']]);
    expect((await reviewer.http.get('/api/v1/operator/channel-verifications?status=rejected')).body.applications).toHaveLength(1);
    expect((await reviewer.http.get('/api/v1/operator/channel-verifications?status=pending')).body.applications).toHaveLength(0);
  });

  it('verifies an approved channel: the badge shows on the channel and its posts', async () => {
    const again = (await creator.http.post('/api/v1/channels/mine/verification', proof)).body.application;
    await reviewer.http.post(`/api/v1/operator/channel-verifications/${again.id}/decision`, { approve: true });
    const channel = (await fans[0]?.http.get(`/api/v1/channels/${channelId}`))?.body.channel;
    expect(channel).toMatchObject({ verified: true, verifiedAt: expect.any(String) });
    const photo = await uploadImage(app, creator);
    const post = (await creator.http.post('/api/v1/channel-posts', { caption: 'Verified noodles', photoMediaIds: [photo] })).body.post;
    expect(post.channel).toMatchObject({ name: 'Noodles', verified: true });
    const feed = (await fans[0]?.http.get('/api/v1/channels/feed?kind=following'))?.body.posts;
    expect(feed[0].channel.verified).toBe(true);
    expect((await creator.http.post('/api/v1/channels/mine/verification', proof)).body.error.code).toBe('CHANNELS_ALREADY_VERIFIED');
    expect((await creator.http.get('/api/v1/channels/mine/verification')).body).toMatchObject({ verified: true, application: { status: 'approved' } });
  });
});
