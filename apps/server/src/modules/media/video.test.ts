import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { probeVideo } from './video-probe.js';

// Two-second 64×48 clips made once with a desktop encoder and checked in (2–6 KB each).
const mp4 = fs.readFileSync(path.join(import.meta.dirname, 'testdata/clip-2s.mp4'));
const webm = fs.readFileSync(path.join(import.meta.dirname, 'testdata/clip-2s.webm'));

/** The same MP4 claiming another length: rewrites the duration field of its `mvhd` box. */
function mp4Lasting(seconds: number): Buffer {
  const copy = Buffer.from(mp4);
  const at = copy.indexOf('mvhd', 0, 'latin1');
  expect(copy[at + 4]).toBe(0); // version 0: timescale at +16, duration at +20 from the type
  copy.writeUInt32BE(seconds * copy.readUInt32BE(at + 16), at + 20);
  return copy;
}

/** The WebM with its Segment Info Duration renamed to an unknown element, as a live recorder writes it. */
function webmWithoutDuration(): Buffer {
  const copy = Buffer.from(webm);
  const at = copy.indexOf(Buffer.from([0x44, 0x89]));
  expect(at).toBeGreaterThan(0);
  copy[at + 1] = 0x88;
  return copy;
}

describe('video probe', () => {
  it('reads length and frame size from MP4 and WebM containers', () => {
    expect(probeVideo(mp4)).toEqual({ container: 'mp4', durationMs: 2000, width: 64, height: 48 });
    expect(probeVideo(webm)).toEqual({ container: 'webm', durationMs: 2000, width: 64, height: 48 });
    expect(probeVideo(mp4Lasting(61))?.durationMs).toBe(61_000);
  });

  it('falls back to the last block time when a WebM declares no duration', () => {
    // 20 frames at 10 fps: the last one starts at 1.9 s.
    expect(probeVideo(webmWithoutDuration())?.durationMs).toBe(1900);
  });

  it('reads a QuickTime file that opens with its movie atom instead of ftyp', () => {
    const moovAt = mp4.indexOf('moov', 0, 'latin1') - 4;
    const moovFirst = Buffer.concat([mp4.subarray(moovAt), mp4.subarray(0, moovAt)]);
    expect(probeVideo(moovFirst)).toMatchObject({ container: 'mp4', durationMs: 2000, width: 64 });
  });

  it('never throws or runs away on damaged files', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat({ max: 6000 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (useMp4, at, noise) => {
        const source = useMp4 ? mp4 : webm;
        const damaged = Buffer.from(source);
        damaged.set(noise.subarray(0, Math.max(0, damaged.length - (at % damaged.length))), at % damaged.length);
        const probe = probeVideo(damaged);
        expect(probe === null || (Number.isFinite(probe.durationMs) && probe.durationMs >= 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives up on files that are not a readable container', () => {
    expect(probeVideo(Buffer.from('not a video at all'))).toBeNull();
    expect(probeVideo(mp4.subarray(0, 40))).toBeNull();
    const noMoov = Buffer.from(mp4);
    noMoov.write('free', noMoov.indexOf('moov', 0, 'latin1'), 'latin1');
    expect(probeVideo(noMoov)).toBeNull();
  });
});

describe.each(dialects)('video uploads on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let eve: Member;
  async function upload(member: Member, data: Buffer, name: string, extra: Record<string, string> = {}) {
    const form = new FormData();
    form.append('kind', 'video');
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(data)]), name);
    const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
    return { status: response.status, body: (await response.json()) as any };
  }
  async function setPoster(member: Member, mediaId: string, image: Buffer) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'poster.png');
    const response = await fetch(`${app.url}/api/v1/media/${mediaId}/poster`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${member.token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    eve = await registerMember(app, 'Eve');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('records the length the file itself declares, not the one the client sends', async () => {
    const uploaded = await upload(alice, mp4, 'clip.mp4', { durationMs: '5' });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.media).toMatchObject({ kind: 'video', mime: 'video/mp4', durationMs: 2000, width: 64, height: 48, sizeBytes: mp4.length });
    expect((await upload(alice, webm, 'clip.webm')).body.media).toMatchObject({ mime: 'video/webm', durationMs: 2000 });
  });

  it('rejects a video over one minute and one whose length cannot be read, storing nothing', async () => {
    const before = (await app.plaza.ctx.db.selectFrom('media').select('id').execute()).length;
    const long = await upload(alice, mp4Lasting(61), 'long.mp4', { durationMs: '1000' });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('MEDIA_VIDEO_TOO_LONG');
    expect(long.body.error.message).toContain('61.0 s');
    const exactlyOne = await upload(alice, mp4Lasting(60), 'minute.mp4');
    expect(exactlyOne.status).toBe(201);
    const broken = Buffer.from(mp4);
    broken.write('free', broken.indexOf('moov', 0, 'latin1'), 'latin1');
    const unreadable = await upload(alice, broken, 'broken.mp4');
    expect(unreadable.body.error.code).toBe('MEDIA_VIDEO_UNREADABLE');
    expect((await app.plaza.ctx.db.selectFrom('media').select('id').execute()).length).toBe(before + 1);
  });

  it('keeps a poster frame the owner uploads and serves the video by byte range', async () => {
    const video = (await upload(alice, mp4, 'clip.mp4')).body.media;
    expect(video.thumbUrl).toBeNull();
    const frame = await sharp({ create: { width: 1280, height: 960, channels: 3, background: { r: 20, g: 160, b: 90 } } })
      .png()
      .toBuffer();
    expect((await setPoster(eve, video.id, frame)).status).toBe(403);
    expect((await setPoster(alice, video.id, Buffer.from('not an image'))).body.error.code).toBe('MEDIA_CONTENT_MISMATCH');
    const posted = await setPoster(alice, video.id, frame);
    expect(posted.status).toBe(200);
    expect(posted.body.media.thumbUrl).toBe(`/api/v1/media/${video.id}/thumb`);
    const headers = { authorization: `Bearer ${alice.token}` };
    const poster = await fetch(app.url + posted.body.media.thumbUrl, { headers });
    const meta = await sharp(Buffer.from(await poster.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 720, height: 540 });

    const head = await fetch(app.url + video.url, { headers: { ...headers, range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-type')).toBe('video/mp4');
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${mp4.length}`);
    expect(Buffer.from(await head.arrayBuffer()).equals(mp4.subarray(0, 100))).toBe(true);
    const tail = await fetch(app.url + video.url, { headers: { ...headers, range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(mp4.subarray(mp4.length - 10))).toBe(true);
    const beyond = await fetch(app.url + video.url, { headers: { ...headers, range: `bytes=${mp4.length}-` } });
    expect(beyond.status).toBe(416);
  });

  it('plays by range from a short-lived signed URL, for the member it was made for only while they may see it', async () => {
    const video = (await upload(alice, webm, 'clip.webm')).body.media;
    expect((await eve.http.get(`/api/v1/media/${video.id}/stream-url`)).body.error.code).toBe('MEDIA_NOT_FOUND');
    const signed = (await alice.http.get(`/api/v1/media/${video.id}/stream-url`)).body;
    expect(new Date(signed.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const part = await fetch(app.url + signed.url, { headers: { range: 'bytes=4-11' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-type')).toBe('video/webm');
    expect(Buffer.from(await part.arrayBuffer()).equals(webm.subarray(4, 12))).toBe(true);
    expect((await fetch(app.url + signed.url)).status).toBe(200);
    const url = new URL(signed.url, app.url);
    const forged = new URL(url);
    forged.searchParams.set('account', eve.id);
    expect((await fetch(forged)).status).toBe(404);
    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1));
    expect((await fetch(extended)).status).toBe(404);
    const other = new URL(url);
    other.pathname = `/api/v1/media/${Number(video.id) - 1}/stream`;
    expect((await fetch(other)).status).toBe(404);
    expect((await fetch(`${app.url}/api/v1/media/${video.id}/stream`)).status).toBe(400);
  });
});
