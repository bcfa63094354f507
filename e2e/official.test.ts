import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOperator, registerMember, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { available, fund, PIN } from '../apps/server/src/modules/wallet/test-helpers.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable, openTab } from './browser.js';

const PRICE_MINOR = 990;

describe.skipIf(!chromiumAvailable)('Official Accounts journey in Chromium', { timeout: 120_000 }, () => {
  let app: TestApp;
  let web: Browsing;

  beforeAll(async () => {
    buildWeb();
    app = await startApp({ dialect: 'sqlite' });
    web = await Browsing.launch(app.url);
  }, 240_000);

  afterAll(async () => {
    await web?.close();
    await app?.close();
  });

  it('a member follows an Official Account, unlocks a paid article with the PIN and finds it in the Chats folder', async () => {
    // Setup through the API: a verified publisher with one paid article, and a reader with money and a PIN.
    const publisher = await registerMember(app, 'Publisher');
    const operator = await registerMember(app, 'Operator');
    await makeOperator(app, operator);
    const created = await publisher.http.post('/api/v1/official-accounts', {
      type: 'subscription',
      name: 'Harbour Weekly',
      description: 'News from the harbour',
    });
    expect(created.status).toBe(201);
    const officialId = created.body.account.id;
    expect((await operator.http.post(`/api/v1/operator/official-accounts/${officialId}/review`, { decision: 'verify' })).status).toBe(200);
    const article = await publisher.http.post(`/api/v1/official-accounts/${officialId}/articles`, {
      title: 'The tide tables, explained',
      previewHtml: '<p>Why the tide is late this week.</p>',
      bodyHtml: '<h2>Moon and wind</h2><p>The full answer: <b>the spring tide</b> meets a northern wind.</p>',
      priceMinor: String(PRICE_MINOR),
    });
    expect(article.status).toBe(201);
    const reader = await registerMember(app, 'Reader');
    await fund(reader, 5_000);
    await fund(publisher, 0);

    const page = await web.signIn(reader);

    // Find and follow the account from Contacts → Official Accounts.
    await openTab(page, TID.TAB_CONTACTS);
    await page.getByTestId(TID.OFFICIAL_ENTRY).click();
    await page.getByPlaceholder('Search Official Accounts').fill('harbour');
    await page.getByTestId(TID.OFFICIAL_SEARCH_RESULT).filter({ hasText: 'Harbour Weekly' }).waitFor();
    await page.getByTestId(TID.OFFICIAL_FOLLOW).click();
    await expect.poll(async () => (await reader.http.get(`/api/v1/official-accounts/${officialId}`)).body.account.followedByMe).toBe(true);

    // The Chats list shows the Official Accounts folder with the newest article.
    await openTab(page, TID.TAB_CHATS);
    const folder = page.getByTestId(TID.OFFICIAL_FOLDER_ROW);
    await folder.waitFor();
    await expect.poll(() => folder.textContent()).toContain('The tide tables, explained');
    await folder.click();
    const row = page.getByTestId(TID.OFFICIAL_ACCOUNT_ROW).filter({ hasText: 'Harbour Weekly' });
    await row.getByTestId(TID.OFFICIAL_ARTICLE_ROW).click();

    // Locked: the preview only, then pay with the PIN.
    await page.getByTestId(TID.OFFICIAL_ARTICLE_LOCKED).waitFor();
    await expect.poll(() => page.getByTestId(TID.OFFICIAL_ARTICLE_BODY).textContent()).toContain('Why the tide is late');
    expect(await page.getByTestId(TID.OFFICIAL_ARTICLE_BODY).textContent()).not.toContain('spring tide');
    await page.getByTestId(TID.OFFICIAL_UNLOCK).click();
    await page.locator('.adm-passcode-input').click();
    await page.keyboard.type(PIN);
    await expect.poll(() => page.getByTestId(TID.OFFICIAL_ARTICLE_BODY).textContent()).toContain('the spring tide meets a northern wind');
    expect(await page.getByTestId(TID.OFFICIAL_ARTICLE_LOCKED).count()).toBe(0);
    expect(await available(reader)).toBe(5_000 - PRICE_MINOR);

    // Back in the folder the article shows as unlocked.
    await page.goBack();
    await expect.poll(() => row.getByTestId(TID.OFFICIAL_ARTICLE_ROW).textContent()).toContain('Unlocked');
    const ledger = await app.plaza.services.wallet.verify();
    expect(ledger.ok).toBe(true);
  });
  it('a publisher registers an account, an operator verifies it, and the publisher broadcasts an article written in the editor', async () => {
    const publisher = await registerMember(app, 'Writer');
    const operator = await registerMember(app, 'Reviewer');
    await makeOperator(app, operator);
    const follower = await registerMember(app, 'Fan');

    const writer = await web.signIn(publisher);
    await openTab(writer, TID.TAB_CONTACTS);
    await writer.getByTestId(TID.OFFICIAL_ENTRY).click();
    await writer.getByTestId(TID.OFFICIAL_MY_ACCOUNTS).click();
    await writer.getByTestId(TID.OFFICIAL_REGISTER_NAME).fill('Garden Diary');
    await writer.getByTestId(TID.OFFICIAL_REGISTER_SUBMIT).click();
    await writer.getByText('Pending review').first().waitFor();

    const reviewer = await web.signIn(operator);
    await openTab(reviewer, TID.TAB_ME);
    await reviewer.getByTestId(TID.OPERATOR_ENTRY).click();
    await reviewer.getByTestId('operator-section-official-accounts').click();
    await reviewer.getByText('Garden Diary').waitFor();
    await reviewer.getByTestId(TID.OFFICIAL_REVIEW_VERIFY).click();
    const [account] = (await publisher.http.get('/api/v1/official-accounts/mine')).body.accounts;
    await expect.poll(async () => (await publisher.http.get(`/api/v1/official-accounts/${account.id}`)).body.account.status).toBe('verified');
    expect((await follower.http.raw('PUT', `/api/v1/official-accounts/${account.id}/follow`)).status).toBe(204);
    // The fan has the Chats list open: the folder row, nothing new in it yet.
    const fan = await web.signIn(follower);
    const folder = fan.getByTestId(TID.OFFICIAL_FOLDER_ROW);
    await expect.poll(() => folder.textContent()).toContain('No articles yet');
    expect(await folder.getByTestId(TID.OFFICIAL_FOLDER_UNSEEN).count()).toBe(0);

    await writer.reload();
    await writer.getByText('Garden Diary').click();
    await writer.getByTestId(TID.OFFICIAL_PUBLISH_TITLE).fill('First roses');
    const editor = writer.getByTestId(TID.OFFICIAL_EDITOR);
    await editor.click();
    await writer.keyboard.type('The roses are ');
    await writer.getByRole('button', { name: 'Bold' }).first().click();
    await writer.keyboard.type('out');
    await writer.getByTestId(TID.OFFICIAL_PUBLISH_SUBMIT).click();
    await expect.poll(() => writer.getByTestId(TID.OFFICIAL_ARTICLE_BODY).innerHTML()).toContain('<b>out</b>');

    // The inbox pointer follows the article's commit; poll for it.
    await expect
      .poll(async () => {
        const sync = await follower.http.get('/api/v1/sync?afterSeq=0');
        return sync.body.events.filter((e: { type: string }) => e.type === 'official.broadcast').map((e: { title: string }) => e.title);
      })
      .toEqual(['First roses']);
    // The broadcast puts a red dot on the fan's folder row; opening the folder clears it.
    await expect.poll(() => folder.textContent()).toContain('First roses');
    await folder.getByTestId(TID.OFFICIAL_FOLDER_UNSEEN).waitFor();
    await folder.click();
    await fan.getByTestId(TID.OFFICIAL_ACCOUNT_ROW).filter({ hasText: 'Garden Diary' }).waitFor();
    await openTab(fan, TID.TAB_CHATS);
    await expect.poll(() => folder.textContent()).toContain('First roses');
    expect(await folder.getByTestId(TID.OFFICIAL_FOLDER_UNSEEN).count()).toBe(0);

    await writer.goBack();
    await writer.getByText('Statistics').click();
    await expect.poll(() => writer.getByTestId(TID.OFFICIAL_STATS).locator('canvas').count()).toBeGreaterThan(0);
  });
});
