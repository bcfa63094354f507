import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { available, expectLedgerSound, fund, key, PIN, inPool } from '../wallet/test-helpers.js';
import { signWebhook } from './service.js';

const DAY_MS = 24 * 3600 * 1000;

async function openMerchant(owner: Member, operator: Member, overrides: Record<string, unknown> = {}): Promise<string> {
  const applied = await owner.http.post('/api/v1/merchants', {
    businessName: 'Noodle Stall',
    category: 'food',
    licenceNumber: 'LIC-123456',
    address: '1 Market Street',
    lat: 31.2304,
    lng: 121.4737,
    ...overrides,
  });
  if (applied.status !== 201) throw new Error(`apply: ${JSON.stringify(applied.body)}`);
  const reviewed = await operator.http.post(`/api/v1/operator/merchants/${applied.body.merchant.id}/review`, { decision: 'approve' });
  if (reviewed.status !== 200) throw new Error(`review: ${JSON.stringify(reviewed.body)}`);
  return applied.body.merchant.id;
}

async function staticToken(owner: Member, merchantId: string): Promise<string> {
  const details = await owner.http.get(`/api/v1/merchants/${merchantId}`);
  return String(details.body.staticQrContent).replace('plaza://pay/', '');
}

async function merchantBalance(owner: Member, merchantId: string): Promise<number> {
  return Number((await owner.http.get(`/api/v1/merchants/${merchantId}`)).body.balanceMinor);
}

describe.each(dialects)('merchants on %s', (dialect) => {
  let app: TestApp;
  let op: Member;
  let owner: Member;
  let payer: Member;
  let cashier: Member;
  let merchantId: string;
  beforeAll(async () => {
    app = await startApp({ dialect });
    op = await registerMember(app, 'Operator');
    await makeOperator(app, op);
    owner = await registerMember(app, 'Owner');
    payer = await registerMember(app, 'Payer');
    cashier = await registerMember(app, 'Cashier');
    await fund(payer, 1_000_000);
    await fund(owner, 0);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('takes an application, refuses a second one and lets only operators review it', async () => {
    const applied = await owner.http.post('/api/v1/merchants', {
      businessName: '兰州拉面馆',
      category: 'food',
      licenceNumber: 'LIC-998877',
      address: '上海市黄浦区南京东路 1 号',
      lat: 31.2304,
      lng: 121.4737,
    });
    expect(applied.status).toBe(201);
    expect(applied.body.merchant).toMatchObject({ status: 'pending', category: 'food', lat: 31.2304 });
    merchantId = applied.body.merchant.id;
    const again = await owner.http.post('/api/v1/merchants', {
      businessName: 'X',
      category: 'food',
      licenceNumber: 'LIC-000000',
      address: 'a',
      lat: 0,
      lng: 0,
    });
    expect(again.body.error.code).toBe('MERCHANT_ALREADY_APPLIED');
    const bad = await payer.http.post('/api/v1/merchants', {
      businessName: 'X',
      category: 'weapons',
      licenceNumber: 'LIC-000000',
      address: 'a',
      lat: 0,
      lng: 0,
    });
    expect(bad.status).toBe(400);
    expect((await owner.http.post(`/api/v1/operator/merchants/${merchantId}/review`, { decision: 'approve' })).status).toBe(403);
    // Not approved yet: no QR payments.
    const token = await staticToken(owner, merchantId);
    const early = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '100', pin: PIN }, key());
    expect(early.body.error.code).toBe('MERCHANT_NOT_APPROVED');
    const queue = await op.http.get('/api/v1/operator/merchants?status=pending');
    expect(queue.body.merchants.map((m: { id: string }) => m.id)).toContain(merchantId);
    const reviewed = await op.http.post(`/api/v1/operator/merchants/${merchantId}/review`, { decision: 'approve', note: 'ok' });
    expect(reviewed.body.merchant.status).toBe('approved');
    expect((await op.http.post(`/api/v1/operator/merchants/${merchantId}/review`, { decision: 'reject' })).body.error.code).toBe('MERCHANT_REVIEW_CLOSED');
  });

  it('adds staff only from the owner’s contacts, and roles limit what staff may do', async () => {
    const refused = await owner.http.post(`/api/v1/merchants/${merchantId}/staff`, { accountId: cashier.id, role: 'cashier' });
    expect(refused.body.error.code).toBe('MERCHANT_STAFF_NOT_CONTACT');
    await makeFriends(owner, cashier);
    const added = await owner.http.post(`/api/v1/merchants/${merchantId}/staff`, { accountId: cashier.id, role: 'cashier' });
    expect(added.status).toBe(200);
    expect(added.body.staff).toEqual([expect.objectContaining({ accountId: cashier.id, role: 'cashier' })]);
    expect((await cashier.http.get(`/api/v1/merchants/${merchantId}`)).body.role).toBe('cashier');
    expect((await cashier.http.post(`/api/v1/merchants/${merchantId}/api-keys`)).body.error.code).toBe('MERCHANT_FORBIDDEN');
    expect((await payer.http.get(`/api/v1/merchants/${merchantId}`)).body.error.code).toBe('MERCHANT_FORBIDDEN');
  });

  it('takes a static QR payment with the PIN, charges the fee, earns a point and answers retries once', async () => {
    const token = await staticToken(owner, merchantId);
    const before = await available(payer);
    const headers = key();
    const body = { amountMinor: '10000', pin: PIN };
    expect((await payer.http.post(`/api/v1/pay/${token}`, body)).body.error.code).toBe('WALLET_IDEMPOTENCY_KEY_REQUIRED');
    expect((await payer.http.post(`/api/v1/pay/${token}`, { ...body, pin: '000111' }, key())).body.error.code).toBe('WALLET_PIN_WRONG');
    const paid = await payer.http.post(`/api/v1/pay/${token}`, body, headers);
    expect(paid.status).toBe(201);
    expect(paid.body.payment).toMatchObject({ channel: 'static', status: 'paid', amountMinor: '10000', paidMinor: '10000', feeMinor: '60', points: '1' });
    const again = await payer.http.post(`/api/v1/pay/${token}`, body, headers);
    expect(again.body).toEqual(paid.body);
    const reused = await payer.http.post(`/api/v1/pay/${token}`, { ...body, amountMinor: '10001' }, headers);
    expect(reused.status).toBe(422);
    expect(await available(payer)).toBe(before - 10000);
    expect(await merchantBalance(owner, merchantId)).toBe(10000 - 60);
    expect((await owner.http.get(`/api/v1/merchants/${merchantId}`)).body.points).toBe('1');
    const self = await owner.http.post(`/api/v1/pay/${token}`, body, key());
    expect(self.body.error.code).toBe('MERCHANT_SELF_PAYMENT');
    await expectLedgerSound(app);
  });

  it('sends payment results live to the owner and staff inboxes', async () => {
    for (const who of [owner, cashier]) {
      const sync = await who.http.get('/api/v1/sync?afterSeq=0&limit=500');
      const payments = sync.body.events.filter((e: { type: string }) => e.type === 'merchant.payment');
      expect(payments.length).toBeGreaterThanOrEqual(1);
      expect(payments[0].payment).toMatchObject({ merchantId, status: 'paid' });
    }
  });

  it('creates dynamic orders by API key (hashed), pays each once and refuses expired ones', async () => {
    const created = await owner.http.post(`/api/v1/merchants/${merchantId}/api-keys`);
    expect(created.status).toBe(201);
    const apiKey: string = created.body.apiKey.key;
    const stored = await app.plaza.ctx.db
      .selectFrom('merchant_api_keys' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(stored)).not.toContain(apiKey);
    const apiHeaders = { 'x-merchant-key': apiKey };
    const unauth = await fetch(`${app.url}/api/v1/merchant-api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amountMinor":"500"}',
    });
    expect(unauth.status).toBe(401);
    const order = await payer.http.raw(
      'POST',
      '/api/v1/merchant-api/orders',
      { amountMinor: '2500', description: 'Beef noodles', outTradeNo: 'ORD-1' },
      apiHeaders,
    );
    expect(order.status).toBe(201);
    expect(order.body.order).toMatchObject({ status: 'open', amountMinor: '2500', outTradeNo: 'ORD-1' });
    const same = await payer.http.raw(
      'POST',
      '/api/v1/merchant-api/orders',
      { amountMinor: '2500', description: 'Beef noodles', outTradeNo: 'ORD-1' },
      apiHeaders,
    );
    expect(same.status).toBe(200);
    expect(same.body.order.id).toBe(order.body.order.id);
    const clash = await payer.http.raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '2600', outTradeNo: 'ORD-1' }, apiHeaders);
    expect(clash.body.error.code).toBe('MERCHANT_ORDER_EXISTS');
    const token = String(order.body.order.qrContent).replace('plaza://pay/', '');
    const preview = await payer.http.get(`/api/v1/pay/${token}`);
    expect(preview.body.order.amountMinor).toBe('2500');
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { pin: PIN }, key());
    expect(paid.status).toBe(201);
    expect((await payer.http.post(`/api/v1/pay/${token}`, { pin: PIN }, key())).body.error.code).toBe('MERCHANT_ORDER_CLOSED');
    const queried = await payer.http.raw('GET', '/api/v1/merchant-api/orders/ORD-1', undefined, apiHeaders);
    expect(queried.body.order.status).toBe('paid');
    const refunded = await payer.http.raw('POST', '/api/v1/merchant-api/refunds', { outTradeNo: 'ORD-1', refundNo: 'API-R-1', amountMinor: '500' }, apiHeaders);
    expect(refunded.status).toBe(201);
    const again = await payer.http.raw('POST', '/api/v1/merchant-api/refunds', { outTradeNo: 'ORD-1', refundNo: 'API-R-1', amountMinor: '500' }, apiHeaders);
    expect(again.body.refund.id).toBe(refunded.body.refund.id);
    const lookup = await payer.http.raw('GET', '/api/v1/merchant-api/refunds/API-R-1', undefined, apiHeaders);
    expect(lookup.body.refund).toMatchObject({ amountMinor: '500', refundNo: 'API-R-1' });
    const code = (await payer.http.post('/api/v1/payment-codes')).body.paymentCode.code;
    const charged = await payer.http.raw(
      'POST',
      '/api/v1/merchant-api/charges',
      { code, amountMinor: '300', outTradeNo: 'POS-1' },
      { ...apiHeaders, ...key() },
    );
    expect(charged.status).toBe(201);
    expect(charged.body.payment).toMatchObject({ channel: 'code', outTradeNo: 'POS-1', status: 'paid' });
    const revokedKeyId = created.body.apiKey.id;
    await owner.http.delete(`/api/v1/merchants/${merchantId}/api-keys/${revokedKeyId}`);
    expect((await payer.http.raw('GET', '/api/v1/merchant-api/orders/ORD-1', undefined, apiHeaders)).status).toBe(401);

    const short = await owner.http.post(`/api/v1/merchants/${merchantId}/orders`, { amountMinor: '100', expiresInSeconds: 30 });
    const wallet = app.plaza.services.wallet;
    const realNow = Date.now();
    wallet.setClock(() => realNow + 60_000);
    try {
      const late = await payer.http.post(`/api/v1/pay/${String(short.body.order.qrContent).replace('plaza://pay/', '')}`, { pin: PIN }, key());
      expect(late.body.error.code).toBe('MERCHANT_ORDER_CLOSED');
    } finally {
      wallet.setClock(() => Date.now());
    }
    await expectLedgerSound(app);
  });

  it('charges a one-time payment code, and waits for the PIN above the threshold', async () => {
    const code = (await payer.http.post('/api/v1/payment-codes')).body.paymentCode;
    expect(code.code).toMatch(/^[0-9]{18}$/);
    const charge = await cashier.http.post(`/api/v1/merchants/${merchantId}/charges`, { code: code.code, amountMinor: '1500' }, key());
    expect(charge.status).toBe(201);
    expect(charge.body.payment).toMatchObject({ channel: 'code', status: 'paid', payerId: payer.id });
    const reuse = await cashier.http.post(`/api/v1/merchants/${merchantId}/charges`, { code: code.code, amountMinor: '1500' }, key());
    expect(reuse.body.error.code).toBe('MERCHANT_PAYMENT_CODE_INVALID');
    // A fresh code retires the previous one.
    const first = (await payer.http.post('/api/v1/payment-codes')).body.paymentCode.code;
    const second = (await payer.http.post('/api/v1/payment-codes')).body.paymentCode.code;
    expect((await cashier.http.post(`/api/v1/merchants/${merchantId}/charges`, { code: first, amountMinor: '100' }, key())).body.error.code).toBe(
      'MERCHANT_PAYMENT_CODE_INVALID',
    );
    const before = await available(payer);
    const big = await cashier.http.post(`/api/v1/merchants/${merchantId}/charges`, { code: second, amountMinor: '50000' }, key());
    expect(big.status).toBe(202);
    expect(big.body.payment.status).toBe('awaiting_pin');
    expect(await available(payer)).toBe(before);
    const wrong = await payer.http.post(`/api/v1/merchant-payments/${big.body.payment.id}/confirm`, { pin: '000111' }, key());
    expect(wrong.body.error.code).toBe('WALLET_PIN_WRONG');
    const confirmed = await payer.http.post(`/api/v1/merchant-payments/${big.body.payment.id}/confirm`, { pin: PIN }, key());
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.payment.status).toBe('paid');
    expect(await available(payer)).toBe(before - 50000);
    await expectLedgerSound(app);
  });

  it('signs webhooks with HMAC-SHA256 and retries a failing receiver with backoff', async () => {
    const received: { body: string; signature: string; eventId: string }[] = [];
    let failuresLeft = 2;
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ body, signature: String(request.headers['x-plaza-signature']), eventId: String(request.headers['x-plaza-event-id']) });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          response.writeHead(500).end();
        } else response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const merchants = app.plaza.services.merchants;
      merchants.settings.webhookBackoffMs = 20;
      const set = await owner.http.put(`/api/v1/merchants/${merchantId}/webhook`, { url: `http://127.0.0.1:${port}/hook` });
      const secret: string = set.body.webhook.secret;
      const token = await staticToken(owner, merchantId);
      const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '777', pin: PIN }, key());
      expect(paid.status).toBe(201);
      for (let i = 0; i < 200 && received.length < 3; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        await merchants.deliverDue();
      }
      expect(received.length).toBe(3);
      const ids = new Set(received.map((r) => r.eventId));
      expect(ids.size).toBe(1);
      for (const r of received) {
        expect(r.signature).toBe(signWebhook(secret, r.body));
        expect(JSON.parse(r.body)).toMatchObject({ type: 'payment.succeeded', data: { payment: { id: paid.body.payment.id } } });
      }
      expect(signWebhook('other-secret', received[0]?.body ?? '')).not.toBe(received[0]?.signature);
      const deliveries = await owner.http.get(`/api/v1/merchants/${merchantId}/webhooks`);
      expect(deliveries.body.deliveries[0]).toMatchObject({ attempts: 3, lastStatus: 200 });
      await owner.http.put(`/api/v1/merchants/${merchantId}/webhook`, { url: null });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refunds in part and in full, idempotent by refund number, never beyond the payment', async () => {
    const token = await staticToken(owner, merchantId);
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '10000', pin: PIN }, key());
    const paymentId = paid.body.payment.id;
    const before = await available(payer);
    expect((await cashier.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-0', amountMinor: '1' })).body.error.code).toBe(
      'MERCHANT_FORBIDDEN',
    );
    const first = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-1', amountMinor: '3000' });
    expect(first.status).toBe(201);
    expect(first.body.payment.refundedMinor).toBe('3000');
    const retry = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-1', amountMinor: '3000' });
    expect(retry.body).toEqual(first.body);
    const changed = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-1', amountMinor: '3001' });
    expect(changed.status).toBe(422);
    const over = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-2', amountMinor: '7001' });
    expect(over.body.error.code).toBe('MERCHANT_REFUND_EXCEEDS');
    // Concurrent refunds cannot together pass the payment either.
    const racing = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: `R-race-${i}`, amountMinor: '2000' })),
    );
    expect(racing.filter((r) => r.status === 201).length).toBe(3);
    expect(racing.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'MERCHANT_REFUND_EXCEEDS')).toBe(true);
    const rest = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-3', amountMinor: '1000' });
    expect(rest.body.payment.refundedMinor).toBe('10000');
    expect(await available(payer)).toBe(before + 10000);
    const none = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: 'R-4', amountMinor: '1' });
    expect(none.body.error.code).toBe('MERCHANT_REFUND_EXCEEDS');
    const byNo = await owner.http.get(`/api/v1/merchants/${merchantId}/refunds/R-3`);
    expect(byNo.body.refund.amountMinor).toBe('1000');
    await expectLedgerSound(app);
  });

  it('takes at most 50 refunds per payment and none after a year', async () => {
    const token = await staticToken(owner, merchantId);
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '100', pin: PIN }, key());
    const paymentId = paid.body.payment.id;
    for (let i = 0; i < 50; i += 1) {
      const r = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: `P-${paymentId}-${i}`, amountMinor: '1' });
      expect(r.status).toBe(201);
    }
    const fiftyFirst = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId, refundNo: `P-${paymentId}-50`, amountMinor: '1' });
    expect(fiftyFirst.body.error.code).toBe('MERCHANT_REFUND_LIMIT');
    const old = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '100', pin: PIN }, key());
    const wallet = app.plaza.services.wallet;
    const realNow = Date.now();
    wallet.setClock(() => realNow + 366 * DAY_MS);
    try {
      const late = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, { paymentId: old.body.payment.id, refundNo: 'LATE-1', amountMinor: '1' });
      expect(late.body.error.code).toBe('MERCHANT_REFUND_WINDOW');
    } finally {
      wallet.setClock(() => Date.now());
    }
    await expectLedgerSound(app);
  });

  it('redeems payment points against fees and for cash within the operator’s rules', async () => {
    const summary = await owner.http.get(`/api/v1/merchants/${merchantId}/points`);
    const points = Number(summary.body.points);
    expect(points).toBeGreaterThanOrEqual(8);
    const feesPaid = Number(summary.body.feesPaidMinor);
    // Fees paid so far are well under 100 CNY, so 2 points (200 fen) against fees may or may not fit:
    const tooMuch = await owner.http.post(
      `/api/v1/merchants/${merchantId}/points/redemptions`,
      { points: String(Math.floor(feesPaid / 100) + 1), target: 'fees' },
      key(),
    );
    expect(tooMuch.body.error.code).toBe('MERCHANT_POINTS_RULE');
    await op.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 1, pointValueMinor: 100, cashEnabled: true, cashMaxPointsPerDay: 2 });
    const before = await merchantBalance(owner, merchantId);
    const headers = key();
    const cash = await owner.http.post(`/api/v1/merchants/${merchantId}/points/redemptions`, { points: '2', target: 'cash' }, headers);
    expect(cash.status).toBe(201);
    expect((await owner.http.post(`/api/v1/merchants/${merchantId}/points/redemptions`, { points: '2', target: 'cash' }, headers)).body).toEqual(cash.body);
    expect(await merchantBalance(owner, merchantId)).toBe(before + 200);
    const overDay = await owner.http.post(`/api/v1/merchants/${merchantId}/points/redemptions`, { points: '1', target: 'cash' }, key());
    expect(overDay.body.error.code).toBe('MERCHANT_POINTS_RULE');
    await op.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 1, pointValueMinor: 100, cashEnabled: false, cashMaxPointsPerDay: 100 });
    const off = await owner.http.post(`/api/v1/merchants/${merchantId}/points/redemptions`, { points: '1', target: 'cash' }, key());
    expect(off.body.error.code).toBe('MERCHANT_POINTS_RULE');
    expect((await owner.http.get(`/api/v1/merchants/${merchantId}/points`)).body.points).toBe(String(points - 2));
    await op.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 1, pointValueMinor: 100, cashEnabled: true, cashMaxPointsPerDay: 100 });
    await expectLedgerSound(app);
  });

  it('applies the best eligible coupon at payment, moves the subsidy from the budget, and returns the rest at the end', async () => {
    const now = Date.now();
    const other = await registerMember(app, 'Bookshop owner');
    const bookshop = await openMerchant(other, op, { businessName: 'Bookshop', category: 'education' });
    const campaign = async (name: string, face: string, threshold: string) => {
      const r = await op.http.post(
        '/api/v1/operator/coupon-campaigns',
        {
          name,
          budgetMinor: '100000',
          faceMinor: face,
          thresholdMinor: threshold,
          perMemberCap: 2,
          categories: ['food'],
          batches: [{ releaseAt: new Date(now - 1000).toISOString(), quota: 10 }],
          validFrom: new Date(now - 2000).toISOString(),
          validUntil: new Date(now + DAY_MS).toISOString(),
        },
        key(),
      );
      expect(r.status).toBe(201);
      return r.body.campaign.id as string;
    };
    const small = await campaign('5 off 50', '500', '5000');
    const big = await campaign('20 off 100', '2000', '10000');
    const invalid = await op.http.post(
      '/api/v1/operator/coupon-campaigns',
      {
        name: 'too big',
        budgetMinor: '1000',
        faceMinor: '500',
        thresholdMinor: '5000',
        perMemberCap: 1,
        batches: [{ releaseAt: new Date(now).toISOString(), quota: 3 }],
        validFrom: new Date(now).toISOString(),
        validUntil: new Date(now + DAY_MS).toISOString(),
      },
      key(),
    );
    expect(invalid.body.error.code).toBe('COUPON_CAMPAIGN_INVALID');
    const smallCoupon = await payer.http.post(`/api/v1/coupon-campaigns/${small}/grabs`, undefined, key());
    expect(smallCoupon.status).toBe(201);
    const bigCoupon = await payer.http.post(`/api/v1/coupon-campaigns/${big}/grabs`, undefined, key());
    expect(bigCoupon.status).toBe(201);

    // Not eligible at the bookshop: the full amount is paid.
    const bookToken = await staticToken(other, bookshop);
    const atBookshop = await payer.http.post(`/api/v1/pay/${bookToken}`, { amountMinor: '12000', pin: PIN }, key());
    expect(atBookshop.body.payment).toMatchObject({ couponId: null, subsidyMinor: '0', paidMinor: '12000' });

    const token = await staticToken(owner, merchantId);
    const preview = await payer.http.get(`/api/v1/pay/${token}?amountMinor=12000`);
    expect(preview.body.coupon.id).toBe(bigCoupon.body.coupon.id);
    const beforePayer = await available(payer);
    const beforeMerchant = await merchantBalance(owner, merchantId);
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '12000', pin: PIN }, key());
    expect(paid.body.payment).toMatchObject({ couponId: bigCoupon.body.coupon.id, subsidyMinor: '2000', paidMinor: '10000', feeMinor: '72' });
    expect(await available(payer)).toBe(beforePayer - 10000);
    expect(await merchantBalance(owner, merchantId)).toBe(beforeMerchant + 12000 - 72);
    // Below the big coupon's threshold the small one applies.
    const second = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '6000', pin: PIN }, key());
    expect(second.body.payment).toMatchObject({ couponId: smallCoupon.body.coupon.id, subsidyMinor: '500' });
    const third = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '6000', pin: PIN }, key());
    expect(third.body.payment.couponId).toBeNull();
    const mine = await payer.http.get('/api/v1/coupons');
    expect(mine.body.coupons.filter((c: { status: string }) => c.status === 'used').length).toBe(2);
    await expectLedgerSound(app);

    const dashboard = await op.http.get(`/api/v1/operator/coupon-campaigns/${big}/dashboard`);
    expect(dashboard.body.totals).toMatchObject({ issued: 1, used: 1, subsidyMinor: '2000', gmvMinor: '12000', gmvPerSubsidy: 6 });
    expect(dashboard.body.byCategory).toEqual([expect.objectContaining({ category: 'food', used: 1, subsidyMinor: '2000' })]);

    // A second coupon of the big campaign expires unused; at the end the budget goes back.
    await payer.http.post(`/api/v1/coupon-campaigns/${big}/grabs`, undefined, key());
    const merchants = app.plaza.services.merchants;
    const wallet = app.plaza.services.wallet;
    const fees = await wallet.ledger.account(0, 'fees', 'CNY');
    const feesBefore = (await wallet.ledger.balance(fees)).balanceMinor;
    wallet.setClock(() => now + 2 * DAY_MS);
    try {
      const swept = await merchants.sweepCoupons();
      expect(swept.couponsExpired).toBeGreaterThanOrEqual(1);
      expect(swept.campaignsClosed).toBeGreaterThanOrEqual(2);
    } finally {
      wallet.setClock(() => Date.now());
    }
    const budget = await wallet.ledger.account(Number(big), 'coupon_budget', 'CNY');
    expect((await wallet.ledger.balance(budget)).balanceMinor).toBe(0);
    expect((await wallet.ledger.balance(fees)).balanceMinor).toBe(feesBefore + (100000 - 2000) + (100000 - 500));
    expect((await payer.http.get('/api/v1/coupons')).body.coupons.filter((c: { status: string }) => c.status === 'expired').length).toBe(1);
    await expectLedgerSound(app);
  });

  it('returns the subsidy to the campaign when a couponed payment is refunded in full', async () => {
    const now = Date.now();
    const r = await op.http.post(
      '/api/v1/operator/coupon-campaigns',
      {
        name: '10 off 30',
        budgetMinor: '10000',
        faceMinor: '1000',
        thresholdMinor: '3000',
        perMemberCap: 1,
        merchantIds: [merchantId],
        batches: [{ releaseAt: new Date(now - 1000).toISOString(), quota: 5 }],
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + DAY_MS).toISOString(),
      },
      key(),
    );
    const campaignId = r.body.campaign.id;
    await payer.http.post(`/api/v1/coupon-campaigns/${campaignId}/grabs`, undefined, key());
    const token = await staticToken(owner, merchantId);
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '3000', pin: PIN }, key());
    expect(paid.body.payment.subsidyMinor).toBe('1000');
    const budget = await app.plaza.services.wallet.ledger.account(Number(campaignId), 'coupon_budget', 'CNY');
    expect((await app.plaza.services.wallet.ledger.balance(budget)).balanceMinor).toBe(9000);
    const full = await owner.http.post(`/api/v1/merchants/${merchantId}/refunds`, {
      paymentId: paid.body.payment.id,
      refundNo: `FULL-${paid.body.payment.id}`,
      amountMinor: '2000',
    });
    expect(full.status).toBe(201);
    expect((await app.plaza.services.wallet.ledger.balance(budget)).balanceMinor).toBe(10000);
    await expectLedgerSound(app);
  });

  it('issues exactly the quota under 10,000 concurrent grabs, holds the cap and answers retries with the same coupon', async () => {
    const now = Date.now();
    const created = await op.http.post(
      '/api/v1/operator/coupon-campaigns',
      {
        name: 'Rush',
        budgetMinor: '2000000',
        faceMinor: '1000',
        thresholdMinor: '2000',
        perMemberCap: 2,
        batches: [
          { releaseAt: new Date(now - 1000).toISOString(), quota: 1000 },
          { releaseAt: new Date(now + DAY_MS / 2).toISOString(), quota: 1000 },
        ],
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + DAY_MS).toISOString(),
      },
      key(),
    );
    expect(created.status).toBe(201);
    const campaignId = created.body.campaign.id;
    const members: Member[] = [];
    await inPool(
      Array.from({ length: 1250 }, (_, i) => i),
      16,
      async () => {
        members.push(await registerMember(app, 'Grabber'));
      },
    );
    // Each member grabs with 4 keys, each key sent twice: 10,000 requests, 5,000 distinct grabs.
    const requests = members.flatMap((m) =>
      [0, 1, 2, 3].flatMap(() => {
        const k = randomUUID();
        return [
          { m, k },
          { m, k },
        ];
      }),
    );
    for (let i = requests.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [requests[i], requests[j]] = [requests[j] as (typeof requests)[0], requests[i] as (typeof requests)[0]];
    }
    expect(requests.length).toBe(10_000);
    const outcomes: { member: string; key: string; status: number; couponId?: string; code?: string }[] = [];
    await inPool(requests, 400, async ({ m, k }) => {
      const r = await m.http.post(`/api/v1/coupon-campaigns/${campaignId}/grabs`, undefined, { 'idempotency-key': k });
      outcomes.push({ member: m.id, key: k, status: r.status, couponId: r.body?.coupon?.id, code: r.body?.error?.code });
    });
    const issued = new Set(outcomes.filter((o) => o.status === 201).map((o) => o.couponId));
    expect(issued.size).toBe(1000);
    expect(outcomes.filter((o) => !(o.status === 201 || o.code === 'COUPON_SOLD_OUT' || o.code === 'COUPON_CAP_REACHED'))).toEqual([]);
    // A retry of a key that got a coupon got the same coupon.
    const byKey = new Map<string, Set<string>>();
    for (const o of outcomes) if (o.couponId) byKey.set(o.key, (byKey.get(o.key) ?? new Set()).add(o.couponId));
    for (const ids of byKey.values()) expect(ids.size).toBe(1);
    const rows = await app.plaza.ctx.db
      .selectFrom('coupons' as never)
      .select(['account_id' as never])
      .where('campaign_id' as never, '=', Number(campaignId) as never)
      .execute();
    expect(rows.length).toBe(1000);
    const perMember = new Map<number, number>();
    for (const r of rows as { account_id: number }[]) perMember.set(Number(r.account_id), (perMember.get(Number(r.account_id)) ?? 0) + 1);
    expect(Math.max(...perMember.values())).toBeLessThanOrEqual(2);
    const campaigns = await payer.http.get('/api/v1/coupon-campaigns');
    const rush = campaigns.body.campaigns.find((c: { id: string }) => c.id === campaignId);
    expect(rush.batches[0]).toMatchObject({ quota: 1000, issued: 1000 });
    expect(rush.batches[1]).toMatchObject({ issued: 0 });
    await expectLedgerSound(app);
  }, 180_000);

  it('finds merchants by partial Chinese or English words, category and distance', async () => {
    const far = await registerMember(app, 'Far owner');
    await openMerchant(far, op, { businessName: 'Lanzhou Noodles 拉面', category: 'food', lat: 39.9042, lng: 116.4074, address: 'Beijing' });
    const grocer = await registerMember(app, 'Grocer');
    await openMerchant(grocer, op, { businessName: 'Corner Grocery', category: 'grocery', lat: 31.231, lng: 121.474, address: 'Shanghai' });
    const chinese = await payer.http.get(`/api/v1/merchants/search?q=${encodeURIComponent('拉面')}&lat=31.2304&lng=121.4737`);
    expect(chinese.body.results.map((r: { businessName: string }) => r.businessName)).toEqual(['兰州拉面馆', 'Lanzhou Noodles 拉面']);
    expect(chinese.body.results[0].distanceM).toBe(0);
    expect(chinese.body.results[1].distanceM).toBeGreaterThan(1_000_000);
    const near = await payer.http.get('/api/v1/merchants/search?q=noodle&lat=31.2304&lng=121.4737&radiusM=5000');
    expect(near.body.results.map((r: { businessName: string }) => r.businessName)).toEqual([]);
    const wildcard = await payer.http.get(`/api/v1/merchants/search?q=${encodeURIComponent('%')}`);
    expect(wildcard.body.results).toEqual([]);
    const partial = await payer.http.get('/api/v1/merchants/search?q=groc');
    expect(partial.body.results.map((r: { businessName: string }) => r.businessName)).toEqual(['Corner Grocery']);
    const food = await payer.http.get('/api/v1/merchants/search?category=food&lat=31.2304&lng=121.4737&radiusM=10000');
    expect(food.body.results.map((r: { businessName: string }) => r.businessName)).toEqual(['兰州拉面馆']);
  });

  it('serves a printable QR PNG and a daily report', async () => {
    const png = await fetch(`${app.url}/api/v1/merchants/${merchantId}/qr.png`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const pdf = await fetch(`${app.url}/api/v1/merchants/${merchantId}/qr.pdf`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const stranger = await fetch(`${app.url}/api/v1/merchants/${merchantId}/qr.pdf`, { headers: { authorization: `Bearer ${payer.token}` } });
    expect(stranger.status).toBe(403);
    const report = await owner.http.get(`/api/v1/merchants/${merchantId}/report?days=7`);
    expect(report.body.days).toHaveLength(7);
    const today = report.body.days[6];
    expect(today.count).toBeGreaterThan(5);
    expect(Number(today.refundedMinor)).toBeGreaterThan(0);
    const day = new Date().toISOString().slice(0, 10);
    const statement = await fetch(`${app.url}/api/v1/merchants/${merchantId}/statement.csv?day=${day}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const csv = await statement.text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^type,id,time/);
    const total = lines.find((l) => l.startsWith('total,'))?.split(',') ?? [];
    expect(Number(total[5])).toBe(Number(today.grossMinor) - Number(today.refundedMinor));
    expect(Number(total[8])).toBe(Number(today.feeMinor));
    expect(lines.filter((l) => l.startsWith('payment,')).length).toBe(today.count);
    await expectLedgerSound(app);
  });

  it('settles takings to the owner’s wallet with the PIN, once per key', async () => {
    const before = await merchantBalance(owner, merchantId);
    const ownerBefore = await available(owner);
    expect((await owner.http.post(`/api/v1/merchants/${merchantId}/settlements`, { amountMinor: '1000', pin: '000111' }, key())).body.error.code).toBe(
      'WALLET_PIN_WRONG',
    );
    expect((await cashier.http.post(`/api/v1/merchants/${merchantId}/settlements`, { amountMinor: '1000', pin: PIN }, key())).body.error.code).toBe(
      'MERCHANT_FORBIDDEN',
    );
    const headers = key();
    const settled = await owner.http.post(`/api/v1/merchants/${merchantId}/settlements`, { amountMinor: '1000', pin: PIN }, headers);
    expect(settled.status).toBe(201);
    expect((await owner.http.post(`/api/v1/merchants/${merchantId}/settlements`, { amountMinor: '1000', pin: PIN }, headers)).body).toEqual(settled.body);
    expect(await merchantBalance(owner, merchantId)).toBe(before - 1000);
    expect(await available(owner)).toBe(ownerBefore + 1000);
    const tooMuch = await owner.http.post(`/api/v1/merchants/${merchantId}/settlements`, { amountMinor: String(before), pin: PIN }, key());
    expect(tooMuch.body.error.code).toBe('WALLET_INSUFFICIENT_FUNDS');
    await expectLedgerSound(app);
  });
});
