import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { available, expectLedgerSound, fund, key, PIN } from '../wallet/test-helpers.js';
import { sanitizeArticleHtml } from './html.js';
import { operatorFee } from './settings.js';
import type { OfficialDb } from './store.js';

const DAY_MS = 24 * 3600 * 1000;
/** 2026-12-03 10:00 UTC: a Thursday in the middle of a month. */
const START_MS = Date.parse('2026-12-03T10:00:00.000Z');

async function uploadImage(app: TestApp, member: Member): Promise<string> {
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 20, g: 100, b: 200 } } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('kind', 'image');
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'cover.png');
  const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
  return ((await response.json()) as { media: { id: string } }).media.id;
}

async function events(m: Member, type: string): Promise<Record<string, any>[]> {
  const sync = await m.http.get('/api/v1/sync?afterSeq=0&limit=500');
  expect(sync.status).toBe(200);
  return (sync.body.events as Record<string, any>[]).filter((e) => e.type === type);
}

describe('article HTML', () => {
  it('keeps the editor subset and drops scripts, handlers and unsafe URLs', () => {
    const clean = sanitizeArticleHtml(
      '<h2 style="color:red">Title</h2><p onclick="x()">a <b>b</b> <i>c</i></p><ul><li>one</li></ul>' +
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com/x">good</a>' +
        '<img src="/api/v1/media/12"><img src="http://example.com/p.png"><img src="/etc/passwd"><script>alert(1)</script>',
    );
    expect(clean).toBe(
      '<h2>Title</h2><p>a <b>b</b> <i>c</i></p><ul><li>one</li></ul><a target="_blank" rel="noopener noreferrer nofollow">bad</a>' +
        '<a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">good</a><img src="/api/v1/media/12" />',
    );
  });

  it('rounds the operator fee down', () => {
    expect(operatorFee(999, 500)).toBe(49);
    expect(operatorFee(20_800, 500)).toBe(1040);
    expect(operatorFee(100, 0)).toBe(0);
  });
});

describe.each(dialects)('official accounts on %s', (dialect) => {
  let app: TestApp;
  let now = START_MS;
  let publisher: Member;
  let reader: Member;
  let other: Member;
  let op: Member;
  let officialId: string;
  let serviceId: string;

  beforeAll(async () => {
    app = await startApp({ dialect });
    app.plaza.services.official.setClock(() => now);
    publisher = await registerMember(app, 'Publisher');
    reader = await registerMember(app, 'Reader');
    other = await registerMember(app, 'Other');
    op = await registerMember(app, 'Operator');
    await makeOperator(app, op);
    await fund(publisher, 0);
    await fund(reader, 100_000);
    await fund(other, 100_000);
  });
  afterAll(async () => {
    await app?.close();
  });

  const publish = (id: string, body: Record<string, unknown>, as: Member = publisher) => as.http.post(`/api/v1/official-accounts/${id}/articles`, body);

  it('registers an account as pending, visible only to its owner until an operator verifies it', async () => {
    const created = await publisher.http.post('/api/v1/official-accounts', { type: 'subscription', name: 'Daily Notes', description: 'Notes every day' });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ type: 'subscription', name: 'Daily Notes', status: 'pending', verified: false, isAdmin: true });
    officialId = created.body.account.id;

    expect((await publisher.http.post('/api/v1/official-accounts', { type: 'service', name: 'daily notes' })).body.error.code).toBe('OFFICIAL_NAME_TAKEN');
    expect((await reader.http.get(`/api/v1/official-accounts/${officialId}`)).status).toBe(404);
    expect((await reader.http.get('/api/v1/official-accounts/search?q=daily')).body.accounts).toEqual([]);
    expect((await reader.http.raw('PUT', `/api/v1/official-accounts/${officialId}/follow`)).body.error.code).toBe('OFFICIAL_NOT_VERIFIED');
    expect((await publish(officialId, { title: 'Too early', bodyHtml: '<p>x</p>' })).body.error.code).toBe('OFFICIAL_NOT_VERIFIED');

    const queue = await op.http.get('/api/v1/operator/official-accounts');
    expect(queue.status).toBe(200);
    expect(queue.body.accounts.map((a: { id: string }) => a.id)).toContain(officialId);
    expect((await reader.http.get('/api/v1/operator/official-accounts')).body.error.code).toBe('AUTH_OPERATOR_ONLY');
    expect((await reader.http.post(`/api/v1/operator/official-accounts/${officialId}/review`, { decision: 'verify' })).status).toBe(403);

    const verified = await op.http.post(`/api/v1/operator/official-accounts/${officialId}/review`, { decision: 'verify', note: 'ok' });
    expect(verified.status).toBe(200);
    expect(verified.body.account).toMatchObject({ status: 'verified', verified: true });
    expect((await op.http.post(`/api/v1/operator/official-accounts/${officialId}/review`, { decision: 'reject' })).body.error.code).toBe(
      'OFFICIAL_ALREADY_REVIEWED',
    );

    const service = await publisher.http.post('/api/v1/official-accounts', { type: 'service', name: 'Help Desk' });
    serviceId = service.body.account.id;
    await op.http.post(`/api/v1/operator/official-accounts/${serviceId}/review`, { decision: 'verify' });
    const rejected = await other.http.post('/api/v1/official-accounts', { type: 'service', name: 'Fake Bank' });
    await op.http.post(`/api/v1/operator/official-accounts/${rejected.body.account.id}/review`, { decision: 'reject', note: 'no proof' });
    expect((await other.http.get(`/api/v1/official-accounts/${rejected.body.account.id}`)).body.account.reviewNote).toBe('no proof');
    expect((await reader.http.get('/api/v1/official-accounts/search?q=bank')).body.accounts).toEqual([]);
  });

  it('lets members search, follow and unfollow, counting followers once', async () => {
    const found = await reader.http.get('/api/v1/official-accounts/search?q=DAILY');
    expect(found.body.accounts).toEqual([expect.objectContaining({ id: officialId, followedByMe: false, isAdmin: false })]);
    expect((await reader.http.get('/api/v1/official-accounts/search?q=%25')).body.accounts).toEqual([]);
    expect((await reader.http.raw('PUT', `/api/v1/official-accounts/${officialId}/follow`)).status).toBe(204);
    expect((await reader.http.raw('PUT', `/api/v1/official-accounts/${officialId}/follow`)).status).toBe(204);
    const concurrent = await Promise.all([0, 1, 2].map(() => other.http.raw('PUT', `/api/v1/official-accounts/${officialId}/follow`)));
    expect(concurrent.map((r) => r.status)).toEqual([204, 204, 204]);
    expect((await other.http.get(`/api/v1/official-accounts/${officialId}`)).body.account.followerCount).toBe(2);
    expect((await other.http.delete(`/api/v1/official-accounts/${officialId}/follow`)).status).toBe(204);
    expect((await other.http.delete(`/api/v1/official-accounts/${officialId}/follow`)).status).toBe(204);
    const account = await reader.http.get(`/api/v1/official-accounts/${officialId}`);
    expect(account.body.account).toMatchObject({ followerCount: 1, followedByMe: true });
    await reader.http.raw('PUT', `/api/v1/official-accounts/${serviceId}/follow`);
  });

  it('broadcasts an article to followers through their inbox and the Official Accounts folder', async () => {
    const article = await publish(officialId, {
      title: 'Hello followers',
      bodyHtml: '<p onclick="steal()">First <b>post</b></p><script>alert(1)</script>',
    });
    expect(article.status).toBe(201);
    expect(article.body.article).toMatchObject({ title: 'Hello followers', summary: 'First post', paid: false, priceMinor: '0' });
    const read = await reader.http.get(`/api/v1/official-articles/${article.body.article.id}`);
    expect(read.body.article).toMatchObject({ bodyHtml: '<p>First <b>post</b></p>', locked: false, readCount: 1 });
    expect((await reader.http.get(`/api/v1/official-articles/${article.body.article.id}`)).body.article.readCount).toBe(1);

    await app.plaza.services.official.broadcastsDelivered();
    const broadcasts = await events(reader, 'official.broadcast');
    expect(broadcasts).toEqual([expect.objectContaining({ officialAccountId: officialId, articleId: article.body.article.id, title: 'Hello followers' })]);
    expect(await events(other, 'official.broadcast')).toEqual([]);

    const folder = await reader.http.get('/api/v1/official-accounts/following');
    expect(folder.body.accounts[0]).toMatchObject({ id: officialId, latestArticle: expect.objectContaining({ title: 'Hello followers' }) });
    expect(folder.body.accounts.map((a: { id: string }) => a.id)).toEqual([officialId, serviceId]);
  });

  it('enforces one broadcast a day for subscription accounts, and the limit is configurable', async () => {
    const second = await publish(officialId, { title: 'Again', bodyHtml: '<p>two</p>' });
    expect(second.status).toBe(429);
    expect(second.body.error).toMatchObject({ code: 'OFFICIAL_BROADCAST_LIMIT' });
    expect((await publisher.http.get(`/api/v1/official-accounts/${officialId}/articles`)).body.articles).toHaveLength(1);

    app.plaza.services.official.settings.subscriptionBroadcastsPerDay = 2;
    expect((await publish(officialId, { title: 'Again', bodyHtml: '<p>two</p>' })).status).toBe(201);
    expect((await publish(officialId, { title: 'Third', bodyHtml: '<p>three</p>' })).status).toBe(429);
    app.plaza.services.official.settings.subscriptionBroadcastsPerDay = 1;

    now += DAY_MS;
    expect((await publish(officialId, { title: 'Next day', bodyHtml: '<p>new day</p>' })).status).toBe(201);
  });

  it('allows a service account four broadcasts a calendar month', async () => {
    for (let i = 0; i < 4; i += 1) expect((await publish(serviceId, { title: `Notice ${i}`, bodyHtml: '<p>n</p>' })).status).toBe(201);
    expect((await publish(serviceId, { title: 'Fifth', bodyHtml: '<p>n</p>' })).body.error.code).toBe('OFFICIAL_BROADCAST_LIMIT');
    const saved = now;
    now = Date.parse('2027-01-01T00:00:01.000Z');
    expect((await publish(serviceId, { title: 'January', bodyHtml: '<p>n</p>' })).status).toBe(201);
    now = saved;
  });

  it('notifies every follower exactly once when the fan-out spans several chunks', async () => {
    const created = await other.http.post('/api/v1/official-accounts', { type: 'subscription', name: 'Chunked News' });
    const id = created.body.account.id;
    await op.http.post(`/api/v1/operator/official-accounts/${id}/review`, { decision: 'verify' });
    const fans = [reader, publisher, op];
    for (const fan of fans) await fan.http.raw('PUT', `/api/v1/official-accounts/${id}/follow`);
    app.plaza.services.official.settings.fanOutChunkFollowers = 2;
    try {
      const article = await publish(id, { title: 'Chunked', bodyHtml: '<p>c</p>' }, other);
      expect(article.status).toBe(201);
      await app.plaza.services.official.broadcastsDelivered();
      for (const fan of fans) {
        const got = (await events(fan, 'official.broadcast')).filter((e) => e.officialAccountId === id);
        expect(got.map((e) => e.articleId)).toEqual([article.body.article.id]);
      }
      expect((await events(other, 'official.broadcast')).filter((e) => e.officialAccountId === id)).toEqual([]);
    } finally {
      app.plaza.services.official.settings.fanOutChunkFollowers = 1000;
      for (const fan of fans) await fan.http.delete(`/api/v1/official-accounts/${id}/follow`);
    }
  });

  it('resumes a broadcast fan-out cut short, notifying each follower once', async () => {
    const created = await other.http.post('/api/v1/official-accounts', { type: 'subscription', name: 'Resumed News' });
    const id = created.body.account.id;
    await op.http.post(`/api/v1/operator/official-accounts/${id}/review`, { decision: 'verify' });
    const early = await registerMember(app, 'Early fan');
    await early.http.raw('PUT', `/api/v1/official-accounts/${id}/follow`);
    const article = await publish(id, { title: 'Resumed', bodyHtml: '<p>r</p>' }, other);
    expect(article.status).toBe(201);
    await app.plaza.services.official.broadcastsDelivered();
    // As if the server died after the first chunk (the early fan), before the later fans' chunk:
    // they follow now (higher ids), and the article's mark says only the early fan was reached.
    const late = [await registerMember(app, 'Late fan 1'), await registerMember(app, 'Late fan 2')];
    for (const fan of late) await fan.http.raw('PUT', `/api/v1/official-accounts/${id}/follow`);
    const db = app.plaza.ctx.db as unknown as OfficialDb;
    await db
      .updateTable('official_articles')
      .set({ fanout_done: 0, fanout_after: Number(early.id) })
      .where('id', '=', Number(article.body.article.id))
      .execute();
    const mine = async (m: Member) => (await events(m, 'official.broadcast')).filter((e) => e.articleId === article.body.article.id);
    for (const fan of late) expect(await mine(fan)).toHaveLength(0);

    expect(await app.plaza.services.official.resumeBroadcasts()).toBe(1);
    await app.plaza.services.official.broadcastsDelivered();
    for (const fan of [early, ...late]) expect(await mine(fan)).toHaveLength(1);
    expect((await mine(late[0] as Member))[0]).toMatchObject({ title: 'Resumed', officialAccountName: 'Resumed News' });
    // Nothing is left to resume, and resuming again notifies nobody twice.
    expect(await app.plaza.services.official.resumeBroadcasts()).toBe(0);
    await app.plaza.services.official.broadcastsDelivered();
    for (const fan of [early, ...late]) expect(await mine(fan)).toHaveLength(1);
  });

  it('refuses broadcasts from non-admins and pages lists with a maximum page size', async () => {
    expect((await publish(officialId, { title: 'x', bodyHtml: '<p>x</p>' }, reader)).body.error.code).toBe('OFFICIAL_NOT_ADMIN');
    expect((await reader.http.get(`/api/v1/official-accounts/${serviceId}/articles?limit=51`)).status).toBe(400);
    const first = await reader.http.get(`/api/v1/official-accounts/${serviceId}/articles?limit=2`);
    expect(first.body.articles.map((a: { title: string }) => a.title)).toEqual(['January', 'Notice 3']);
    const second = await reader.http.get(`/api/v1/official-accounts/${serviceId}/articles?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.articles.map((a: { title: string }) => a.title)).toEqual(['Notice 2', 'Notice 1']);
    const third = await reader.http.get(`/api/v1/official-accounts/${serviceId}/articles?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.articles.map((a: { title: string }) => a.title)).toEqual(['Notice 0']);
    expect(third.body.nextCursor).toBeNull();
    expect((await reader.http.get(`/api/v1/official-accounts/${serviceId}/articles?cursor=abc`)).body.error.code).toBe('VALIDATION_FAILED');
  });

  describe('paid articles', () => {
    let articleId: string;
    const price = 999;

    it('checks the price range', async () => {
      now += DAY_MS;
      for (const bad of ['99', '20801', 50]) {
        const response = await publish(officialId, { title: 'Paid', bodyHtml: '<p>secret</p>', priceMinor: bad });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('OFFICIAL_INVALID_PRICE');
      }
    });

    it('shows only the free preview until the article is unlocked', async () => {
      const created = await publish(officialId, {
        title: 'Paid insight',
        bodyHtml: '<p>the secret</p>',
        previewHtml: '<p>a teaser</p>',
        priceMinor: String(price),
      });
      expect(created.status).toBe(201);
      articleId = created.body.article.id;
      const read = await reader.http.get(`/api/v1/official-articles/${articleId}`);
      expect(read.body.article).toMatchObject({ paid: true, locked: true, unlocked: false, bodyHtml: '<p>a teaser</p>', priceMinor: '999' });
      expect(JSON.stringify(read.body)).not.toContain('the secret');
      const own = await publisher.http.get(`/api/v1/official-articles/${articleId}`);
      expect(own.body.article).toMatchObject({ locked: false, bodyHtml: '<p>the secret</p>' });
    });

    it('needs an Idempotency-Key and the right PIN, and moves nothing otherwise', async () => {
      const before = await available(reader);
      const noKey = await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN });
      expect(noKey.status).toBe(400);
      expect(noKey.body.error.code).toBe('WALLET_IDEMPOTENCY_KEY_REQUIRED');
      const wrong = await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: '000000' }, key());
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('WALLET_PIN_WRONG');
      const self = await publisher.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, key());
      expect(self.body.error.code).toBe('OFFICIAL_SELF_PAYMENT');
      const poor = await registerMember(app, 'Poor');
      await fund(poor, 500);
      const broke = await poor.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, key());
      expect(broke.status).toBe(409);
      expect(broke.body.error.code).toBe('WALLET_INSUFFICIENT_FUNDS');
      expect(await available(poor)).toBe(500);
      expect(await available(reader)).toBe(before);
      await expectLedgerSound(app);
    });

    it('unlocks with the PIN: the publisher gets the price minus the fee, a retry returns the first result', async () => {
      const readerBefore = await available(reader);
      const publisherBefore = await available(publisher);
      const headers = key();
      const first = await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, headers);
      expect(first.status).toBe(201);
      const fee = operatorFee(price, app.plaza.services.official.settings.feeBasisPoints);
      expect(first.body.purchase).toMatchObject({ articleId, accountId: reader.id, priceMinor: '999', feeMinor: String(fee), status: 'paid' });
      const retry = await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, headers);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await available(reader)).toBe(readerBefore - price);
      expect(await available(publisher)).toBe(publisherBefore + price - fee);

      const again = await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, key());
      expect(again.body.error.code).toBe('OFFICIAL_ALREADY_UNLOCKED');
      const reused = await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '100', pin: PIN }, headers);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

      const read = await reader.http.get(`/api/v1/official-articles/${articleId}`);
      expect(read.body.article).toMatchObject({ locked: false, bodyHtml: '<p>the secret</p>', purchase: expect.objectContaining({ status: 'paid' }) });
      const bill = await reader.http.get('/api/v1/wallet/bill');
      expect(bill.body.entries.filter((e: { kind: string }) => e.kind.startsWith('official')).map((e: { amountMinor: string }) => e.amountMinor)).toEqual(
        expect.arrayContaining([String(price - fee), String(fee)]),
      );
      await expectLedgerSound(app);
    });

    it('charges once when two unlocks with different keys race', async () => {
      const racer = await registerMember(app, 'Racer');
      await fund(racer, 10_000);
      const results = await Promise.all(
        [0, 1, 2].map(() => racer.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, { 'idempotency-key': randomUUID() })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('OFFICIAL_ALREADY_UNLOCKED');
      expect(await available(racer)).toBe(10_000 - price);

      // The same key sent twice at once: one payment, the same answer to both.
      const twin = await registerMember(app, 'Twin');
      await fund(twin, 10_000);
      const headers = key();
      const [a, b] = await Promise.all([0, 1].map(() => twin.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, headers)));
      expect(a?.status).toBe(201);
      expect(b?.body).toEqual(a?.body);
      expect(await available(twin)).toBe(10_000 - price);
      await expectLedgerSound(app);
    });

    it('lets only the owner refund, once, giving the buyer the whole price back', async () => {
      const readerBefore = await available(reader);
      const publisherBefore = await available(publisher);
      const fee = operatorFee(price, app.plaza.services.official.settings.feeBasisPoints);
      const purchases = await publisher.http.get(`/api/v1/official-articles/${articleId}/purchases`);
      expect(purchases.body.purchases.map((p: { accountId: string }) => p.accountId)).toContain(reader.id);
      expect((await reader.http.get(`/api/v1/official-articles/${articleId}/purchases`)).body.error.code).toBe('OFFICIAL_NOT_ADMIN');
      const notOwner = await reader.http.post(`/api/v1/official-articles/${articleId}/refunds`, { accountId: reader.id, pin: PIN }, key());
      expect(notOwner.body.error.code).toBe('OFFICIAL_NOT_ADMIN');

      const headers = key();
      const refund = await publisher.http.post(`/api/v1/official-articles/${articleId}/refunds`, { accountId: reader.id, pin: PIN }, headers);
      expect(refund.status).toBe(200);
      expect(refund.body.purchase).toMatchObject({ status: 'refunded', accountId: reader.id });
      const retry = await publisher.http.post(`/api/v1/official-articles/${articleId}/refunds`, { accountId: reader.id, pin: PIN }, headers);
      expect(retry.body).toEqual(refund.body);
      const differentBody = await publisher.http.post(`/api/v1/official-articles/${articleId}/refunds`, { accountId: other.id, pin: PIN }, headers);
      expect(differentBody.status).toBe(422);
      const twice = await publisher.http.post(`/api/v1/official-articles/${articleId}/refunds`, { accountId: reader.id, pin: PIN }, key());
      expect(twice.body.error.code).toBe('OFFICIAL_PURCHASE_NOT_FOUND');

      expect(await available(reader)).toBe(readerBefore + price);
      expect(await available(publisher)).toBe(publisherBefore - (price - fee));
      expect((await reader.http.get(`/api/v1/official-articles/${articleId}`)).body.article.locked).toBe(true);
      await expectLedgerSound(app);

      // A refunded buyer may buy again.
      expect((await reader.http.post(`/api/v1/official-articles/${articleId}/unlock`, { pin: PIN }, key())).status).toBe(201);
      expect((await reader.http.get(`/api/v1/official-articles/${articleId}`)).body.article.locked).toBe(false);
      await expectLedgerSound(app);
    });

    it('takes tips whole for the publisher, once per key, within the tip limit', async () => {
      const readerBefore = await available(reader);
      const publisherBefore = await available(publisher);
      const headers = key();
      const tip = await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '188', pin: PIN }, headers);
      expect(tip.status).toBe(201);
      expect(tip.body.tip).toMatchObject({ articleId, amountMinor: '188' });
      expect((await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '188', pin: PIN }, headers)).body).toEqual(tip.body);
      expect((await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '200', pin: PIN }, headers)).status).toBe(422);
      expect((await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '20001', pin: PIN }, key())).body.error.code).toBe(
        'WALLET_INVALID_AMOUNT',
      );
      expect((await reader.http.post(`/api/v1/official-articles/${articleId}/tips`, { amountMinor: '188' }, key())).status).toBe(400);
      expect(await available(reader)).toBe(readerBefore - 188);
      expect(await available(publisher)).toBe(publisherBefore + 188);
      await expectLedgerSound(app);
    });
  });

  it('keeps comments on articles, deletable by their author or an admin', async () => {
    const list = await reader.http.get(`/api/v1/official-accounts/${officialId}/articles`);
    const articleId = list.body.articles[0].id;
    const c1 = await reader.http.post(`/api/v1/official-articles/${articleId}/comments`, { text: 'Great read' });
    expect(c1.status).toBe(201);
    const c2 = await other.http.post(`/api/v1/official-articles/${articleId}/comments`, { text: 'Spam' });
    expect((await reader.http.delete(`/api/v1/official-articles/${articleId}/comments/${c2.body.comment.id}`)).status).toBe(403);
    expect((await publisher.http.delete(`/api/v1/official-articles/${articleId}/comments/${c2.body.comment.id}`)).status).toBe(204);
    const comments = await other.http.get(`/api/v1/official-articles/${articleId}/comments`);
    expect(comments.body.comments).toEqual([expect.objectContaining({ text: 'Great read', author: expect.objectContaining({ id: reader.id }) })]);
    expect((await other.http.get(`/api/v1/official-articles/${articleId}`)).body.article.commentCount).toBe(1);
  });

  it('answers followers with keyword and default auto-replies, menu buttons and admin replies', async () => {
    const base = `/api/v1/official-accounts/${officialId}`;
    expect((await reader.http.post(`${base}/auto-replies`, { keyword: 'price', reply: 'Plans start at 1 CNY.' })).status).toBe(403);
    expect((await reader.http.get(`${base}/auto-replies`)).status).toBe(403);
    await publisher.http.post(`${base}/auto-replies`, { keyword: 'price', reply: 'Plans start at 1 CNY.' });
    await publisher.http.post(`${base}/auto-replies`, { reply: 'Thanks, we will answer soon.' });
    const replies = await publisher.http.post(`${base}/auto-replies`, { keyword: null, reply: 'Thanks! We answer within a day.' });
    expect(replies.body.autoReplies.map((r: { keyword: string | null }) => r.keyword)).toEqual(['price', null]);

    const bad = await publisher.http.patch(base, { menu: [{ label: 'Site', action: 'link' }] });
    expect(bad.body.error.code).toBe('OFFICIAL_INVALID_MENU');
    const menu = await publisher.http.patch(base, {
      menu: [
        { label: 'Hours', action: 'reply', reply: 'Open 9–17.' },
        { label: 'Site', action: 'link', url: 'https://example.com' },
      ],
    });
    expect(menu.body.account.menu).toHaveLength(2);

    expect((await other.http.post(`${base}/messages`, { text: 'hi' })).body.error.code).toBe('OFFICIAL_NOT_FOLLOWING');
    const asked = await reader.http.post(`${base}/messages`, { text: 'What is the PRICE?' });
    expect(asked.status).toBe(201);
    expect(asked.body.replies).toEqual([expect.objectContaining({ direction: 'out', auto: true, text: 'Plans start at 1 CNY.' })]);
    const hello = await reader.http.post(`${base}/messages`, { text: 'hello' });
    expect(hello.body.replies.map((r: { text: string }) => r.text)).toEqual(['Thanks! We answer within a day.']);
    const hours = await reader.http.post(`${base}/menu-presses`, { index: 0 });
    expect(hours.body.replies.map((r: { text: string }) => r.text)).toEqual(['Open 9–17.']);
    expect((await reader.http.post(`${base}/menu-presses`, { index: 1 })).body).toEqual({ url: 'https://example.com', replies: [] });

    const threads = await publisher.http.get(`${base}/threads`);
    expect(threads.body.threads).toEqual([expect.objectContaining({ member: expect.objectContaining({ id: reader.id }) })]);
    expect((await publisher.http.post(`${base}/threads/${other.id}/messages`, { text: 'unsolicited' })).body.error.code).toBe('OFFICIAL_NOT_FOLLOWING');
    expect((await other.http.post(`${base}/threads/${reader.id}/messages`, { text: 'not admin' })).body.error.code).toBe('OFFICIAL_NOT_ADMIN');

    // An appointed admin answers too; the member sees the whole thread, newest first.
    expect((await publisher.http.post(`${base}/admins`, { handle: other.handle })).status).toBe(200);
    const answer = await other.http.post(`${base}/threads/${reader.id}/messages`, { text: 'A person here: how can I help?' });
    expect(answer.status).toBe(201);
    const thread = await reader.http.get(`${base}/messages`);
    expect(thread.body.messages.map((m: { text: string }) => m.text)).toEqual([
      'A person here: how can I help?',
      'Open 9–17.',
      'Thanks! We answer within a day.',
      'hello',
      'Plans start at 1 CNY.',
      'What is the PRICE?',
    ]);
    const toReader = await events(reader, 'official.message');
    expect(toReader.map((e) => e.message.text)).toEqual([
      'Plans start at 1 CNY.',
      'Thanks! We answer within a day.',
      'Open 9–17.',
      'A person here: how can I help?',
    ]);
    const toOwner = await events(publisher, 'official.message');
    expect(toOwner.map((e) => e.message.text)).toEqual(['What is the PRICE?', 'hello']);
    await publisher.http.delete(`${base}/admins/${other.id}`);
    expect((await other.http.post(`${base}/threads/${reader.id}/messages`, { text: 'gone' })).status).toBe(403);
  });

  it('reports followers over time, reads, shares and revenue per day for admins', async () => {
    const fresh = await publisher.http.post('/api/v1/official-accounts', { type: 'subscription', name: 'Stats Lab' });
    const id = fresh.body.account.id;
    await op.http.post(`/api/v1/operator/official-accounts/${id}/review`, { decision: 'verify' });
    const day0 = Date.parse('2026-12-10T08:00:00.000Z');
    now = day0;
    await reader.http.raw('PUT', `/api/v1/official-accounts/${id}/follow`);
    await other.http.raw('PUT', `/api/v1/official-accounts/${id}/follow`);
    const paid = await publish(id, { title: 'Numbers', bodyHtml: '<p>n</p>', priceMinor: '1000' });
    now = day0 + DAY_MS;
    await other.http.delete(`/api/v1/official-accounts/${id}/follow`);
    await reader.http.get(`/api/v1/official-articles/${paid.body.article.id}`);
    await reader.http.post(`/api/v1/official-articles/${paid.body.article.id}/unlock`, { pin: PIN }, key());
    await reader.http.post(`/api/v1/official-articles/${paid.body.article.id}/shares`);
    await reader.http.post(`/api/v1/official-articles/${paid.body.article.id}/shares`);
    await reader.http.post(`/api/v1/official-articles/${paid.body.article.id}/tips`, { amountMinor: '300', pin: PIN }, key());
    now = day0 + 2 * DAY_MS;

    expect((await reader.http.get(`/api/v1/official-accounts/${id}/stats`)).status).toBe(403);
    const stats = await publisher.http.get(`/api/v1/official-accounts/${id}/stats?days=3`);
    expect(stats.status).toBe(200);
    const fee = operatorFee(1000, app.plaza.services.official.settings.feeBasisPoints);
    expect(stats.body.stats.days).toEqual([
      { day: '2026-12-10', followers: 2, follows: 2, unfollows: 0, reads: 0, shares: 0, revenueMinor: '0', tipsMinor: '0' },
      { day: '2026-12-11', followers: 1, follows: 0, unfollows: 1, reads: 1, shares: 2, revenueMinor: String(1000 - fee), tipsMinor: '300' },
      { day: '2026-12-12', followers: 1, follows: 0, unfollows: 0, reads: 0, shares: 0, revenueMinor: '0', tipsMinor: '0' },
    ]);
    expect(stats.body.stats.followerCount).toBe(1);
    await expectLedgerSound(app);
  });

  it('shows avatars, covers and article images to every member, and only the uploader may attach them', async () => {
    const avatarId = await uploadImage(app, publisher);
    const created = await publisher.http.post('/api/v1/official-accounts', { type: 'service', name: 'Picture Post', avatarMediaId: avatarId });
    expect(created.body.account.avatar).toMatchObject({ id: avatarId, kind: 'image' });
    const id = created.body.account.id;
    await op.http.post(`/api/v1/operator/official-accounts/${id}/review`, { decision: 'verify' });
    const coverId = await uploadImage(app, publisher);
    const imageId = await uploadImage(app, publisher);
    const foreignId = await uploadImage(app, reader);
    expect((await publish(id, { title: 'Stolen', bodyHtml: '<p>x</p>', coverMediaId: foreignId })).body.error.code).toBe('MEDIA_FORBIDDEN');
    expect((await publish(id, { title: 'Stolen', bodyHtml: `<p><img src="/api/v1/media/${foreignId}"></p>` })).body.error.code).toBe('MEDIA_FORBIDDEN');
    const article = await publish(id, { title: 'Pictures', bodyHtml: `<p>look</p><p><img src="/api/v1/media/${imageId}"></p>`, coverMediaId: coverId });
    expect(article.status).toBe(201);
    expect(article.body.article.cover).toMatchObject({ id: coverId });
    const status = async (m: Member, mediaId: string) =>
      (await fetch(`${app.url}/api/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${m.token}` } })).status;
    for (const mediaId of [avatarId, coverId, imageId]) expect(await status(other, mediaId)).toBe(200);
    const read = await other.http.get(`/api/v1/official-articles/${article.body.article.id}`);
    expect(read.body.article.bodyHtml).toContain(`<img src="/api/v1/media/${imageId}" />`);

    // In a paid article, the preview's image is open to all; the paid part's only to buyers and admins.
    now += 31 * DAY_MS;
    const teaserId = await uploadImage(app, publisher);
    const secretId = await uploadImage(app, publisher);
    const paid = await publish(id, {
      title: 'Paid pictures',
      previewHtml: `<p><img src="/api/v1/media/${teaserId}"></p>`,
      bodyHtml: `<p><img src="/api/v1/media/${secretId}"></p>`,
      priceMinor: '100',
    });
    expect(paid.status).toBe(201);
    const buyer = await registerMember(app, 'Buyer');
    await fund(buyer, 1_000);
    expect(await status(buyer, teaserId)).toBe(200);
    expect(await status(buyer, secretId)).toBe(404);
    expect(await status(publisher, secretId)).toBe(200);
    expect((await buyer.http.post(`/api/v1/official-articles/${paid.body.article.id}/unlock`, { pin: PIN }, key())).status).toBe(201);
    expect(await status(buyer, secretId)).toBe(200);
    expect(await status(other, secretId)).toBe(404);
    await expectLedgerSound(app);
  });

  it('documents every route in OpenAPI with tags and summaries', async () => {
    const spec = (await fetch(`${app.url}/api/openapi.json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    };
    const paths = Object.entries(spec.paths).filter(([p]) => p.includes('official'));
    expect(paths.length).toBeGreaterThanOrEqual(20);
    for (const [, methods] of paths) {
      for (const operation of Object.values(methods)) {
        expect(operation.tags).toEqual(['official-accounts']);
        expect(operation.summary).toBeTruthy();
      }
    }
    expect(spec.paths['/api/v1/official-articles/{id}/unlock']?.post).toBeDefined();
  });
});
