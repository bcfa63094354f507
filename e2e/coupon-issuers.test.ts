import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOperator, registerMember, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { expectLedgerSound, fund, key, PIN } from '../apps/server/src/modules/wallet/test-helpers.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable, openTab } from './browser.js';

const shots = path.join(os.tmpdir(), `plaza-e2e-coupon-issuers-${process.pid}`);

describe.skipIf(!chromiumAvailable)('coupon issuer journeys in Chromium', { timeout: 120_000 }, () => {
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

  it('the operator registers a town, its clerk funds it, creates a campaign with batches and follows it on the dashboard', async () => {
    const operator = await registerMember(app, 'Plaza operator');
    await makeOperator(app, operator);
    const clerk = await registerMember(app, 'Town clerk');
    await fund(clerk, 100_000);
    const cook = await registerMember(app, 'Cook');
    const payer = await registerMember(app, 'Shopper');
    await fund(payer, 50_000);

    // The operator registers Riverside Town with the clerk as its member, in the operator console.
    const ops = await web.signIn(operator);
    await openTab(ops, TID.TAB_ME);
    await ops.getByTestId(TID.OPERATOR_ENTRY).click();
    await ops.getByText('Coupon issuers').click();
    await ops.getByTestId(TID.ISSUER_REGISTER_NAME).fill('Riverside Town');
    await ops.getByTestId(TID.ISSUER_REGISTER_REGION).fill('Riverside');
    await ops.getByTestId(TID.ISSUER_REGISTER_MEMBERS).fill(clerk.handle);
    await ops.getByTestId(TID.ISSUER_REGISTER_SUBMIT).click();
    const row = ops.getByTestId(TID.OPERATOR_ISSUER_ROW).filter({ hasText: 'Riverside Town' });
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('Town clerk');

    // The clerk finds the issuer console under Me and funds the town's account from the wallet.
    const town = await web.signIn(clerk);
    await openTab(town, TID.TAB_ME);
    await town.getByTestId(TID.ME_ISSUER).click();
    await town.getByTestId(TID.ISSUER_ROW).filter({ hasText: 'Riverside Town' }).click();
    await expect.poll(() => town.getByTestId(TID.ISSUER_BALANCE).textContent()).toBe('¥0.00');
    await town.getByRole('tab', { name: 'Account and members' }).click();
    await town.getByTestId(TID.ISSUER_FUND_AMOUNT).fill('500.00');
    await town.getByTestId(TID.ISSUER_FUND_SUBMIT).click();
    await town.locator('.adm-passcode-input').click();
    await town.keyboard.type(PIN);
    await expect.poll(() => town.getByTestId(TID.ISSUER_BALANCE).textContent()).toBe('¥500.00');

    // "20 off 100": five coupons now and five more tomorrow (the batches editor repeats daily).
    await town.getByRole('tab', { name: 'New campaign' }).click();
    await town.getByTestId(TID.ISSUER_CAMPAIGN_NAME).fill('Riverside 20 off 100');
    await town.getByTestId(TID.ISSUER_CAMPAIGN_BUDGET).fill('200.00');
    await town.getByTestId(TID.ISSUER_CAMPAIGN_FACE).fill('20.00');
    await town.getByTestId(TID.ISSUER_CAMPAIGN_THRESHOLD).fill('100.00');
    await town.getByTestId(TID.ISSUER_CAMPAIGN_QUOTA).first().fill('5');
    await town.getByLabel('Days to repeat').fill('1');
    await town.getByTestId(TID.CAMPAIGN_BATCH_REPEAT).click();
    await expect.poll(() => town.getByTestId(TID.CAMPAIGN_BATCH_ROW).count()).toBe(2);
    await town.getByTestId(TID.ISSUER_CAMPAIGN_CREATE).click();
    await expect.poll(() => town.getByTestId(TID.ISSUER_BALANCE).textContent()).toBe('¥300.00');
    await town.getByRole('tab', { name: 'Campaigns' }).click();
    const campaignRow = town.getByTestId(TID.ISSUER_CAMPAIGN_ROW).filter({ hasText: 'Riverside 20 off 100' });
    await campaignRow.waitFor();
    await expect(campaignRow.textContent()).resolves.toContain('0/5, 0/5');

    // A shopper grabs a coupon and spends it at a food stall (through the API: another journey's screens).
    const applied = await cook.http.post('/api/v1/merchants', {
      businessName: 'Riverside Noodles',
      category: 'food',
      licenceNumber: 'LIC-2026-077',
      address: '3 River Road',
      lat: 31.2,
      lng: 121.4,
    });
    await operator.http.post(`/api/v1/operator/merchants/${applied.body.merchant.id}/review`, { decision: 'approve' });
    const token = String((await cook.http.get(`/api/v1/merchants/${applied.body.merchant.id}`)).body.staticQrContent).replace('plaza://pay/', '');
    const campaigns = await payer.http.get('/api/v1/coupon-campaigns');
    const campaign = campaigns.body.campaigns.find((c: { name: string }) => c.name === 'Riverside 20 off 100');
    expect(campaign.issuerId).toBeTruthy();
    expect((await payer.http.post(`/api/v1/coupon-campaigns/${campaign.id}/grabs`, undefined, key())).status).toBe(201);
    const paid = await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '12000', pin: PIN }, key());
    expect(paid.body.payment).toMatchObject({ subsidyMinor: '2000', paidMinor: '10000' });

    // The clerk opens the campaign's dashboard: one issued, one used, and the charts drawn.
    await town.reload();
    await town.getByTestId(TID.ISSUER_CAMPAIGN_ROW).filter({ hasText: 'Riverside 20 off 100' }).click();
    const dashboard = town.getByTestId(TID.ISSUER_CAMPAIGN_DASHBOARD);
    await expect.poll(() => dashboard.getByTestId(TID.CAMPAIGN_DASHBOARD_ISSUED).textContent()).toBe('1');
    await expect.poll(() => dashboard.getByTestId(TID.CAMPAIGN_DASHBOARD_USED).textContent()).toBe('1');
    await expect.poll(async () => (await dashboard.textContent()) ?? '').toContain('¥20.00');
    await dashboard.getByTestId(TID.CAMPAIGN_CHART_BY_DAY).locator('canvas').first().waitFor();
    await dashboard.getByTestId(TID.CAMPAIGN_CHART_BY_CATEGORY).locator('canvas').first().waitFor();
    await dashboard.screenshot({ path: path.join(shots, 'issuer-dashboard.png') });

    // The clerk cannot reach another town's console.
    const other = await operator.http.post('/api/v1/operator/coupon-issuers', { name: 'Hillside Town', region: 'Hillside' });
    expect((await clerk.http.get(`/api/v1/issuer/issuers/${other.body.issuer.id}`)).status).toBe(403);
    await expectLedgerSound(app);
  });
});
