import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, registerMember, startApp, type TestApp } from '../../test/harness.js';

// s3rver is a small S3-compatible server (real HTTP, real S3 wire protocol, files on disk): the
// same client code talks to it as to any S3-compatible store.
describe('media in an S3-compatible store', () => {
  let s3: S3rver;
  let app: TestApp;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-s3-'));

  beforeAll(async () => {
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'plaza-media', configs: [] }] });
    const { port } = await s3.run();
    app = await startApp({
      dialect: 'sqlite',
      env: {
        MEDIA_S3_BUCKET: 'plaza-media',
        MEDIA_S3_ENDPOINT: `http://127.0.0.1:${port}`,
        MEDIA_S3_ACCESS_KEY_ID: 'S3RVER',
        MEDIA_S3_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await s3?.close();
  });

  it('stores uploads in the bucket and serves them, whole and by range, to members only', async () => {
    const alice = await registerMember(app, 'Alice');
    const bob = await registerMember(app, 'Bob');
    const eve = await registerMember(app, 'Eve');
    await makeFriends(alice, bob);
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'sky.png');
    const uploaded = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: form });
    expect(uploaded.status).toBe(201);
    const media = ((await uploaded.json()) as { media: { id: string; url: string } }).media;
    const row = await app.plaza.ctx.db.selectFrom('media').select('storage_key').where('id', '=', Number(media.id)).executeTakeFirstOrThrow();
    expect(fs.existsSync(path.join(directory, 'plaza-media'))).toBe(true);
    expect(fs.existsSync(path.join(app.plaza.ctx.config.dataDir, 'media', row.storage_key))).toBe(false);

    const conversation = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    await alice.http.post(`/api/v1/conversations/${conversation}/messages`, { clientMsgId: 's3', type: 'image', mediaId: media.id });
    const whole = await fetch(app.url + media.url, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(Buffer.from(await whole.arrayBuffer()).equals(png)).toBe(true);
    const part = await fetch(app.url + media.url, { headers: { authorization: `Bearer ${bob.token}`, range: 'bytes=8-15' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(png.subarray(8, 16))).toBe(true);
    expect((await fetch(app.url + media.url, { headers: { authorization: `Bearer ${eve.token}` } })).status).toBe(404);
  });
});
