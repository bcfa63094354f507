import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  dialects,
  freshDataDir,
  freshSchemaName,
  makeOperator,
  type Member,
  registerMember,
  startApp,
  TEST_DATABASE_URL,
  type TestApp,
} from '../../test/harness.js';
import { expectLedgerSound, key, inPool } from '../wallet/test-helpers.js';

const DAY_MS = 24 * 3600 * 1000;

interface Outcome {
  status: number;
  couponId?: string;
  code?: string;
}

// Two apps on one database, as two nodes behind a load balancer: whatever one node holds in
// memory about a campaign, the other has not seen.
describe.each(dialects)('coupon grabs on two nodes of one %s database', (dialect) => {
  const shared = dialect === 'postgres' ? { pgSchema: freshSchemaName() } : { dataDir: freshDataDir() };
  let nodeA: TestApp;
  let nodeB: TestApp;
  let op: Member;
  beforeAll(async () => {
    nodeA = await startApp({ dialect, ...shared });
    nodeB = await startApp({ dialect, ...shared });
    op = await registerMember(nodeA, 'Operator');
    await makeOperator(nodeA, op);
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    if (shared.pgSchema) {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${shared.pgSchema} CASCADE`);
      await client.end();
    }
  });

  async function openCampaign(quota: number, perMemberCap: number, laterQuota = 0): Promise<string> {
    const now = Date.now();
    const batches = [{ releaseAt: new Date(now - 1000).toISOString(), quota }];
    if (laterQuota > 0) batches.push({ releaseAt: new Date(now + DAY_MS / 2).toISOString(), quota: laterQuota });
    const created = await op.http.post(
      '/api/v1/operator/coupon-campaigns',
      {
        name: 'Two nodes',
        budgetMinor: String((quota + laterQuota) * 1000),
        faceMinor: '1000',
        thresholdMinor: '2000',
        perMemberCap,
        batches,
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + DAY_MS).toISOString(),
      },
      key(),
    );
    expect(created.status).toBe(201);
    return created.body.campaign.id;
  }

  async function grab(node: TestApp, member: Member, campaignId: string, grabKey: string): Promise<Outcome> {
    const r = await api(node, member.token).post(`/api/v1/coupon-campaigns/${campaignId}/grabs`, undefined, { 'idempotency-key': grabKey });
    return { status: r.status, couponId: r.body?.coupon?.id, code: r.body?.error?.code };
  }

  async function couponsInSql(campaignId: string): Promise<{ id: number; account_id: number; grab_key: string }[]> {
    const rows = await nodeA.plaza.ctx.db
      .selectFrom('coupons' as never)
      .select(['id' as never, 'account_id' as never, 'grab_key' as never])
      .where('campaign_id' as never, '=', Number(campaignId) as never)
      .execute();
    return (rows as { id: number; account_id: number; grab_key: string }[]).map((r) => ({ ...r, id: Number(r.id), account_id: Number(r.account_id) }));
  }

  it('answers a retry on the other node with the coupon the first node issued, after the campaign sold out', async () => {
    const campaignId = await openCampaign(3, 1);
    const members = await Promise.all([0, 1, 2, 3].map(() => registerMember(nodeA, 'Grabber')));
    const [m0, m1, m2, m3] = members as [Member, Member, Member, Member];
    // Node B sees the campaign first; node A then issues the rest of it.
    expect((await grab(nodeB, m0, campaignId, 'k0')).status).toBe(201);
    const first = await grab(nodeA, m1, campaignId, 'k1');
    expect(first.status).toBe(201);
    expect((await grab(nodeA, m2, campaignId, 'k2')).status).toBe(201);
    // The member's app retries on node B: the same coupon, nothing new issued.
    expect(await grab(nodeB, m1, campaignId, 'k1')).toEqual(first);
    expect(await grab(nodeB, m3, campaignId, 'k3')).toMatchObject({ status: 409, code: 'COUPON_SOLD_OUT' });
    expect(await grab(nodeB, m1, campaignId, 'k1')).toEqual(first);
    expect(await grab(nodeA, m1, campaignId, 'k1')).toEqual(first);
    expect(await couponsInSql(campaignId)).toHaveLength(3);
  });

  it('gives a member the next slot of the cap on one node when they hold the first from the other', async () => {
    const campaignId = await openCampaign(10, 2);
    const [early, member] = (await Promise.all([0, 1].map(() => registerMember(nodeA, 'Grabber')))) as [Member, Member];
    expect((await grab(nodeB, early, campaignId, 'e1')).status).toBe(201);
    const one = await grab(nodeA, member, campaignId, 's1');
    expect(one.status).toBe(201);
    const two = await grab(nodeB, member, campaignId, 's2');
    expect(two.status).toBe(201);
    expect(two.couponId).not.toBe(one.couponId);
    expect(await grab(nodeA, member, campaignId, 's3')).toMatchObject({ status: 409, code: 'COUPON_CAP_REACHED' });
    expect(await grab(nodeB, member, campaignId, 's4')).toMatchObject({ status: 409, code: 'COUPON_CAP_REACHED' });
    expect(await grab(nodeA, member, campaignId, 's2')).toEqual(two);
    const mine = (await couponsInSql(campaignId)).filter((r) => r.account_id === Number(member.id));
    expect(mine.map((r) => r.grab_key).sort()).toEqual(['s1', 's2']);
  });

  it('issues exactly the quota to a rush spread over both nodes, each grab retried on the other node', async () => {
    const quota = 150;
    const cap = 2;
    const campaignId = await openCampaign(quota, cap, 150);
    const members: Member[] = [];
    await inPool(
      Array.from({ length: 100 }, (_, i) => i),
      8,
      async (i) => {
        members.push(await registerMember(i % 2 ? nodeA : nodeB, 'Grabber'));
      },
    );
    // 400 grabs (4 keys per member, cap 2: 200 wanted, 150 to give). Every grab goes to one node
    // and, once answered, is retried on the other; every third is also sent to the other node
    // while the first is in flight, as an impatient app would.
    const grabs = members.flatMap((m) => [0, 1, 2, 3].map((i) => ({ m, k: randomUUID(), first: Math.random() < 0.5 ? nodeA : nodeB, eager: i % 3 === 0 })));
    for (let i = grabs.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [grabs[i], grabs[j]] = [grabs[j] as (typeof grabs)[0], grabs[i] as (typeof grabs)[0]];
    }
    const other = (node: TestApp) => (node === nodeA ? nodeB : nodeA);
    const results: { member: string; key: string; first: Outcome; retry: Outcome; eager?: Outcome }[] = [];
    await inPool(grabs, 48, async ({ m, k, first, eager }) => {
      const [answer, eagerAnswer] = await Promise.all([grab(first, m, campaignId, k), eager ? grab(other(first), m, campaignId, k) : undefined]);
      const retry = await grab(other(first), m, campaignId, k);
      results.push({ member: m.id, key: k, first: answer, retry, eager: eagerAnswer });
    });
    const all = results.flatMap((r) => [r.first, r.retry, ...(r.eager ? [r.eager] : [])]);
    expect(all.filter((o) => o.status >= 500)).toEqual([]);
    expect(all.filter((o) => !(o.status === 201 || o.code === 'COUPON_SOLD_OUT' || o.code === 'COUPON_CAP_REACHED'))).toEqual([]);
    // A retry gets the answer the grab got, on either node, even while the first is in flight:
    // the same coupon, or a refusal (sold out and at the cap may both be true by then).
    const same = (x: Outcome, y: Outcome) => x.status === y.status && x.couponId === y.couponId;
    expect(results.filter((r) => !same(r.retry, r.first) || (r.eager && !same(r.eager, r.first)))).toEqual([]);

    const rows = await couponsInSql(campaignId);
    expect(rows).toHaveLength(quota);
    const issuedAnswers = new Set(all.filter((o) => o.couponId).map((o) => o.couponId));
    expect([...issuedAnswers].sort()).toEqual(rows.map((r) => String(r.id)).sort());
    expect(new Set(rows.map((r) => `${r.account_id}:${r.grab_key}`)).size).toBe(quota);
    const held = new Map<number, number>();
    for (const r of rows) held.set(r.account_id, (held.get(r.account_id) ?? 0) + 1);
    expect(Math.max(...held.values())).toBeLessThanOrEqual(cap);
    // "Cap reached" is said only to a member who holds the cap.
    const toldCapped = new Set(results.filter((r) => [r.first, r.retry, r.eager].some((o) => o?.code === 'COUPON_CAP_REACHED')).map((r) => Number(r.member)));
    expect([...toldCapped].filter((id) => held.get(id) !== cap)).toEqual([]);

    for (const node of [nodeA, nodeB]) {
      const listed = await api(node, op.token).get('/api/v1/coupon-campaigns');
      const campaign = listed.body.campaigns.find((c: { id: string }) => c.id === campaignId);
      expect(campaign.batches.map((b: { issued: number }) => b.issued)).toEqual([quota, 0]);
    }
    await expectLedgerSound(nodeA);
  }, 60_000);
});
