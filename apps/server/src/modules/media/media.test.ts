import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';

async function upload(app: TestApp, member: Member, kind: string, data: Buffer, fileName: string, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('kind', kind);
  form.append('file', new Blob([new Uint8Array(data)], { type }), fileName);
  const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
  return { status: response.status, body: (await response.json()) as any };
}

describe.each(dialects)('media on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let eve: Member;
  let png: Buffer;
  beforeAll(async () => {
    app = await startApp({ dialect, env: { MEDIA_MAX_IMAGE_BYTES: String(200_000) } });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    eve = await registerMember(app, 'Eve');
    await makeFriends(alice, bob);
    png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 30, b: 60 } } })
      .png()
      .toBuffer();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('stores an image with a thumbnail that only conversation members can fetch', async () => {
    const uploaded = await upload(app, alice, 'image', png, 'photo.png', 'image/png');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.media).toMatchObject({ mime: 'image/png', width: 800, height: 600 });
    const conversation = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    const sent = await alice.http.post(`/api/v1/conversations/${conversation}/messages`, {
      clientMsgId: 'img',
      type: 'image',
      mediaId: uploaded.body.media.id,
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.content.media.thumbUrl).toBe(`/api/v1/media/${uploaded.body.media.id}/thumb`);
    const get = (member: Member, url: string, headers: Record<string, string> = {}) =>
      fetch(app.url + url, { headers: { authorization: `Bearer ${member.token}`, ...headers } });
    const full = await get(bob, uploaded.body.media.url);
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).equals(png)).toBe(true);
    const thumb = await get(bob, uploaded.body.media.thumbUrl);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(320);
    expect((await get(eve, uploaded.body.media.url)).status).toBe(404);
    const partial = await get(bob, uploaded.body.media.url, { range: 'bytes=0-9' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 0-9/${png.length}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(png.subarray(0, 10))).toBe(true);
  });

  it('judges a file by its bytes, not its name', async () => {
    const before = await app.plaza.ctx.db.selectFrom('media').select('id').execute();
    const fake = await upload(app, alice, 'image', Buffer.from('#!/bin/sh\necho not an image\n'), 'cat.png', 'image/png');
    expect(fake.status).toBe(400);
    expect(fake.body.error.code).toBe('MEDIA_CONTENT_MISMATCH');
    const after = await app.plaza.ctx.db.selectFrom('media').select('id').execute();
    expect(after).toHaveLength(before.length);
    const voice = await upload(app, alice, 'voice', png, 'voice.webm', 'audio/webm');
    expect(voice.body.error.code).toBe('MEDIA_CONTENT_MISMATCH');
  });

  it('enforces size limits per kind', async () => {
    const big = await sharp({ create: { width: 1200, height: 1200, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const response = await upload(app, alice, 'image', big, 'big.png', 'image/png');
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('MEDIA_TOO_LARGE');
  });

  it('will not attach someone else’s upload', async () => {
    const uploaded = await upload(app, eve, 'file', Buffer.from('hello world'), 'notes.txt', 'text/plain');
    expect(uploaded.status).toBe(201);
    const conversation = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    const sent = await alice.http.post(`/api/v1/conversations/${conversation}/messages`, {
      clientMsgId: 'steal',
      type: 'file',
      mediaId: uploaded.body.media.id,
    });
    expect(sent.status).toBe(403);
    expect(sent.body.error.code).toBe('MEDIA_FORBIDDEN');
  });

  it('deletes the bytes of a recalled image', async () => {
    const uploaded = await upload(app, alice, 'image', png, 'oops.png', 'image/png');
    const conversation = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    const sent = await alice.http.post(`/api/v1/conversations/${conversation}/messages`, {
      clientMsgId: 'oops',
      type: 'image',
      mediaId: uploaded.body.media.id,
    });
    await alice.http.post(`/api/v1/conversations/${conversation}/messages/${sent.body.message.id}/recall`);
    const fetched = await fetch(app.url + uploaded.body.media.url, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(fetched.status).toBe(404);
  });

  it('sets an avatar only from the member’s own picture, and shows it to everyone', async () => {
    const mine = await upload(app, alice, 'avatar', png, 'me.png', 'image/png');
    const others = await upload(app, eve, 'image', png, 'eve.png', 'image/png');
    expect((await alice.http.patch('/api/v1/me', { avatarMediaId: others.body.media.id })).status).toBe(403);
    const updated = await alice.http.patch('/api/v1/me', { avatarMediaId: mine.body.media.id });
    expect(updated.body.account.avatarUrl).toBe(`/api/v1/media/${mine.body.media.id}`);
    const seen = await fetch(app.url + updated.body.account.avatarUrl, { headers: { authorization: `Bearer ${eve.token}` } });
    expect(seen.status).toBe(200);
  });

  it('keeps the bytes of a recalled chat image that a Moments post still shows', async () => {
    const uploaded = await upload(app, alice, 'image', png, 'shared.png', 'image/png');
    expect((await alice.http.post('/api/v1/moments', { text: 'sunset', photoMediaIds: [uploaded.body.media.id] })).status).toBe(201);
    const conversation = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    const sent = await alice.http.post(`/api/v1/conversations/${conversation}/messages`, {
      clientMsgId: 'shared',
      type: 'image',
      mediaId: uploaded.body.media.id,
    });
    await alice.http.post(`/api/v1/conversations/${conversation}/messages/${sent.body.message.id}/recall`);
    const fetched = await fetch(app.url + uploaded.body.media.url, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(png)).toBe(true);
  });
});
