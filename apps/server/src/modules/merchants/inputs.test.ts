import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, dialects, makeFriends, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { expectLedgerSound, fund, key, PIN } from '../wallet/test-helpers.js';

const DAY_MS = 24 * 3600 * 1000;
const WRONG_PIN = '000111';

/** The tables a merchants request may write; a refused request must leave every row as it was. */
const WATCHED_TABLES = [
  'merchants',
  'merchant_staff',
  'merchant_api_keys',
  'merchant_payments',
  'merchant_refunds',
  'merchant_point_redemptions',
  'merchant_settings',
  'merchant_webhooks',
  'payment_codes',
  'coupon_campaigns',
  'coupon_batches',
  'coupons',
  'cover_programs',
  'cover_enrolments',
  'cover_claims',
  'cover_claim_audit',
  'ledger_transfers',
  'idempotency_keys',
  'inbox_events',
] as const;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface BadRequest {
  name: string;
  status: number;
  code: string;
  send: () => Promise<ApiResponse>;
}

describe.each(dialects)('merchants refuse bad input on %s', (dialect) => {
  let app: TestApp;
  let op: Member;
  let ownerA: Member;
  let ownerB: Member;
  let ownerPending: Member;
  let cashierA: Member;
  let managerA: Member;
  let stranger: Member;
  let payer: Member;
  let codeHolder: Member;
  let merchantA: string;
  let merchantB: string;
  let merchantPending: string;
  let keyA: Record<string, string>;
  let keyB: Record<string, string>;
  let revokedKey: Record<string, string>;
  let staticA: string;
  let staticPending: string;
  let openOrderToken: string;
  let expiredOrderToken: string;
  let paidOrderToken: string;
  let paymentA: string;
  let paymentB: string;
  let awaitingPinPayment: string;
  let liveCode: string;
  let campaignId: string;
  let programId: string;
  let claimA: string;
  let photoA: string;
  let photoStranger: string;
  const reused = { pay: key(), settle: key(), campaign: key(), program: key() };
  const campaignBody = () => {
    const now = Date.now();
    return {
      name: 'Books 5 off 50',
      budgetMinor: '10000',
      faceMinor: '500',
      thresholdMinor: '5000',
      perMemberCap: 1,
      categories: ['education'],
      batches: [{ releaseAt: new Date(now - 1000).toISOString(), quota: 10 }],
      validFrom: new Date(now - 2000).toISOString(),
      validUntil: new Date(now + DAY_MS).toISOString(),
    };
  };
  const programBody = () => {
    const now = Date.now();
    return {
      name: 'Stall keepers',
      poolMinor: '5000000',
      enrolUntil: new Date(now + 30 * DAY_MS).toISOString(),
      endsAt: new Date(now + 365 * DAY_MS).toISOString(),
    };
  };

  async function apply(who: Member, name: string): Promise<string> {
    const applied = await who.http.post('/api/v1/merchants', {
      businessName: name,
      category: 'food',
      licenceNumber: 'LIC-123456',
      address: '1 Market Street',
      lat: 31.2304,
      lng: 121.4737,
    });
    if (applied.status !== 201) throw new Error(`apply: ${JSON.stringify(applied.body)}`);
    return applied.body.merchant.id;
  }
  async function openMerchant(who: Member, name: string): Promise<string> {
    const id = await apply(who, name);
    const reviewed = await op.http.post(`/api/v1/operator/merchants/${id}/review`, { decision: 'approve' });
    if (reviewed.status !== 200) throw new Error(`review: ${JSON.stringify(reviewed.body)}`);
    return id;
  }
  async function staticToken(who: Member, merchantId: string): Promise<string> {
    return String((await who.http.get(`/api/v1/merchants/${merchantId}`)).body.staticQrContent).replace('plaza://pay/', '');
  }
  async function upload(who: Member): Promise<string> {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0c0' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'letter.png');
    const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form });
    return ((await response.json()) as { media: { id: string } }).media.id;
  }
  function expectOk(r: ApiResponse, status: number): void {
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  }

  /** Every row of the watched tables, and every ledger balance that is not zero. */
  async function snapshot(): Promise<Record<string, string[]>> {
    const db = app.plaza.ctx.db;
    const out: Record<string, string[]> = {};
    for (const table of WATCHED_TABLES) {
      const rows = await db
        .selectFrom(table as never)
        .selectAll()
        .execute();
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    // Looking an account up may create it at zero; what must not move is any balance.
    const accounts = (await db
      .selectFrom('ledger_accounts' as never)
      .select(['id', 'balance', 'held'] as never[])
      .execute()) as { id: unknown; balance: unknown; held: unknown }[];
    out.ledger_accounts = accounts
      .filter((a) => Number(a.balance) !== 0 || Number(a.held) !== 0)
      .map((a) => `${a.id}:${a.balance}:${a.held}`)
      .sort();
    return out;
  }

  beforeAll(async () => {
    app = await startApp({ dialect });
    op = await registerMember(app, 'Operator');
    await makeOperator(app, op);
    ownerA = await registerMember(app, 'Owner A');
    ownerB = await registerMember(app, 'Owner B');
    ownerPending = await registerMember(app, 'Owner pending');
    cashierA = await registerMember(app, 'Cashier A');
    managerA = await registerMember(app, 'Manager A');
    stranger = await registerMember(app, 'Stranger');
    payer = await registerMember(app, 'Payer');
    codeHolder = await registerMember(app, 'Code holder');
    await fund(payer, 1_000_000);
    await fund(codeHolder, 100_000);
    await fund(ownerA, 0);
    await fund(ownerB, 0);

    merchantA = await openMerchant(ownerA, 'Noodle Stall A');
    merchantB = await openMerchant(ownerB, 'Noodle Stall B');
    merchantPending = await apply(ownerPending, 'Not yet approved');
    await makeFriends(ownerA, cashierA);
    await makeFriends(ownerA, managerA);
    expectOk(await ownerA.http.post(`/api/v1/merchants/${merchantA}/staff`, { accountId: cashierA.id, role: 'cashier' }), 200);
    expectOk(await ownerA.http.post(`/api/v1/merchants/${merchantA}/staff`, { accountId: managerA.id, role: 'manager' }), 200);
    keyA = { 'x-merchant-key': (await ownerA.http.post(`/api/v1/merchants/${merchantA}/api-keys`)).body.apiKey.key };
    keyB = { 'x-merchant-key': (await ownerB.http.post(`/api/v1/merchants/${merchantB}/api-keys`)).body.apiKey.key };
    const revoked = (await ownerA.http.post(`/api/v1/merchants/${merchantA}/api-keys`)).body.apiKey;
    revokedKey = { 'x-merchant-key': revoked.key };
    expectOk(await ownerA.http.delete(`/api/v1/merchants/${merchantA}/api-keys/${revoked.id}`), 204);

    staticA = await staticToken(ownerA, merchantA);
    staticPending = await staticToken(ownerPending, merchantPending);
    const paidA = await payer.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '100000', pin: PIN }, key());
    expectOk(paidA, 201);
    paymentA = paidA.body.payment.id;
    expectOk(await payer.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '500', pin: PIN }, reused.pay), 201);
    expectOk(await ownerA.http.post(`/api/v1/merchants/${merchantA}/refunds`, { paymentId: paymentA, refundNo: 'A-R-1', amountMinor: '100' }), 201);

    const orderB = await payer.http.raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '2500', outTradeNo: 'B-ORD-1' }, keyB);
    expectOk(orderB, 201);
    const paidB = await payer.http.post(`/api/v1/pay/${String(orderB.body.order.qrContent).replace('plaza://pay/', '')}`, { pin: PIN }, key());
    expectOk(paidB, 201);
    paymentB = paidB.body.payment.id;
    expectOk(await payer.http.raw('POST', '/api/v1/merchant-api/refunds', { outTradeNo: 'B-ORD-1', refundNo: 'B-R-1', amountMinor: '100' }, keyB), 201);

    const open = await payer.http.raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '1200', outTradeNo: 'A-OPEN-1' }, keyA);
    expectOk(open, 201);
    openOrderToken = String(open.body.order.qrContent).replace('plaza://pay/', '');
    const expired = await ownerA.http.post(`/api/v1/merchants/${merchantA}/orders`, { amountMinor: '1300', outTradeNo: 'A-EXPIRED-1', expiresInSeconds: 30 });
    expectOk(expired, 201);
    expiredOrderToken = String(expired.body.order.qrContent).replace('plaza://pay/', '');
    await app.plaza.ctx.db
      .updateTable('merchant_payments' as never)
      .set({ expires_at: Date.now() - 1000 } as never)
      .where('id' as never, '=', Number(expired.body.order.id) as never)
      .execute();
    const paidOrder = await ownerA.http.post(`/api/v1/merchants/${merchantA}/orders`, { amountMinor: '1400' });
    paidOrderToken = String(paidOrder.body.order.qrContent).replace('plaza://pay/', '');
    expectOk(await payer.http.post(`/api/v1/pay/${paidOrderToken}`, { pin: PIN }, key()), 201);

    const code = (await payer.http.post('/api/v1/payment-codes')).body.paymentCode.code;
    const awaiting = await cashierA.http.post(`/api/v1/merchants/${merchantA}/charges`, { code, amountMinor: '50000' }, key());
    expectOk(awaiting, 202);
    awaitingPinPayment = awaiting.body.payment.id;
    liveCode = (await codeHolder.http.post('/api/v1/payment-codes')).body.paymentCode.code;

    expectOk(await ownerA.http.post(`/api/v1/merchants/${merchantA}/settlements`, { amountMinor: '100', pin: PIN }, reused.settle), 201);

    const campaign = await op.http.post('/api/v1/operator/coupon-campaigns', campaignBody(), reused.campaign);
    expectOk(campaign, 201);
    campaignId = campaign.body.campaign.id;

    const program = await op.http.post('/api/v1/operator/cover-programs', programBody(), reused.program);
    expectOk(program, 201);
    programId = program.body.program.id;
    expectOk(await ownerA.http.post(`/api/v1/merchants/${merchantA}/cover-enrolments`, { programId }), 200);
    photoA = await upload(ownerA);
    photoStranger = await upload(stranger);
    const today = day(Date.now());
    const claim = await ownerA.http.post(`/api/v1/merchants/${merchantA}/cover-claims`, { programId, startDate: today, endDate: today, mediaIds: [photoA] });
    expectOk(claim, 201);
    claimA = claim.body.claim.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  const A = () => `/api/v1/merchants/${merchantA}`;
  const long = (n: number) => 'x'.repeat(n);
  const application = (overrides: Record<string, unknown>) => ({
    businessName: 'Tea House',
    category: 'food',
    licenceNumber: 'LIC-777777',
    address: '2 River Road',
    lat: 30,
    lng: 120,
    ...overrides,
  });
  const anonymous = () => api(app);
  const withToken = (token: string) => api(app, token);

  const cases: BadRequest[] = [
    // Who may call ----------------------------------------------------------------------------------
    { name: 'no token on a member route', status: 401, code: 'AUTH_REQUIRED', send: () => anonymous().get(A()) },
    { name: 'an unknown token', status: 401, code: 'AUTH_INVALID_TOKEN', send: () => withToken('not-a-session').get(A()) },
    { name: 'a stranger reads the merchant console', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => stranger.http.get(A()) },
    { name: 'a stranger downloads the QR PNG', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => stranger.http.get(`${A()}/qr.png`) },
    {
      name: 'a cashier adds staff',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => cashierA.http.post(`${A()}/staff`, { accountId: managerA.id, role: 'manager' }),
    },
    { name: 'a cashier creates an API key', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.post(`${A()}/api-keys`) },
    { name: 'a manager creates an API key', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => managerA.http.post(`${A()}/api-keys`) },
    {
      name: 'a manager sets the webhook',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => managerA.http.put(`${A()}/webhook`, { url: 'https://example.test/h' }),
    },
    {
      name: 'a cashier refunds',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => cashierA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'C-R-1', amountMinor: '1' }),
    },
    { name: 'a cashier reads the daily report', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.get(`${A()}/report`) },
    {
      name: 'a cashier downloads the statement',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => cashierA.http.get(`${A()}/statement.csv?day=${day(Date.now())}`),
    },
    {
      name: 'a manager settles to the wallet',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => managerA.http.post(`${A()}/settlements`, { amountMinor: '100', pin: PIN }, key()),
    },
    {
      name: 'another merchant’s owner settles',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => ownerB.http.post(`${A()}/settlements`, { amountMinor: '100', pin: PIN }, key()),
    },
    {
      name: 'a cashier redeems points',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => cashierA.http.post(`${A()}/points/redemptions`, { points: '1', target: 'cash' }, key()),
    },
    { name: 'a stranger removes staff', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => stranger.http.delete(`${A()}/staff/${cashierA.id}`) },
    { name: 'a manager revokes an API key', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => managerA.http.delete(`${A()}/api-keys/1`) },
    {
      name: 'a stranger charges a payment code',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => stranger.http.post(`${A()}/charges`, { code: liveCode, amountMinor: '100' }, key()),
    },
    {
      name: 'another owner enrols this merchant',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => ownerB.http.post(`${A()}/cover-enrolments`, { programId }),
    },
    { name: 'a cashier reads a cover claim', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.get(`${A()}/cover-claims/${claimA}`) },
    {
      name: 'another merchant reads this merchant’s claim',
      status: 404,
      code: 'COVER_CLAIM_NOT_FOUND',
      send: () => ownerB.http.get(`/api/v1/merchants/${merchantB}/cover-claims/${claimA}`),
    },
    { name: 'a member lists applications', status: 403, code: 'AUTH_OPERATOR_ONLY', send: () => ownerA.http.get('/api/v1/operator/merchants') },
    {
      name: 'a member approves an application',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerPending.http.post(`/api/v1/operator/merchants/${merchantPending}/review`, { decision: 'approve' }),
    },
    {
      name: 'a member sets the points rules',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () =>
        ownerA.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 100, pointValueMinor: 10000, cashEnabled: true, cashMaxPointsPerDay: 1 }),
    },
    {
      name: 'a member funds a coupon campaign',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerA.http.post('/api/v1/operator/coupon-campaigns', campaignBody(), key()),
    },
    {
      name: 'a member funds a cover program',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerA.http.post('/api/v1/operator/cover-programs', programBody(), key()),
    },
    {
      name: 'a member decides a cover claim',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerA.http.post(`/api/v1/operator/cover-claims/${claimA}/decision`, { decision: 'approve' }, key()),
    },
    { name: 'a cashier reads the points', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.get(`${A()}/points`) },
    { name: 'a cashier reads the webhook deliveries', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.get(`${A()}/webhooks`) },
    { name: 'a manager lists the API keys', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => managerA.http.get(`${A()}/api-keys`) },
    { name: 'a cashier reads the cover claims', status: 403, code: 'MERCHANT_FORBIDDEN', send: () => cashierA.http.get(`${A()}/cover-claims`) },
    {
      name: 'a manager files a cover claim',
      status: 403,
      code: 'MERCHANT_FORBIDDEN',
      send: () => managerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [photoA] }),
    },
    {
      name: 'a member reads a campaign dashboard',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerA.http.get(`/api/v1/operator/coupon-campaigns/${campaignId}/dashboard`),
    },
    {
      name: 'a member reads a claim as operator',
      status: 403,
      code: 'AUTH_OPERATOR_ONLY',
      send: () => ownerA.http.get(`/api/v1/operator/cover-claims/${claimA}`),
    },
    { name: 'no token on an operator route', status: 401, code: 'AUTH_REQUIRED', send: () => anonymous().get('/api/v1/operator/cover-claims') },

    // Merchant API keys -----------------------------------------------------------------------------
    { name: 'no API key', status: 401, code: 'MERCHANT_API_KEY_INVALID', send: () => anonymous().post('/api/v1/merchant-api/orders', { amountMinor: '100' }) },
    {
      name: 'a made-up API key',
      status: 401,
      code: 'MERCHANT_API_KEY_INVALID',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '100' }, { 'x-merchant-key': 'mk_1_guess' }),
    },
    {
      name: 'a revoked API key',
      status: 401,
      code: 'MERCHANT_API_KEY_INVALID',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '100' }, revokedKey),
    },
    {
      name: 'an oversize API key',
      status: 401,
      code: 'MERCHANT_API_KEY_INVALID',
      send: () => anonymous().raw('GET', '/api/v1/merchant-api/orders/A-OPEN-1', undefined, { 'x-merchant-key': long(5000) }),
    },
    {
      name: 'merchant A’s key reads merchant B’s order',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => anonymous().raw('GET', '/api/v1/merchant-api/orders/B-ORD-1', undefined, keyA),
    },
    {
      name: 'merchant A’s key refunds merchant B’s order',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/refunds', { outTradeNo: 'B-ORD-1', refundNo: 'X-R-1', amountMinor: '100' }, keyA),
    },
    {
      name: 'merchant A’s key refunds merchant B’s payment id',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/refunds', { paymentId: paymentB, refundNo: 'X-R-2', amountMinor: '100' }, keyA),
    },
    {
      name: 'merchant A’s key reads merchant B’s refund',
      status: 404,
      code: 'MERCHANT_REFUND_NOT_FOUND',
      send: () => anonymous().raw('GET', '/api/v1/merchant-api/refunds/B-R-1', undefined, keyA),
    },
    {
      name: 'an API charge without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/charges', { code: liveCode, amountMinor: '100' }, keyA),
    },
    {
      name: 'an API order reusing an out-trade number with another amount',
      status: 409,
      code: 'MERCHANT_ORDER_EXISTS',
      send: () => anonymous().raw('POST', '/api/v1/merchant-api/orders', { amountMinor: '1201', outTradeNo: 'A-OPEN-1' }, keyA),
    },
    {
      name: 'the console reads another merchant’s payment',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => ownerA.http.get(`${A()}/payments/${paymentB}`),
    },

    // Applications and review -----------------------------------------------------------------------
    {
      name: 'an application without a category',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ category: undefined })),
    },
    {
      name: 'an application at latitude 91',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ lat: 91 })),
    },
    {
      name: 'an application at longitude -181',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ lng: -181 })),
    },
    {
      name: 'an application with latitude as text',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ lat: '30' })),
    },
    {
      name: 'an application with an 81-character name',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ businessName: long(81) })),
    },
    {
      name: 'an application whose name is only spaces',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ businessName: '   ' })),
    },
    {
      name: 'an application whose address is only spaces',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ address: ' \t ' })),
    },
    {
      name: 'an application with a malformed licence',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ licenceNumber: 'bad licence!' })),
    },
    {
      name: 'an application that is not JSON',
      status: 400,
      code: 'INVALID_JSON',
      send: () => stranger.http.raw('POST', '/api/v1/merchants', '{"businessName":', { 'content-type': 'application/json' }),
    },
    {
      name: 'an application as plain text',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.raw('POST', '/api/v1/merchants', 'hello', { 'content-type': 'text/plain' }),
    },
    {
      name: 'an application as XML',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      send: () => stranger.http.raw('POST', '/api/v1/merchants', '<merchant/>', { 'content-type': 'application/xml' }),
    },
    {
      name: 'an application of 2 MB',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      send: () => stranger.http.post('/api/v1/merchants', application({ address: long(2 * 1024 * 1024) })),
    },
    {
      name: 'an application with a NUL character in its name',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ businessName: 'Tea\u0000House' })),
    },
    {
      name: 'an application with a NUL character in its address',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => stranger.http.post('/api/v1/merchants', application({ address: 'River\u0000Road' })),
    },
    { name: 'a second application', status: 409, code: 'MERCHANT_ALREADY_APPLIED', send: () => ownerA.http.post('/api/v1/merchants', application({})) },
    {
      name: 'a review of an unknown merchant',
      status: 404,
      code: 'MERCHANT_NOT_FOUND',
      send: () => op.http.post('/api/v1/operator/merchants/999999999/review', { decision: 'approve' }),
    },
    {
      name: 'a review with an unknown decision',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post(`/api/v1/operator/merchants/${merchantPending}/review`, { decision: 'maybe' }),
    },
    {
      name: 'a review of a reviewed merchant',
      status: 409,
      code: 'MERCHANT_REVIEW_CLOSED',
      send: () => op.http.post(`/api/v1/operator/merchants/${merchantA}/review`, { decision: 'reject' }),
    },
    {
      name: 'a review with a non-numeric id',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/merchants/abc/review', { decision: 'approve' }),
    },
    {
      name: 'a review queue with an unknown status',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.get('/api/v1/operator/merchants?status=open'),
    },
    { name: 'merchant id 0', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get('/api/v1/merchants/0') },
    { name: 'an unknown merchant id', status: 404, code: 'MERCHANT_NOT_FOUND', send: () => ownerA.http.get('/api/v1/merchants/999999999') },
    { name: 'a 20-digit merchant id', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get('/api/v1/merchants/99999999999999999999') },

    // Staff, keys and webhooks ----------------------------------------------------------------------
    {
      name: 'staff with the role owner',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/staff`, { accountId: cashierA.id, role: 'owner' }),
    },
    {
      name: 'staff who is not a contact',
      status: 409,
      code: 'MERCHANT_STAFF_NOT_CONTACT',
      send: () => ownerA.http.post(`${A()}/staff`, { accountId: stranger.id, role: 'cashier' }),
    },
    {
      name: 'staff id beyond 2^53',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/staff`, { accountId: 1e20, role: 'cashier' }),
    },
    {
      name: 'the owner as staff',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/staff`, { accountId: ownerA.id, role: 'manager' }),
    },
    { name: 'staff without a role', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/staff`, { accountId: cashierA.id }) },
    {
      name: 'removing someone who is not staff',
      status: 404,
      code: 'MERCHANT_STAFF_NOT_FOUND',
      send: () => ownerA.http.delete(`${A()}/staff/${stranger.id}`),
    },
    { name: 'revoking an unknown API key', status: 404, code: 'MERCHANT_API_KEY_NOT_FOUND', send: () => ownerA.http.delete(`${A()}/api-keys/999999999`) },
    {
      name: 'revoking another merchant’s API key',
      status: 404,
      code: 'MERCHANT_API_KEY_NOT_FOUND',
      send: async () => ownerA.http.delete(`${A()}/api-keys/${(await ownerB.http.get(`/api/v1/merchants/${merchantB}/api-keys`)).body.apiKeys[0].id}`),
    },
    {
      name: 'a webhook with an ftp URL',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.put(`${A()}/webhook`, { url: 'ftp://example.test/h' }),
    },
    {
      name: 'a webhook URL without a host',
      status: 400,
      code: 'MERCHANT_WEBHOOK_URL_INVALID',
      send: () => ownerA.http.put(`${A()}/webhook`, { url: 'http://' }),
    },
    {
      name: 'a webhook URL with spaces',
      status: 400,
      code: 'MERCHANT_WEBHOOK_URL_INVALID',
      send: () => ownerA.http.put(`${A()}/webhook`, { url: 'https://exa mple.test/h' }),
    },
    {
      name: 'a webhook URL of 301 characters',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.put(`${A()}/webhook`, { url: `https://example.test/${long(280)}` }),
    },
    { name: 'a webhook without a url field', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.put(`${A()}/webhook`, {}) },

    // Dynamic orders --------------------------------------------------------------------------------
    { name: 'an order of zero', status: 400, code: 'WALLET_INVALID_AMOUNT', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '0' }) },
    { name: 'an order of zero as a number', status: 400, code: 'WALLET_INVALID_AMOUNT', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: 0 }) },
    { name: 'a negative order', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '-5' }) },
    { name: 'a negative order as a number', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: -5 }) },
    { name: 'an order of 12.5 as text', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '12.5' }) },
    { name: 'an order of 12.5', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: 12.5 }) },
    { name: 'an order in exponent notation', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '1e3' }) },
    {
      name: 'an order above the payment limit',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '999999999999999' }),
    },
    { name: 'an order beyond 2^53', status: 400, code: 'WALLET_INVALID_AMOUNT', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: 1e20 }) },
    {
      name: 'an order of 16 digits',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '9007199254740993' }),
    },
    { name: 'an order of true', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: true }) },
    { name: 'an order of null', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: null }) },
    { name: 'an order of ["100"]', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: ['100'] }) },
    { name: 'an order of " 100"', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: ' 100' }) },
    {
      name: 'an order with a NUL character in its description',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/orders`, { amountMinor: '100', description: 'tea\u0000' }),
    },
    {
      name: 'an order polluting __proto__',
      status: 400,
      code: 'INVALID_JSON',
      send: () => ownerA.http.raw('POST', `${A()}/orders`, '{"__proto__":{"admin":true},"amountMinor":"100"}', { 'content-type': 'application/json' }),
    },
    { name: 'an order that is a JSON array', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, ['100']) },
    {
      name: 'an order that is JSON null',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.raw('POST', `${A()}/orders`, 'null', { 'content-type': 'application/json' }),
    },
    { name: 'an order without an amount', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.post(`${A()}/orders`, { description: 'tea' }) },
    {
      name: 'an order that expires in 10 seconds',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => cashierA.http.post(`${A()}/orders`, { amountMinor: '100', expiresInSeconds: 10 }),
    },
    {
      name: 'an order with a 101-character description',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => cashierA.http.post(`${A()}/orders`, { amountMinor: '100', description: long(101) }),
    },
    {
      name: 'an order with spaces in its out-trade number',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => cashierA.http.post(`${A()}/orders`, { amountMinor: '100', outTradeNo: 'A B' }),
    },
    {
      name: 'an order at a merchant not approved',
      status: 409,
      code: 'MERCHANT_NOT_APPROVED',
      send: () => ownerPending.http.post(`/api/v1/merchants/${merchantPending}/orders`, { amountMinor: '100' }),
    },

    // Paying ----------------------------------------------------------------------------------------
    {
      name: 'an unknown static token',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => payer.http.post('/api/v1/pay/sAAAAAAAAAAAAAAAAAAAA', { amountMinor: '100', pin: PIN }, key()),
    },
    {
      name: 'an unknown order token',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => payer.http.post('/api/v1/pay/oAAAAAAAAAAAAAAAAAAAA', { pin: PIN }, key()),
    },
    {
      name: 'a malformed token',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => payer.http.post('/api/v1/pay/x', { amountMinor: '100', pin: PIN }, key()),
    },
    {
      name: 'an expired order',
      status: 409,
      code: 'MERCHANT_ORDER_CLOSED',
      send: () => payer.http.post(`/api/v1/pay/${expiredOrderToken}`, { pin: PIN }, key()),
    },
    { name: 'a paid order', status: 409, code: 'MERCHANT_ORDER_CLOSED', send: () => payer.http.post(`/api/v1/pay/${paidOrderToken}`, { pin: PIN }, key()) },
    {
      name: 'a payment without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => payer.http.post(`/api/v1/pay/${openOrderToken}`, { pin: PIN }),
    },
    {
      name: 'a payment with an Idempotency-Key of 101 characters',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => payer.http.post(`/api/v1/pay/${openOrderToken}`, { pin: PIN }, { 'idempotency-key': long(101) }),
    },
    {
      name: 'a payment with the wrong PIN',
      status: 403,
      code: 'WALLET_PIN_WRONG',
      send: () => payer.http.post(`/api/v1/pay/${openOrderToken}`, { pin: WRONG_PIN }, key()),
    },
    {
      name: 'a payment with a 5-digit PIN',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => payer.http.post(`/api/v1/pay/${openOrderToken}`, { pin: '12345' }, key()),
    },
    { name: 'a payment without a PIN', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.post(`/api/v1/pay/${openOrderToken}`, {}, key()) },
    {
      name: 'a static payment without an amount',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => payer.http.post(`/api/v1/pay/${staticA}`, { pin: PIN }, key()),
    },
    {
      name: 'a static payment of zero',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => payer.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '0', pin: PIN }, key()),
    },
    {
      name: 'a static payment beyond 2^53',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => payer.http.post(`/api/v1/pay/${staticA}`, { amountMinor: 2 ** 60, pin: PIN }, key()),
    },
    {
      name: 'a static payment above the balance',
      status: 409,
      code: 'WALLET_INSUFFICIENT_FUNDS',
      send: () => codeHolder.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '200000', pin: PIN }, key()),
    },
    {
      name: 'a payment reusing a key with another amount',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: () => payer.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '501', pin: PIN }, reused.pay),
    },
    {
      name: 'a payment reusing the key of a settlement',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: async () => ownerA.http.post(`/api/v1/pay/${await staticToken(ownerB, merchantB)}`, { amountMinor: '100', pin: PIN }, reused.settle),
    },
    {
      name: 'a payment to a merchant not approved',
      status: 409,
      code: 'MERCHANT_NOT_APPROVED',
      send: () => payer.http.post(`/api/v1/pay/${staticPending}`, { amountMinor: '100', pin: PIN }, key()),
    },
    {
      name: 'an owner paying their own merchant',
      status: 400,
      code: 'MERCHANT_SELF_PAYMENT',
      send: () => ownerA.http.post(`/api/v1/pay/${staticA}`, { amountMinor: '100', pin: PIN }, key()),
    },
    { name: 'a preview with a text amount', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get(`/api/v1/pay/${staticA}?amountMinor=abc`) },
    { name: 'a preview of an unknown token', status: 404, code: 'MERCHANT_ORDER_NOT_FOUND', send: () => payer.http.get('/api/v1/pay/sBBBBBBBBBBBBBBBBBBBB') },

    // Payment codes ---------------------------------------------------------------------------------
    {
      name: 'a charge of a 17-digit code',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => cashierA.http.post(`${A()}/charges`, { code: '28123456789012345', amountMinor: '100' }, key()),
    },
    {
      name: 'a charge of an unknown code',
      status: 409,
      code: 'MERCHANT_PAYMENT_CODE_INVALID',
      send: () => cashierA.http.post(`${A()}/charges`, { code: '280000000000000000', amountMinor: '100' }, key()),
    },
    {
      name: 'a charge without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => cashierA.http.post(`${A()}/charges`, { code: liveCode, amountMinor: '100' }),
    },
    {
      name: 'a charge of zero leaves the code usable',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => cashierA.http.post(`${A()}/charges`, { code: liveCode, amountMinor: '0' }, key()),
    },
    {
      name: 'a charge above the payment limit leaves the code usable',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => cashierA.http.post(`${A()}/charges`, { code: liveCode, amountMinor: '999999999999' }, key()),
    },
    {
      name: 'a confirmation of an unknown payment',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => payer.http.post('/api/v1/merchant-payments/999999999/confirm', { pin: PIN }, key()),
    },
    {
      name: 'a confirmation by someone else',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => ownerB.http.post(`/api/v1/merchant-payments/${awaitingPinPayment}/confirm`, { pin: PIN }, key()),
    },
    {
      name: 'a confirmation with the wrong PIN',
      status: 403,
      code: 'WALLET_PIN_WRONG',
      send: () => payer.http.post(`/api/v1/merchant-payments/${awaitingPinPayment}/confirm`, { pin: WRONG_PIN }, key()),
    },
    {
      name: 'a confirmation without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => payer.http.post(`/api/v1/merchant-payments/${awaitingPinPayment}/confirm`, { pin: PIN }),
    },

    // Refunds ---------------------------------------------------------------------------------------
    {
      name: 'a refund larger than the payment',
      status: 409,
      code: 'MERCHANT_REFUND_EXCEEDS',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'A-R-BIG', amountMinor: '100000' }),
    },
    {
      name: 'a refund of zero',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'A-R-0', amountMinor: '0' }),
    },
    {
      name: 'a refund naming no payment',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/refunds`, { refundNo: 'A-R-2', amountMinor: '1' }),
    },
    {
      name: 'a refund of an unknown payment',
      status: 404,
      code: 'MERCHANT_ORDER_NOT_FOUND',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: '999999999', refundNo: 'A-R-3', amountMinor: '1' }),
    },
    {
      name: 'a refund of an unpaid order',
      status: 409,
      code: 'MERCHANT_ORDER_CLOSED',
      send: () => ownerA.http.post(`${A()}/refunds`, { outTradeNo: 'A-OPEN-1', refundNo: 'A-R-4', amountMinor: '1' }),
    },
    {
      name: 'a refund number reused with another amount',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: () => managerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'A-R-1', amountMinor: '101' }),
    },
    {
      name: 'a refund number of 65 characters',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: long(65), amountMinor: '1' }),
    },
    {
      name: 'a refund with a 101-character reason',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'A-R-5', amountMinor: '1', reason: long(101) }),
    },
    {
      name: 'a refund with a NUL character in its reason',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/refunds`, { paymentId: paymentA, refundNo: 'A-R-6', amountMinor: '1', reason: 'oops\u0000' }),
    },
    { name: 'an unknown refund number', status: 404, code: 'MERCHANT_REFUND_NOT_FOUND', send: () => ownerA.http.get(`${A()}/refunds/NOPE-1`) },
    { name: 'another merchant’s refund number', status: 404, code: 'MERCHANT_REFUND_NOT_FOUND', send: () => ownerA.http.get(`${A()}/refunds/B-R-1`) },

    // Settlement and points -------------------------------------------------------------------------
    {
      name: 'a settlement with the wrong PIN',
      status: 403,
      code: 'WALLET_PIN_WRONG',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: '100', pin: WRONG_PIN }, key()),
    },
    {
      name: 'a settlement without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: '100', pin: PIN }),
    },
    {
      name: 'a settlement above the takings',
      status: 409,
      code: 'WALLET_INSUFFICIENT_FUNDS',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: '5000000', pin: PIN }, key()),
    },
    {
      name: 'a settlement reusing a key with another amount',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: '200', pin: PIN }, reused.settle),
    },
    {
      name: 'a negative settlement',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: '-100', pin: PIN }, key()),
    },
    {
      name: 'a settlement beyond 2^53',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => ownerA.http.post(`${A()}/settlements`, { amountMinor: 2 ** 60, pin: PIN }, key()),
    },
    {
      name: 'a redemption of zero points',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => ownerA.http.post(`${A()}/points/redemptions`, { points: '0', target: 'cash' }, key()),
    },
    {
      name: 'a redemption for gold',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/points/redemptions`, { points: '1', target: 'gold' }, key()),
    },
    {
      name: 'a redemption of more points than held',
      status: 409,
      code: 'WALLET_INSUFFICIENT_FUNDS',
      send: () => ownerA.http.post(`${A()}/points/redemptions`, { points: '50', target: 'cash' }, key()),
    },
    {
      name: 'a redemption without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => ownerA.http.post(`${A()}/points/redemptions`, { points: '1', target: 'cash' }),
    },
    {
      name: 'points rules with a point worth more than 100 CNY',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () =>
        op.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 1, pointValueMinor: 10001, cashEnabled: true, cashMaxPointsPerDay: 1 }),
    },
    {
      name: 'points rules without cashEnabled',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.put('/api/v1/operator/merchant-points-rules', { pointsPerPayment: 1, pointValueMinor: 100, cashMaxPointsPerDay: 1 }),
    },

    // Reads, reports and search ---------------------------------------------------------------------
    { name: 'a report of 0 days', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/report?days=0`) },
    { name: 'a report of 5 and 6 days', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/report?days=5&days=6`) },
    { name: 'a report of 1.5 days', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/report?days=1.5`) },
    { name: 'a report of 91 days', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/report?days=91`) },
    { name: 'a statement of month 13', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/statement.csv?day=2026-13-01`) },
    { name: 'a statement of 31 February', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/statement.csv?day=2026-02-31`) },
    { name: 'a statement without a day', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/statement.csv`) },
    { name: 'payments after cursor abc', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/payments?cursor=abc`) },
    { name: 'payments after cursor 0', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/payments?cursor=0`) },
    { name: 'a page of 201 payments', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/payments?limit=201`) },
    { name: 'a payment id that is not a number', status: 400, code: 'VALIDATION_FAILED', send: () => ownerA.http.get(`${A()}/payments/abc`) },
    { name: 'a search at latitude 91', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/merchants/search?lat=91&lng=0') },
    { name: 'a search at longitude 200', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/merchants/search?lat=0&lng=200') },
    { name: 'a search at latitude abc', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/merchants/search?lat=abc&lng=0') },
    { name: 'a search for a NUL character', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/merchants/search?q=a%00b') },
    { name: 'a search of 61 characters', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get(`/api/v1/merchants/search?q=${long(61)}`) },
    { name: 'a search within 0 m', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/merchants/search?lat=0&lng=0&radiusM=0') },
    {
      name: 'a search of an unknown category',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => payer.http.get('/api/v1/merchants/search?category=weapons'),
    },
    { name: 'my coupons with a page of 0', status: 400, code: 'VALIDATION_FAILED', send: () => payer.http.get('/api/v1/coupons?limit=0') },

    // Coupon campaigns and grabs --------------------------------------------------------------------
    {
      name: 'a campaign that ends before it starts',
      status: 400,
      code: 'COUPON_CAMPAIGN_INVALID',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), validUntil: new Date(Date.now() - DAY_MS).toISOString() }, key()),
    },
    {
      name: 'a campaign whose face value reaches its threshold',
      status: 400,
      code: 'COUPON_CAMPAIGN_INVALID',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), faceMinor: '5000' }, key()),
    },
    {
      name: 'a campaign whose quotas pass its budget',
      status: 400,
      code: 'COUPON_CAMPAIGN_INVALID',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), budgetMinor: '4999' }, key()),
    },
    {
      name: 'a campaign without batches',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), batches: [] }, key()),
    },
    {
      name: 'a campaign valid from "tomorrow"',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), validFrom: 'tomorrow' }, key()),
    },
    {
      name: 'a campaign valid from month 13',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), validFrom: '2026-13-01T00:00:00Z' }, key()),
    },
    {
      name: 'a campaign whose name is only spaces',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), name: '   ' }, key()),
    },
    {
      name: 'a campaign with a text budget',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), budgetMinor: 'lots' }, key()),
    },
    {
      name: 'a campaign with a 61-character name',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), name: long(61) }, key()),
    },
    {
      name: 'a campaign for merchant id abc',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), merchantIds: ['abc'] }, key()),
    },
    {
      name: 'a campaign for a merchant id nobody has',
      status: 400,
      code: 'COUPON_CAMPAIGN_INVALID',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), merchantIds: [merchantA, '999999999'] }, key()),
    },
    {
      name: 'a campaign without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', campaignBody()),
    },
    {
      name: 'a campaign reusing a key with another body',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: () => op.http.post('/api/v1/operator/coupon-campaigns', { ...campaignBody(), name: 'Another name' }, reused.campaign),
    },
    {
      name: 'a grab without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => payer.http.post(`/api/v1/coupon-campaigns/${campaignId}/grabs`),
    },
    {
      name: 'a grab of an unknown campaign',
      status: 404,
      code: 'COUPON_CAMPAIGN_NOT_FOUND',
      send: () => payer.http.post('/api/v1/coupon-campaigns/999999999/grabs', undefined, key()),
    },
    {
      name: 'a grab of campaign abc',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => payer.http.post('/api/v1/coupon-campaigns/abc/grabs', undefined, key()),
    },
    {
      name: 'the dashboard of an unknown campaign',
      status: 404,
      code: 'COUPON_CAMPAIGN_NOT_FOUND',
      send: () => op.http.get('/api/v1/operator/coupon-campaigns/999999999/dashboard'),
    },

    // Relief cover ----------------------------------------------------------------------------------
    {
      name: 'a program that ends before enrolment closes',
      status: 400,
      code: 'COVER_PROGRAM_INVALID',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), endsAt: new Date(Date.now() + DAY_MS).toISOString() }, key()),
    },
    {
      name: 'a program whose enrolment closed yesterday',
      status: 400,
      code: 'COVER_PROGRAM_INVALID',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), enrolUntil: new Date(Date.now() - DAY_MS).toISOString() }, key()),
    },
    {
      name: 'a program ending in month 13',
      status: 400,
      code: 'COVER_PROGRAM_INVALID',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), endsAt: '2027-13-01T00:00:00Z' }, key()),
    },
    {
      name: 'a program with an empty pool',
      status: 400,
      code: 'WALLET_INVALID_AMOUNT',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), poolMinor: '0' }, key()),
    },
    {
      name: 'a program whose pool pays less than one day',
      status: 400,
      code: 'COVER_PROGRAM_INVALID',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), poolMinor: '99999' }, key()),
    },
    {
      name: 'a program whose name is only spaces',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), name: '  ' }, key()),
    },
    {
      name: 'a program of 366 days',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), maxDays: 366 }, key()),
    },
    {
      name: 'a program without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => op.http.post('/api/v1/operator/cover-programs', programBody()),
    },
    {
      name: 'a program reusing a key with another body',
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      send: () => op.http.post('/api/v1/operator/cover-programs', { ...programBody(), name: 'Other' }, reused.program),
    },
    {
      name: 'an enrolment in an unknown program',
      status: 404,
      code: 'COVER_PROGRAM_NOT_FOUND',
      send: () => ownerA.http.post(`${A()}/cover-enrolments`, { programId: '999999999' }),
    },
    {
      name: 'an enrolment in program abc',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/cover-enrolments`, { programId: 'abc' }),
    },
    {
      name: 'a claim that ends before it starts',
      status: 400,
      code: 'COVER_CLAIM_INVALID',
      send: () =>
        ownerA.http.post(`${A()}/cover-claims`, {
          programId,
          startDate: day(Date.now()),
          endDate: day(Date.now() - DAY_MS),
          mediaIds: [photoA],
        }),
    },
    {
      name: 'a claim of 31 February',
      status: 400,
      code: 'COVER_CLAIM_INVALID',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: '2026-02-31', endDate: '2026-02-31', mediaIds: [photoA] }),
    },
    {
      name: 'a claim ending tomorrow',
      status: 400,
      code: 'COVER_CLAIM_INVALID',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now() + DAY_MS), mediaIds: [photoA] }),
    },
    {
      name: 'a claim without documents',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [] }),
    },
    {
      name: 'a claim with ten documents',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () =>
        ownerA.http.post(`${A()}/cover-claims`, {
          programId,
          startDate: day(Date.now()),
          endDate: day(Date.now()),
          mediaIds: Array.from({ length: 10 }, () => photoA),
        }),
    },
    {
      name: 'a claim with someone else’s document',
      status: 403,
      code: 'MEDIA_FORBIDDEN',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [photoStranger] }),
    },
    {
      name: 'a claim with an unknown document',
      status: 404,
      code: 'MEDIA_NOT_FOUND',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: ['999999999'] }),
    },
    {
      name: 'a claim by a merchant not enrolled',
      status: 409,
      code: 'COVER_NOT_ENROLLED',
      send: () =>
        ownerB.http.post(`/api/v1/merchants/${merchantB}/cover-claims`, {
          programId,
          startDate: day(Date.now()),
          endDate: day(Date.now()),
          mediaIds: [photoA],
        }),
    },
    {
      name: 'a claim overlapping a claim filed',
      status: 409,
      code: 'COVER_CLAIM_OVERLAP',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [photoA] }),
    },
    {
      name: 'a claim with document id 0',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: ['0'] }),
    },
    {
      name: 'a claim with a NUL character in its note',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () =>
        ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [photoA], note: 'a\u0000' }),
    },
    {
      name: 'a claim with a 301-character note',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () =>
        ownerA.http.post(`${A()}/cover-claims`, { programId, startDate: day(Date.now()), endDate: day(Date.now()), mediaIds: [photoA], note: long(301) }),
    },
    {
      name: 'documents for a claim nobody asked about',
      status: 409,
      code: 'COVER_CLAIM_CLOSED',
      send: () => ownerA.http.post(`${A()}/cover-claims/${claimA}/documents`, { mediaIds: [photoA] }),
    },
    {
      name: 'documents for another merchant’s claim',
      status: 404,
      code: 'COVER_CLAIM_NOT_FOUND',
      send: () => ownerB.http.post(`/api/v1/merchants/${merchantB}/cover-claims/${claimA}/documents`, { mediaIds: [photoA] }),
    },
    {
      name: 'a rejection without a reason',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post(`/api/v1/operator/cover-claims/${claimA}/decision`, { decision: 'reject' }, key()),
    },
    {
      name: 'a rejection whose reason is only spaces',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post(`/api/v1/operator/cover-claims/${claimA}/decision`, { decision: 'reject', note: '   ' }, key()),
    },
    {
      name: 'a decision on an unknown claim',
      status: 404,
      code: 'COVER_CLAIM_NOT_FOUND',
      send: () => op.http.post('/api/v1/operator/cover-claims/999999999/decision', { decision: 'ask_more', note: 'x' }, key()),
    },
    {
      name: 'an approval without Idempotency-Key',
      status: 400,
      code: 'WALLET_IDEMPOTENCY_KEY_REQUIRED',
      send: () => op.http.post(`/api/v1/operator/cover-claims/${claimA}/decision`, { decision: 'approve' }),
    },
    {
      name: 'a decision of maybe',
      status: 400,
      code: 'VALIDATION_FAILED',
      send: () => op.http.post(`/api/v1/operator/cover-claims/${claimA}/decision`, { decision: 'maybe' }, key()),
    },
    { name: 'claims in an unknown status', status: 400, code: 'VALIDATION_FAILED', send: () => op.http.get('/api/v1/operator/cover-claims?status=open') },
    { name: 'an unknown claim', status: 404, code: 'COVER_CLAIM_NOT_FOUND', send: () => op.http.get('/api/v1/operator/cover-claims/999999999') },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.code} and changes nothing`, async () => {
      const before = await snapshot();
      const response = await c.send();
      expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(typeof response.body.error.message).toBe('string');
      expect(response.body.error.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('still pays, refunds and charges after every refusal, and the ledger is sound', async () => {
    // The refused requests left the open order, the live code and the awaiting payment usable.
    expect((await payer.http.post(`/api/v1/pay/${openOrderToken}`, { pin: PIN }, key())).status).toBe(201);
    expect((await cashierA.http.post(`${A()}/charges`, { code: liveCode, amountMinor: '100' }, key())).status).toBe(201);
    expect((await payer.http.post(`/api/v1/merchant-payments/${awaitingPinPayment}/confirm`, { pin: PIN }, key())).status).toBe(201);
    await expectLedgerSound(app);
  });
});
