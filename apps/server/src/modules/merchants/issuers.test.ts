import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { available, expectLedgerSound, fund, key, PIN } from '../wallet/test-helpers.js';

const DAY_MS = 24 * 3600 * 1000;

async function openMerchant(owner: Member, operator: Member, businessName: string, category: string): Promise<{ id: string; token: string }> {
  const applied = await owner.http.post('/api/v1/merchants', {
    businessName,
    category,
    licenceNumber: `LIC-${Math.floor(Math.random() * 1e9)}`,
    address: '1 Market Street',
    lat: 31.2304,
    lng: 121.4737,
  });
  if (applied.status !== 201) throw new Error(`apply: ${JSON.stringify(applied.body)}`);
  const reviewed = await operator.http.post(`/api/v1/operator/merchants/${applied.body.merchant.id}/review`, { decision: 'approve' });
  if (reviewed.status !== 200) throw new Error(`review: ${JSON.stringify(reviewed.body)}`);
  const details = await owner.http.get(`/api/v1/merchants/${applied.body.merchant.id}`);
  return { id: applied.body.merchant.id, token: String(details.body.staticQrContent).replace('plaza://pay/', '') };
}

function campaignBody(now: number, overrides: Record<string, unknown> = {}) {
  return {
    name: '20 off 100',
    budgetMinor: '100000',
    faceMinor: '2000',
    thresholdMinor: '10000',
    perMemberCap: 2,
    categories: ['food'],
    batches: [
      { releaseAt: new Date(now - 1000).toISOString(), quota: 10 },
      { releaseAt: new Date(now + DAY_MS / 2).toISOString(), quota: 10 },
    ],
    validFrom: new Date(now - 2000).toISOString(),
    validUntil: new Date(now + DAY_MS).toISOString(),
    ...overrides,
  };
}

describe.each(dialects)('coupon issuers on %s', (dialect) => {
  let app: TestApp;
  let op: Member;
  let clerk: Member;
  let deputy: Member;
  let rivalClerk: Member;
  let payer: Member;
  let outsider: Member;
  let townId: string;
  let rivalId: string;
  let townCampaign: string;
  let cook: Member;
  let paymentId: string;
  let noodlesId: string;

  const count = async (table: string) => {
    const row = await app.plaza.ctx.db
      .selectFrom(table as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number((row as { n: number | string }).n);
  };
  const issuerBalance = async (issuerId: string) => {
    const ledger = app.plaza.services.wallet.ledger;
    return (await ledger.balance(await ledger.account(Number(issuerId), 'coupon_issuer', 'CNY'))).balanceMinor;
  };

  beforeAll(async () => {
    app = await startApp({ dialect });
    op = await registerMember(app, 'Operator');
    await makeOperator(app, op);
    clerk = await registerMember(app, 'Town clerk');
    deputy = await registerMember(app, 'Deputy clerk');
    rivalClerk = await registerMember(app, 'Rival clerk');
    payer = await registerMember(app, 'Payer');
    outsider = await registerMember(app, 'Outsider');
    await fund(clerk, 500_000);
    await fund(rivalClerk, 100_000);
    await fund(payer, 500_000);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets only operators register issuers; members act only for the issuers they belong to', async () => {
    const body = { name: 'Riverside Town', region: 'Riverside', memberHandles: [clerk.handle] };
    expect((await clerk.http.post('/api/v1/operator/coupon-issuers', body)).status).toBe(403);
    const unknown = await op.http.post('/api/v1/operator/coupon-issuers', { ...body, memberHandles: ['nobody-here'] });
    expect(unknown.body.error.code).toBe('ACCOUNTS_NOT_FOUND');
    const created = await op.http.post('/api/v1/operator/coupon-issuers', body);
    expect(created.status).toBe(201);
    expect(created.body.issuer).toMatchObject({ name: 'Riverside Town', region: 'Riverside', status: 'active', balanceMinor: '0' });
    expect(created.body.issuer.members.map((m: { id: string }) => String(m.id))).toEqual([clerk.id]);
    townId = created.body.issuer.id;
    const rival = await op.http.post('/api/v1/operator/coupon-issuers', { name: 'Hillside Town', region: 'Hillside', memberHandles: [rivalClerk.handle] });
    rivalId = rival.body.issuer.id;

    const listed = await op.http.get('/api/v1/operator/coupon-issuers');
    expect(listed.body.issuers.map((i: { id: string }) => i.id)).toEqual([rivalId, townId]);
    expect((await clerk.http.get('/api/v1/issuer/issuers')).body.issuers.map((i: { id: string }) => i.id)).toEqual([townId]);
    expect((await outsider.http.get('/api/v1/issuer/issuers')).body.issuers).toEqual([]);
    expect((await clerk.http.get(`/api/v1/issuer/issuers/${townId}`)).body.issuer.name).toBe('Riverside Town');
    expect((await outsider.http.get(`/api/v1/issuer/issuers/${townId}`)).body.error.code).toBe('COUPON_ISSUER_FORBIDDEN');
    expect((await rivalClerk.http.get(`/api/v1/issuer/issuers/${townId}`)).status).toBe(403);
    expect((await clerk.http.get('/api/v1/issuer/issuers/999999')).body.error.code).toBe('COUPON_ISSUER_NOT_FOUND');

    // Add and remove a member; adding twice lists them once.
    await op.http.post(`/api/v1/operator/coupon-issuers/${townId}/members`, { handle: deputy.handle });
    const twice = await op.http.post(`/api/v1/operator/coupon-issuers/${townId}/members`, { handle: deputy.handle });
    expect(twice.body.issuer.members.map((m: { id: string }) => String(m.id)).sort()).toEqual([clerk.id, deputy.id].sort());
    expect((await deputy.http.get(`/api/v1/issuer/issuers/${townId}`)).status).toBe(200);
    const removed = await op.http.delete(`/api/v1/operator/coupon-issuers/${townId}/members/${deputy.id}`);
    expect(removed.body.issuer.members.map((m: { id: string }) => String(m.id))).toEqual([clerk.id]);
    expect((await deputy.http.get(`/api/v1/issuer/issuers/${townId}`)).body.error.code).toBe('COUPON_ISSUER_FORBIDDEN');
    expect((await clerk.http.post(`/api/v1/operator/coupon-issuers/${townId}/members`, { handle: deputy.handle })).status).toBe(403);
  });

  it("funds the issuer's account from a member's wallet (PIN, idempotent) and from the operator's fees", async () => {
    const route = `/api/v1/issuer/issuers/${townId}/fundings`;
    expect((await clerk.http.post(route, { amountMinor: '100000', pin: PIN })).body.error.code).toBe('WALLET_IDEMPOTENCY_KEY_REQUIRED');
    expect((await clerk.http.post(route, { amountMinor: '100000', pin: '000111' }, key())).body.error.code).toBe('WALLET_PIN_WRONG');
    expect((await clerk.http.post(route, { amountMinor: '-5', pin: PIN }, key())).status).toBe(400);
    expect((await outsider.http.post(route, { amountMinor: '100', pin: PIN }, key())).body.error.code).toBe('COUPON_ISSUER_FORBIDDEN');
    expect((await clerk.http.post(route, { amountMinor: '900000', pin: PIN }, key())).body.error.code).toBe('WALLET_INSUFFICIENT_FUNDS');

    const before = await available(clerk);
    const headers = key();
    const funded = await clerk.http.post(route, { amountMinor: '150000', pin: PIN }, headers);
    expect(funded.status).toBe(201);
    expect(funded.body.funding).toMatchObject({ issuerId: townId, amountMinor: '150000' });
    const again = await clerk.http.post(route, { amountMinor: '150000', pin: PIN }, headers);
    expect(again.body).toEqual(funded.body);
    expect((await clerk.http.post(route, { amountMinor: '150001', pin: PIN }, headers)).status).toBe(422);
    expect(await available(clerk)).toBe(before - 150000);
    expect(await issuerBalance(townId)).toBe(150000);

    const operatorRoute = `/api/v1/operator/coupon-issuers/${townId}/fundings`;
    expect((await clerk.http.post(operatorRoute, { amountMinor: '1000' }, key())).status).toBe(403);
    expect((await op.http.post(operatorRoute, { amountMinor: '50000' }, key())).status).toBe(201);
    expect((await clerk.http.get(`/api/v1/issuer/issuers/${townId}`)).body.issuer.balanceMinor).toBe('200000');

    // A suspended issuer can neither be funded nor fund campaigns; reinstated, it can again.
    const suspended = await op.http.put(`/api/v1/operator/coupon-issuers/${townId}/status`, { status: 'suspended' });
    expect(suspended.body.issuer.status).toBe('suspended');
    expect((await clerk.http.post(route, { amountMinor: '100', pin: PIN }, key())).body.error.code).toBe('COUPON_ISSUER_SUSPENDED');
    const campaign = await clerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(Date.now(), { budgetMinor: '40000' }), key());
    expect(campaign.body.error.code).toBe('COUPON_ISSUER_SUSPENDED');
    await op.http.put(`/api/v1/operator/coupon-issuers/${townId}/status`, { status: 'active' });
    expect(await issuerBalance(townId)).toBe(200000);
    await expectLedgerSound(app);
  });

  it('refuses a campaign the issuer cannot pay for, and writes nothing', async () => {
    const rows = async () => ({
      campaigns: await count('coupon_campaigns'),
      batches: await count('coupon_batches'),
      transfers: await count('ledger_transfers'),
    });
    const before = await rows();
    const short = await clerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(Date.now(), { budgetMinor: '200001' }), key());
    expect(short.status).toBe(409);
    expect(short.body.error.code).toBe('COUPON_ISSUER_INSUFFICIENT_FUNDS');
    expect(await rows()).toEqual(before);
    expect(await issuerBalance(townId)).toBe(200000);
    expect((await clerk.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`)).body.campaigns).toEqual([]);
    // Nothing to grab either.
    expect((await payer.http.get('/api/v1/coupon-campaigns')).body.campaigns).toEqual([]);
    const invalid = await clerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(Date.now(), { thresholdMinor: '1000' }), key());
    expect(invalid.body.error.code).toBe('COUPON_CAMPAIGN_INVALID');
    expect(await rows()).toEqual(before);
  });

  it("runs a town's campaign from its own account: grabbed, spent at an eligible shop, on its dashboard", async () => {
    const now = Date.now();
    cook = await registerMember(app, 'Cook');
    const bookseller = await registerMember(app, 'Bookseller');
    const noodles = await openMerchant(cook, op, 'Noodle Stall', 'food');
    const books = await openMerchant(bookseller, op, 'Bookshop', 'education');
    const fees = await app.plaza.services.wallet.ledger.account(0, 'fees', 'CNY');
    const feesBefore = (await app.plaza.services.wallet.ledger.balance(fees)).balanceMinor;

    const headers = key();
    const created = await clerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(now), headers);
    expect(created.status).toBe(201);
    expect(created.body.campaign).toMatchObject({ status: 'active', issuerId: townId, budgetMinor: '100000' });
    townCampaign = created.body.campaign.id;
    expect((await clerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(now), headers)).body).toEqual(created.body);
    expect(await issuerBalance(townId)).toBe(100000);
    // The operator's fees paid nothing for it.
    expect((await app.plaza.services.wallet.ledger.balance(fees)).balanceMinor).toBe(feesBefore);
    expect((await clerk.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`)).body.campaigns.map((c: { id: string }) => c.id)).toEqual([townCampaign]);
    const operatorList = await op.http.get('/api/v1/operator/coupon-campaigns');
    expect(operatorList.body.campaigns.find((c: { id: string }) => c.id === townCampaign)).toMatchObject({ issuerId: townId, issuerName: 'Riverside Town' });
    // Members see who pays for the coupons.
    const open = await payer.http.get('/api/v1/coupon-campaigns');
    expect(open.body.campaigns.find((c: { id: string }) => c.id === townCampaign).issuerName).toBe('Riverside Town');

    const coupon = await payer.http.post(`/api/v1/coupon-campaigns/${townCampaign}/grabs`, undefined, key());
    expect(coupon.status).toBe(201);
    const atBooks = await payer.http.post(`/api/v1/pay/${books.token}`, { amountMinor: '12000', pin: PIN }, key());
    expect(atBooks.body.payment).toMatchObject({ couponId: null, subsidyMinor: '0' });
    const before = await available(payer);
    const paid = await payer.http.post(`/api/v1/pay/${noodles.token}`, { amountMinor: '15000', pin: PIN }, key());
    expect(paid.body.payment).toMatchObject({ couponId: coupon.body.coupon.id, subsidyMinor: '2000', paidMinor: '13000' });
    expect(await available(payer)).toBe(before - 13000);
    paymentId = paid.body.payment.id;
    noodlesId = noodles.id;
    // Below the threshold no coupon applies; the takings let the shop refund in full later.
    const plain = await payer.http.post(`/api/v1/pay/${noodles.token}`, { amountMinor: '5000', pin: PIN }, key());
    expect(plain.body.payment).toMatchObject({ couponId: null, subsidyMinor: '0' });
    const budget = await app.plaza.services.wallet.ledger.account(Number(townCampaign), 'coupon_budget', 'CNY');
    expect((await app.plaza.services.wallet.ledger.balance(budget)).balanceMinor).toBe(98000);

    const dashboard = await clerk.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns/${townCampaign}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.totals).toMatchObject({ issued: 1, used: 1, subsidyMinor: '2000', gmvMinor: '15000', gmvPerSubsidy: 7.5 });
    expect(dashboard.body.byCategory).toEqual([expect.objectContaining({ category: 'food', used: 1, subsidyMinor: '2000' })]);
    expect(dashboard.body.byDay).toEqual([expect.objectContaining({ issued: 1, used: 1 })]);
    await expectLedgerSound(app);
  });

  it("hides one issuer's campaigns from another issuer", async () => {
    const mine = `/api/v1/issuer/issuers/${rivalId}/coupon-campaigns`;
    expect((await rivalClerk.http.get(mine)).body.campaigns).toEqual([]);
    const viaOwn = await rivalClerk.http.get(`/api/v1/issuer/issuers/${rivalId}/coupon-campaigns/${townCampaign}/dashboard`);
    expect(viaOwn.status).toBe(404);
    expect(viaOwn.body.error.code).toBe('COUPON_CAMPAIGN_NOT_FOUND');
    const viaTheirs = await rivalClerk.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns/${townCampaign}/dashboard`);
    expect(viaTheirs.status).toBe(403);
    expect((await rivalClerk.http.post(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`, campaignBody(Date.now()), key())).status).toBe(403);
    // Members and the operator never reach the issuer routes of an issuer they do not act for.
    expect((await op.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`)).status).toBe(403);
  });

  it('lets only one of two campaigns through when together they exceed the account, leaving no trace of the other', async () => {
    expect((await rivalClerk.http.post(`/api/v1/issuer/issuers/${rivalId}/fundings`, { amountMinor: '80000', pin: PIN }, key())).status).toBe(201);
    const before = { campaigns: await count('coupon_campaigns'), batches: await count('coupon_batches') };
    const now = Date.now();
    const body = campaignBody(now, { budgetMinor: '50000', batches: [{ releaseAt: new Date(now - 1000).toISOString(), quota: 10 }] });
    const outcomes = await Promise.all([
      rivalClerk.http.post(`/api/v1/issuer/issuers/${rivalId}/coupon-campaigns`, { ...body, name: 'first' }, key()),
      rivalClerk.http.post(`/api/v1/issuer/issuers/${rivalId}/coupon-campaigns`, { ...body, name: 'second' }, key()),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual([201, 409]);
    expect(outcomes.find((o) => o.status === 409)?.body.error.code).toBe('COUPON_ISSUER_INSUFFICIENT_FUNDS');
    expect(await count('coupon_campaigns')).toBe(before.campaigns + 1);
    expect(await count('coupon_batches')).toBe(before.batches + 1);
    expect(await issuerBalance(rivalId)).toBe(30000);
    expect((await rivalClerk.http.get(`/api/v1/issuer/issuers/${rivalId}/coupon-campaigns`)).body.campaigns).toHaveLength(1);
    await expectLedgerSound(app);
  });

  it('returns what is left at the end, and a later subsidy refund, to the issuer, not to the fees', async () => {
    const ledger = app.plaza.services.wallet.ledger;
    const wallet = app.plaza.services.wallet;
    const fees = await ledger.account(0, 'fees', 'CNY');
    const budget = await ledger.account(Number(townCampaign), 'coupon_budget', 'CNY');
    // A second coupon stays unused and expires.
    expect((await payer.http.post(`/api/v1/coupon-campaigns/${townCampaign}/grabs`, undefined, key())).status).toBe(201);
    const issuerBefore = await issuerBalance(townId);
    const feesBefore = (await ledger.balance(fees)).balanceMinor;
    const later = Date.now() + 2 * DAY_MS;
    wallet.setClock(() => later);
    try {
      const swept = await app.plaza.services.merchants.sweepCoupons();
      // The town's campaign and the rival's: each budget goes home.
      expect(swept.campaignsClosed).toBe(2);
      expect(swept.returnedMinor).toBe(98000 + 50000);
      expect(await issuerBalance(rivalId)).toBe(80000);
      expect(await issuerBalance(townId)).toBe(issuerBefore + 98000);
      expect((await ledger.balance(budget)).balanceMinor).toBe(0);
      expect((await ledger.balance(fees)).balanceMinor).toBe(feesBefore);

      // The payment is refunded in full after the campaign ended: its subsidy goes to the issuer.
      const refund = await cook.http.post(`/api/v1/merchants/${noodlesId}/refunds`, { paymentId, refundNo: `FULL-${paymentId}`, amountMinor: '13000' });
      expect(refund.status).toBe(201);
      expect(await issuerBalance(townId)).toBe(issuerBefore + 98000 + 2000);
      expect((await ledger.balance(budget)).balanceMinor).toBe(0);
    } finally {
      wallet.setClock(() => Date.now());
    }
    const closed = await clerk.http.get(`/api/v1/issuer/issuers/${townId}/coupon-campaigns`);
    expect(closed.body.campaigns[0].status).toBe('closed');
    await expectLedgerSound(app);
  });
});
