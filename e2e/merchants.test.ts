import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOperator, registerMember, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { expectLedgerSound, fund, key, PIN } from '../apps/server/src/modules/wallet/test-helpers.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable } from './browser.js';

const shots = path.join(os.tmpdir(), `plaza-e2e-merchants-${process.pid}`);

describe.skipIf(!chromiumAvailable)('merchant journeys in Chromium', { timeout: 120_000 }, () => {
  let app: TestApp;
  let web: Browsing;

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true });
    buildWeb();
    app = await startApp({ dialect: 'sqlite' });
    web = await Browsing.launch(app.url);
  }, 240_000);

  afterAll(async () => {
    await web?.close();
    await app?.close();
  });

  it('a merchant prints its QR code, a member pays it with a coupon, the merchant sees it live and refunds part', async () => {
    const operator = await registerMember(app, 'Town hall');
    await makeOperator(app, operator);
    const owner = await registerMember(app, 'Noodle owner');
    const payer = await registerMember(app, 'Hungry member');
    await fund(payer, 50_000);

    // The owner applies in the app; the operator approves in the operator console.
    const shop = await web.signIn(owner);
    await shop.getByTestId(TID.TAB_ME).click();
    await shop.getByTestId(TID.ME_MERCHANT).click();
    await shop.getByTestId(TID.MERCHANT_APPLY_NAME).fill('Lanzhou Noodles 兰州拉面');
    await shop.getByTestId(TID.MERCHANT_APPLY_LICENCE).fill('LIC-2026-001');
    await shop.getByTestId(TID.MERCHANT_APPLY_ADDRESS).fill('8 Market Lane');
    await shop.getByTestId(TID.MERCHANT_APPLY_SUBMIT).click();
    await shop.getByTestId(TID.MERCHANT_ROW).waitFor();

    const town = await web.signIn(operator);
    await town.goto(`${app.url}/operator/merchants`);
    await town.getByTestId(TID.OPERATOR_MERCHANT_ROW).filter({ hasText: 'Lanzhou Noodles' }).getByTestId(TID.OPERATOR_MERCHANT_APPROVE).click();
    await expect.poll(async () => (await owner.http.get('/api/v1/merchants/mine')).body.merchants[0]?.status).toBe('approved');

    // The town runs "20 off 100" for food shops; the member grabs one in Discover → Coupons.
    const now = Date.now();
    const campaign = await operator.http.post(
      '/api/v1/operator/coupon-campaigns',
      {
        name: '20 off 100',
        budgetMinor: '100000',
        faceMinor: '2000',
        thresholdMinor: '10000',
        perMemberCap: 1,
        categories: ['food'],
        batches: [{ releaseAt: new Date(now - 1000).toISOString(), quota: 10 }],
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + 86_400_000).toISOString(),
      },
      key(),
    );
    expect(campaign.status).toBe(201);
    const member = await web.signIn(payer);
    await member.getByTestId(TID.TAB_DISCOVER).click();
    await member.getByTestId('discover-coupons').click();
    await member.getByTestId(TID.COUPON_GRAB).first().click();
    await member.getByTestId(TID.MY_COUPON).waitFor();

    // The owner opens the console and downloads the printable QR code.
    await shop.getByTestId(TID.MERCHANT_ROW).click();
    await shop.getByRole('tab', { name: 'QR code' }).click();
    await shop.getByTestId(TID.MERCHANT_STATIC_QR).waitFor();
    const download = shop.getByTestId(TID.MERCHANT_QR_DOWNLOAD);
    await expect.poll(async () => (await download.getAttribute('href')) ?? '').toMatch(/^blob:/);
    const pngBase64 = await download.evaluate(async (a) => {
      const blob = await (await fetch((a as HTMLAnchorElement).href)).blob();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    });
    const printed = path.join(shots, 'merchant-qr.png');
    fs.writeFileSync(printed, Buffer.from(pngBase64, 'base64'));
    expect(fs.readFileSync(printed).subarray(1, 4).toString()).toBe('PNG');
    // …and the A6 till card as a PDF.
    const [card] = await Promise.all([shop.waitForEvent('download'), shop.getByTestId(TID.MERCHANT_QR_PDF).click()]);
    expect(card.suggestedFilename()).toMatch(/\.pdf$/);
    const cardPath = path.join(shots, 'merchant-qr.pdf');
    await card.saveAs(cardPath);
    expect(fs.readFileSync(cardPath).subarray(0, 5).toString()).toBe('%PDF-');
    await shop.getByRole('tab', { name: 'Live' }).click();

    // The member scans the printed code, enters 120.00; the coupon applies; pays with the PIN.
    await member.goto(`${app.url}/scan`);
    await member.getByTestId(TID.SCAN_UPLOAD_INPUT).setInputFiles(printed);
    await member.getByTestId(TID.PAY_MERCHANT).filter({ hasText: 'Lanzhou Noodles' }).waitFor();
    await member.getByTestId(TID.PAY_AMOUNT).locator('input').fill('120.00');
    await member.getByTestId(TID.PAY_COUPON).waitFor();
    await expect.poll(() => member.getByTestId(TID.PAY_TOTAL).textContent()).toBe('¥100.00');
    await member.getByTestId(TID.PAY_SUBMIT).click();
    await member.locator('.adm-passcode-input').click();
    await member.keyboard.type(PIN);
    await expect.poll(() => member.getByTestId(TID.PAY_SUCCESS).textContent()).toBe('¥100.00');

    // The merchant's live list shows it without a reload, then refunds 30.00 of it.
    const row = shop.getByTestId(TID.MERCHANT_PAYMENT_ROW).first();
    await expect.poll(() => row.getByTestId(TID.MERCHANT_PAYMENT_AMOUNT).textContent()).toBe('¥120.00');
    await expect(row.textContent()).resolves.toContain('Coupon ¥20.00');
    await row.getByTestId(TID.MERCHANT_REFUND_BUTTON).click();
    await shop.getByTestId(TID.MERCHANT_REFUND_AMOUNT).fill('30.00');
    await shop.getByTestId(TID.MERCHANT_REFUND_CONFIRM).click();
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('Refunded ¥30.00');
    await shop.screenshot({ path: path.join(shots, 'merchant-console.png') });
    await member.screenshot({ path: path.join(shots, 'member-paid.png') });

    const merchantId = (await owner.http.get('/api/v1/merchants/mine')).body.merchants[0].id;
    const payments = await owner.http.get(`/api/v1/merchants/${merchantId}/payments`);
    expect(payments.body.payments[0]).toMatchObject({ amountMinor: '12000', paidMinor: '10000', subsidyMinor: '2000', refundedMinor: '3000' });
    const wallet = await payer.http.get('/api/v1/wallet');
    expect(wallet.body.balances.find((b: { asset: string }) => b.asset === 'CNY').availableMinor).toBe(String(50_000 - 10_000 + 3_000));
    await expectLedgerSound(app);
  });

  it('a cashier charges a member’s payment code and the member confirms the large amount with the PIN', async () => {
    const operator = await registerMember(app, 'Operator two');
    await makeOperator(app, operator);
    const owner = await registerMember(app, 'Grocer');
    const payer = await registerMember(app, 'Shopper');
    await fund(payer, 100_000);
    const applied = await owner.http.post('/api/v1/merchants', {
      businessName: 'Corner Grocery',
      category: 'grocery',
      licenceNumber: 'LIC-2026-002',
      address: '9 Market Lane',
      lat: 31.2,
      lng: 121.4,
    });
    await operator.http.post(`/api/v1/operator/merchants/${applied.body.merchant.id}/review`, { decision: 'approve' });

    const member = await web.signIn(payer);
    await member.getByTestId(TID.TAB_ME).click();
    await member.getByTestId(TID.ME_PAYMENT_CODE).click();
    await member.getByTestId(TID.PAYMENT_CODE_BARCODE).waitFor();
    await member.getByTestId(TID.PAYMENT_CODE_QR).waitFor();
    await expect.poll(async () => ((await member.getByTestId(TID.PAYMENT_CODE_DIGITS).textContent()) ?? '').replace(/ /g, '')).toMatch(/^[0-9]{18}$/);
    const code = ((await member.getByTestId(TID.PAYMENT_CODE_DIGITS).textContent()) ?? '').replace(/ /g, '');

    // 500.00 is above the PIN threshold: the charge waits until the member confirms on the phone.
    const charge = await owner.http.post(`/api/v1/merchants/${applied.body.merchant.id}/charges`, { code, amountMinor: '50000' }, key());
    expect(charge.status).toBe(202);
    await member.locator('.adm-passcode-input').click();
    await member.keyboard.type(PIN);
    await expect.poll(async () => (await owner.http.get(`/api/v1/merchants/${applied.body.merchant.id}/payments`)).body.payments[0]?.status).toBe('paid');
    await member.getByText('Paid ¥500.00').waitFor();
    await expectLedgerSound(app);
  });
});
