import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeFriends, type Member, startApp, type TestApp } from '../apps/server/src/test/harness.js';
import { withCheckCharacter } from '../apps/server/src/modules/wallet/gold/id-number.js';
import { TID } from '../apps/web/src/testids.js';
import { Browsing, buildWeb, chromiumAvailable, openTab, registerInBrowser, tokenOf } from './browser.js';

const PIN = '258147';
const shots = path.join(os.tmpdir(), `plaza-e2e-wallet-${process.pid}`);

// Each member has their own browser context (own storage, own session), as on their own phone.
describe.skipIf(!chromiumAvailable)('wallet journeys in Chromium', { timeout: 180_000 }, () => {
  let app: TestApp;
  let web: Browsing;
  const people: Record<'alice' | 'bob' | 'carol', { page: Page; member: Member }> = {} as never;
  let bobShareMinor = 0;

  async function registered(displayName: string): Promise<{ page: Page; member: Member }> {
    const page = await web.newPage();
    const handle = await registerInBrowser(page, displayName);
    const token = await tokenOf(page);
    const http = api(app, token);
    const id = (await http.get('/api/v1/me')).body.account.id as string;
    return { page, member: { id, handle, token, http } };
  }

  async function openWallet(page: Page): Promise<void> {
    await openTab(page, TID.TAB_ME);
    await page.getByTestId(TID.ME_WALLET).click();
    await page.getByTestId(TID.WALLET_BALANCE).waitFor();
  }

  /** Types six digits into the payment-PIN sheet whose title is `title`. */
  async function enterPin(page: Page, title: string | RegExp, pin = PIN): Promise<void> {
    const sheet = page.locator('.wallet-sheet').filter({ has: page.locator('.wallet-sheet-title', { hasText: title }) });
    await sheet.getByTestId(TID.PIN_INPUT).click();
    await page.keyboard.type(pin);
  }

  /** Sets the red-packet share count, then waits until the sheet shows it (the stepper settles on blur). */
  async function setShares(page: Page, shares: number): Promise<void> {
    const input = page.getByTestId(TID.RED_PACKET_COUNT).locator('input');
    await input.fill(String(shares));
    await input.blur();
    await expect.poll(() => input.inputValue()).toBe(String(shares));
  }

  /** The balance as the server has it; the screen must come to show the same. */
  async function serverAvailableMinor(member: Member): Promise<string> {
    const balances = (await member.http.get('/api/v1/wallet')).body.balances as { asset: string; availableMinor: string }[];
    return balances.find((b) => b.asset === 'CNY')?.availableMinor ?? '';
  }

  const fill = (page: Page, testId: string, value: string) => page.getByTestId(testId).locator('input').fill(value);
  const availableMinor = (page: Page) => page.getByTestId(TID.WALLET_BALANCE).getAttribute('data-available-minor');

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

  it('tops up with a new card and PIN, sends a group red packet that two members grab, and the bill shows it', async () => {
    people.alice = await registered('Alice');
    people.bob = await registered('Bob');
    people.carol = await registered('Carol');
    const { alice, bob, carol } = people;
    await makeFriends(alice.member, bob.member);
    await makeFriends(alice.member, carol.member);
    await alice.page.reload();
    await alice.page.getByTestId(TID.TAB_CHATS).waitFor();

    // Top up: the wallet asks for a PIN first (twice), then for a card (Luhn-checked as typed).
    await openWallet(alice.page);
    await expect.poll(() => availableMinor(alice.page)).toBe('0');
    await alice.page.getByTestId(TID.WALLET_TOP_UP).click();
    await enterPin(alice.page, 'Choose a 6-digit payment PIN');
    await enterPin(alice.page, 'Enter the new PIN again');
    await alice.page.getByTestId(TID.FUNDING_ADD_CARD).click();
    await fill(alice.page, TID.CARD_NUMBER, '4111 1111 1111 1112');
    await alice.page.getByTestId(TID.CARD_ERROR).waitFor();
    expect(await alice.page.getByTestId(TID.CARD_SUBMIT).isDisabled()).toBe(true);
    await fill(alice.page, TID.CARD_NUMBER, '4111111111111111');
    await fill(alice.page, TID.CARD_HOLDER, 'Alice Li');
    expect(await alice.page.getByTestId(TID.CARD_ERROR).count()).toBe(0);
    await alice.page.getByTestId(TID.CARD_SUBMIT).click();
    await alice.page.getByTestId(TID.FUNDING_AMOUNT).waitFor();
    await expect.poll(() => alice.page.getByTestId(TID.FUNDING_CARD).textContent()).toContain('1111');
    await fill(alice.page, TID.FUNDING_AMOUNT, '100');
    await alice.page.getByTestId(TID.FUNDING_SUBMIT).click();
    await enterPin(alice.page, 'Top up ¥100.00');
    await expect.poll(() => availableMinor(alice.page)).toBe('10000');
    // Today's limit, with thousands separators, as the wallet shows it.
    await expect.poll(() => alice.page.getByTestId(TID.WALLET_LIMITS).textContent()).toContain('of ¥200,000.00');
    await alice.page.getByTestId(TID.WALLET_CARD).filter({ hasText: '1111' }).waitFor();

    // A group of three; Alice puts ¥8.88 in two random shares.
    await openTab(alice.page, TID.TAB_CHATS);
    await alice.page.getByTestId(TID.TOPBAR_PLUS).first().click();
    await alice.page.getByTestId(TID.PLUS_NEW_GROUP).click();
    await alice.page.locator(`[data-testid="${TID.GROUP_MEMBER_CHECKBOX}"][data-account-id="${bob.member.id}"]`).click();
    await alice.page.locator(`[data-testid="${TID.GROUP_MEMBER_CHECKBOX}"][data-account-id="${carol.member.id}"]`).click();
    await alice.page.getByTestId(TID.GROUP_CREATE_BUTTON).click();
    await alice.page.getByTestId(TID.CHAT_INPUT).waitFor();
    const group = ((await bob.member.http.get('/api/v1/conversations')).body.conversations as { id: string; kind: string }[]).find((c) => c.kind === 'group');
    if (!group) throw new Error('the group did not reach Bob');

    await alice.page.getByTestId(TID.CHAT_PLUS_BUTTON).click();
    await alice.page.getByTestId(TID.ATTACH_RED_PACKET).click();
    await alice.page.getByTestId(TID.RED_PACKET_MODE_RANDOM).click();
    await setShares(alice.page, 2);
    await fill(alice.page, TID.RED_PACKET_AMOUNT, '8.88');
    await fill(alice.page, TID.RED_PACKET_GREETING, 'Happy new year');
    await alice.page.getByTestId(TID.RED_PACKET_SEND).click();
    await alice.page.getByText('2 shares').waitFor();
    await enterPin(alice.page, 'Red Packet ¥8.88');
    const aliceCard = alice.page.getByTestId(TID.RED_PACKET_CARD).filter({ hasText: 'Happy new year' });
    await aliceCard.waitFor();
    const packetId = await aliceCard.getAttribute('data-red-packet-id');
    expect((await alice.member.http.get(`/api/v1/red-packets/${packetId}`)).body.redPacket).toMatchObject({ mode: 'random', count: 2, totalMinor: '888' });

    // Bob and Carol, each in their own browser, open it: the coin spins, the envelope opens, the amount shows.
    const shares: number[] = [];
    for (const who of [bob, carol]) {
      const page = who.page;
      await openTab(page, TID.TAB_CHATS);
      await page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${group.id}"]`).click();
      await page.locator(`[data-testid="${TID.RED_PACKET_CARD}"][data-red-packet-id="${packetId}"]`).click();
      const envelope = page.getByTestId(TID.RED_PACKET_ENVELOPE);
      await envelope.waitFor();
      expect(await envelope.textContent()).toContain('Happy new year');
      const coin = page.getByTestId(TID.RED_PACKET_OPEN);
      await coin.click();
      await expect.poll(() => coin.getAttribute('class'), { timeout: 2_000, interval: 50 }).toContain('spinning');
      const mine = page.getByTestId(TID.RED_PACKET_MY_AMOUNT);
      await mine.waitFor();
      const amountMinor = Number(await mine.getAttribute('data-amount-minor'));
      expect(amountMinor).toBeGreaterThanOrEqual(1);
      expect(await mine.textContent()).toContain(`¥${(amountMinor / 100).toFixed(2)}`);
      shares.push(amountMinor);
      await page.screenshot({ path: path.join(shots, `red-packet-${who.member.handle}.png`) });
    }
    const [bobShare = 0, carolShare = 0] = shares;
    expect(bobShare + carolShare).toBe(888);
    bobShareMinor = bobShare;
    // The second to open sees the whole claims list, with the luckiest marked.
    const claims = carol.page.getByTestId(TID.RED_PACKET_CLAIM);
    await expect.poll(() => claims.count()).toBe(2);
    await expect.poll(() => carol.page.getByText('Luckiest').count()).toBe(1);

    // The sender's bill: the top-up in, the red packet out.
    await openWallet(alice.page);
    await expect.poll(() => availableMinor(alice.page)).toBe(String(10000 - 888));
    await alice.page.getByTestId(TID.WALLET_BILL_ENTRY).click();
    const sent = alice.page.locator(`[data-testid="${TID.BILL_ROW}"][data-kind="red_packet"]`);
    await sent.waitFor();
    expect(await sent.getAttribute('data-direction')).toBe('out');
    expect(await sent.getAttribute('data-amount-minor')).toBe('888');
    expect(await sent.textContent()).toContain('-¥8.88');
    expect(await alice.page.locator(`[data-testid="${TID.BILL_ROW}"][data-kind="top_up"]`).getAttribute('data-amount-minor')).toBe('10000');
    await alice.page.screenshot({ path: path.join(shots, 'bill-alice.png') });

    const report = await app.plaza.services.wallet.verify();
    expect(report.ok).toBe(true);
  });

  it('sends a friend a transfer in chat, which the friend accepts', async () => {
    const { alice, bob } = people;
    await openTab(alice.page, TID.TAB_CONTACTS);
    await alice.page.getByTestId(TID.CONTACT_ROW).filter({ hasText: 'Bob' }).click();
    await alice.page.getByTestId(TID.PROFILE_MESSAGE).click();
    await alice.page.getByTestId(TID.CHAT_PLUS_BUTTON).click();
    await alice.page.getByTestId(TID.ATTACH_TRANSFER).click();
    await fill(alice.page, TID.TRANSFER_AMOUNT, '20');
    await fill(alice.page, TID.TRANSFER_NOTE, 'for lunch');
    await alice.page.getByTestId(TID.TRANSFER_SEND).click();
    await enterPin(alice.page, 'Transfer ¥20.00');
    const aliceCard = alice.page.getByTestId(TID.TRANSFER_CARD).filter({ hasText: 'for lunch' }).first();
    await aliceCard.waitFor();
    expect(await aliceCard.getAttribute('data-status')).toBe('pending');

    const direct = ((await bob.member.http.get('/api/v1/conversations')).body.conversations as { id: string; kind: string; peer?: { id: string } }[]).find(
      (c) => c.kind === 'direct' && c.peer?.id === alice.member.id,
    );
    if (!direct) throw new Error('no chat between Alice and Bob');
    await openTab(bob.page, TID.TAB_CHATS);
    await bob.page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${direct.id}"]`).click();
    const bobCard = bob.page.locator(`[data-testid="${TID.TRANSFER_CARD}"][data-status="pending"]`).filter({ hasText: 'for lunch' });
    await bobCard.click();
    const detail = bob.page.getByTestId(TID.TRANSFER_DETAIL);
    expect(await detail.textContent()).toContain('¥20.00');
    await bob.page.getByTestId(TID.TRANSFER_ACCEPT).click();
    await bob.page.locator(`[data-testid="${TID.TRANSFER_DETAIL}"][data-status="posted"]`).waitFor();
    await bob.page.screenshot({ path: path.join(shots, 'transfer-bob.png') });
    await bob.page.keyboard.press('Escape');

    // Alice's chat learns it was accepted, and Bob's wallet holds his share plus the transfer.
    await alice.page.locator(`[data-testid="${TID.TRANSFER_CARD}"][data-status="posted"]`).first().waitFor();
    await openWallet(bob.page);
    await expect.poll(() => availableMinor(bob.page)).toBe(String(bobShareMinor + 2000));
    await openWallet(alice.page);
    await expect.poll(() => availableMinor(alice.page)).toBe(String(10000 - 888 - 2000));

    // A second transfer Bob sends back: the money returns to Alice.
    await openTab(alice.page, TID.TAB_CHATS);
    await alice.page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${direct.id}"]`).click();
    await alice.page.getByTestId(TID.CHAT_PLUS_BUTTON).click();
    await alice.page.getByTestId(TID.ATTACH_TRANSFER).click();
    await fill(alice.page, TID.TRANSFER_AMOUNT, '5');
    await fill(alice.page, TID.TRANSFER_NOTE, 'too much?');
    await alice.page.getByTestId(TID.TRANSFER_SEND).click();
    await enterPin(alice.page, 'Transfer ¥5.00');
    await openTab(bob.page, TID.TAB_CHATS);
    await bob.page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${direct.id}"]`).click();
    await bob.page.locator(`[data-testid="${TID.TRANSFER_CARD}"][data-status="pending"]`).filter({ hasText: 'too much?' }).click();
    await bob.page.getByTestId(TID.TRANSFER_RETURN).click();
    await bob.page.locator(`[data-testid="${TID.TRANSFER_DETAIL}"][data-status="voided"]`).waitFor();
    await alice.page.locator(`[data-testid="${TID.TRANSFER_CARD}"][data-status="voided"]`).first().waitFor();
    await openWallet(alice.page);
    await expect.poll(() => availableMinor(alice.page)).toBe(String(10000 - 888 - 2000));
    expect((await app.plaza.services.wallet.verify()).ok).toBe(true);
  });

  it('explains a PIN typo, a wrong PIN, a declining bank and an unavailable one, and withdraws with the fee shown', async () => {
    const { alice, carol } = people;
    await openWallet(carol.page);
    const before = await serverAvailableMinor(carol.member);
    await expect.poll(() => availableMinor(carol.page)).toBe(before);
    await carol.page.getByTestId(TID.WALLET_PIN_ENTRY).click();
    await enterPin(carol.page, 'Choose a 6-digit payment PIN');
    await enterPin(carol.page, 'Enter the new PIN again', '975310');
    await expect.poll(() => carol.page.getByTestId(TID.PIN_ERROR).textContent()).toContain('The two PINs differ');
    await enterPin(carol.page, 'Choose a 6-digit payment PIN');
    await enterPin(carol.page, 'Enter the new PIN again');
    await carol.page.getByText('PIN saved').waitFor();

    for (const number of ['4000000000000002', '4000000000000119']) {
      await carol.page.getByTestId(TID.WALLET_ADD_CARD).click();
      await fill(carol.page, TID.CARD_NUMBER, number);
      await fill(carol.page, TID.CARD_HOLDER, 'Carol Wu');
      await carol.page.getByTestId(TID.CARD_SUBMIT).click();
      await carol.page
        .getByTestId(TID.WALLET_CARD)
        .filter({ hasText: number.slice(-4) })
        .waitFor();
    }

    // The declining card: a wrong PIN first (the sheet stays, with the attempts left), then the bank says no.
    await carol.page.getByTestId(TID.WALLET_TOP_UP).click();
    await carol.page.getByTestId(TID.FUNDING_CARD).getByText('0002').click();
    await fill(carol.page, TID.FUNDING_AMOUNT, '50');
    await carol.page.getByTestId(TID.FUNDING_SUBMIT).click();
    await enterPin(carol.page, 'Top up ¥50.00', '975310');
    await expect.poll(() => carol.page.getByTestId(TID.PIN_ERROR).textContent()).toContain('4 attempts left');
    await enterPin(carol.page, 'Top up ¥50.00');
    const declined = carol.page.getByTestId(TID.MONEY_ERROR);
    await declined.waitFor();
    expect(await declined.getAttribute('data-code')).toBe('WALLET_BANK_DECLINED');
    expect(await declined.textContent()).toContain('The bank declined this payment');
    await carol.page.getByRole('button', { name: 'OK' }).click();
    await declined.waitFor({ state: 'detached' });

    // The top-up sheet is still open with the amount: she picks the card whose bank is down.
    await carol.page.getByTestId(TID.FUNDING_CARD).getByText('0119').click();
    await carol.page.getByTestId(TID.FUNDING_SUBMIT).click();
    await enterPin(carol.page, 'Top up ¥50.00');
    const unavailable = carol.page.getByTestId(TID.MONEY_ERROR);
    await unavailable.waitFor();
    expect(await unavailable.getAttribute('data-code')).toBe('WALLET_BANK_UNAVAILABLE');
    expect(await unavailable.textContent()).toContain('The bank is not answering');
    await carol.page.getByRole('button', { name: 'OK' }).click();
    await expect.poll(() => availableMinor(carol.page)).toBe(before);
    await carol.page.keyboard.press('Escape');

    // Alice withdraws ¥10; the sheet shows the fee (0.1 %, at least ¥0.10) before the PIN.
    await openWallet(alice.page);
    const aliceBefore = Number(await serverAvailableMinor(alice.member));
    await expect.poll(() => availableMinor(alice.page)).toBe(String(aliceBefore));
    await alice.page.getByTestId(TID.WALLET_WITHDRAW).click();
    await fill(alice.page, TID.FUNDING_AMOUNT, '10');
    await expect.poll(() => alice.page.getByTestId(TID.FUNDING_FEE).textContent()).toContain('Fee ¥0.10');
    await alice.page.getByTestId(TID.FUNDING_SUBMIT).click();
    await enterPin(alice.page, 'Withdraw ¥10.00');
    await expect.poll(() => availableMinor(alice.page)).toBe(String(aliceBefore - 1010));
    await alice.page.getByTestId(TID.WALLET_BILL_ENTRY).click();
    await alice.page.locator(`[data-testid="${TID.BILL_ROW}"][data-kind="withdrawal_fee"][data-amount-minor="10"]`).waitFor();
    // The filters narrow the list: only money in.
    await alice.page.getByTestId(TID.BILL_FILTER_DIRECTION).getByText('In', { exact: true }).click();
    await expect.poll(() => alice.page.locator(`[data-testid="${TID.BILL_ROW}"][data-direction="out"]`).count()).toBe(0);
    await expect.poll(() => alice.page.locator(`[data-testid="${TID.BILL_ROW}"][data-kind="top_up"]`).count()).toBe(1);
    // The CSV export holds what the filters show.
    const [download] = await Promise.all([alice.page.waitForEvent('download'), alice.page.getByTestId(TID.BILL_EXPORT).click()]);
    const csvPath = await download.path();
    const csv = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,created_at,kind,direction,asset,amount_minor,status,counterparty,note');
    expect(csv.length).toBeGreaterThan(1);
    expect(csv.slice(1).every((line) => line.split(',')[3] === 'in')).toBe(true);
    expect(csv.some((line) => line.includes(',top_up,in,CNY,10000,posted,'))).toBe(true);
    expect((await app.plaza.services.wallet.verify()).ok).toBe(true);
  });

  it('activates gold, buys some, and sends a gold red packet whose worth the receiver sees', async () => {
    const { alice, bob } = people;
    await openWallet(alice.page);
    await alice.page.getByTestId(TID.WALLET_GOLD_ENTRY).click();
    await alice.page.getByTestId(TID.GOLD_CHART).locator('canvas').waitFor();
    const priceElement = alice.page.getByTestId(TID.GOLD_PRICE);
    await expect.poll(() => priceElement.getAttribute('data-price-minor')).toMatch(/^[1-9][0-9]*$/);
    const price = Number(await priceElement.getAttribute('data-price-minor'));
    await fill(alice.page, TID.GOLD_REAL_NAME, 'Alice Li');
    await fill(alice.page, TID.GOLD_ID_NUMBER, '110101199003070000');
    await alice.page.getByTestId(TID.GOLD_ID_ERROR).waitFor();
    await fill(alice.page, TID.GOLD_ID_NUMBER, withCheckCharacter('11010119900307001'));
    expect(await alice.page.getByTestId(TID.GOLD_ID_ERROR).count()).toBe(0);
    expect(await alice.page.getByTestId(TID.GOLD_ACTIVATE).isDisabled()).toBe(true);
    await alice.page.getByTestId(TID.GOLD_TERMS).click();
    await alice.page.getByTestId(TID.GOLD_ACTIVATE).click();
    await alice.page.getByTestId(TID.GOLD_BUY).click();
    await fill(alice.page, TID.GOLD_GRAMS, '0.05');
    await alice.page.getByTestId(TID.GOLD_CONFIRM).click();
    await enterPin(alice.page, /Buy gold/);
    await expect.poll(() => alice.page.getByTestId(TID.GOLD_PRICE).textContent()).toContain('0.050 g');

    // Two equal shares of 0.020 g in the group; the sheet shows what they are worth today.
    const group = ((await bob.member.http.get('/api/v1/conversations')).body.conversations as { id: string; kind: string }[]).find((c) => c.kind === 'group');
    if (!group) throw new Error('no group');
    await openTab(alice.page, TID.TAB_CHATS);
    await alice.page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${group.id}"]`).click();
    await alice.page.getByTestId(TID.CHAT_PLUS_BUTTON).click();
    await alice.page.getByTestId(TID.ATTACH_RED_PACKET).click();
    await alice.page.getByTestId(TID.RED_PACKET_ASSET_GOLD).getByText('Gold', { exact: true }).click();
    await alice.page.getByTestId(TID.RED_PACKET_MODE_EQUAL).click();
    await setShares(alice.page, 2);
    await fill(alice.page, TID.RED_PACKET_AMOUNT, '0.02');
    await fill(alice.page, TID.RED_PACKET_GREETING, 'Gold for you');
    const worth = Math.floor((40 * price) / 1000);
    await expect.poll(() => alice.page.getByTestId(TID.RED_PACKET_WORTH).textContent()).toContain(`¥${(worth / 100).toFixed(2)}`);
    await alice.page.getByTestId(TID.RED_PACKET_SEND).click();
    await alice.page.getByText('2 shares').waitFor();
    await enterPin(alice.page, 'Red Packet 0.040 g');
    const card = alice.page.getByTestId(TID.RED_PACKET_CARD).filter({ hasText: 'Gold for you' });
    await card.waitFor();
    const packetId = await card.getAttribute('data-red-packet-id');

    await openTab(bob.page, TID.TAB_CHATS);
    await bob.page.locator(`[data-testid="${TID.CONVERSATION_ROW}"][data-conversation-id="${group.id}"]`).click();
    await bob.page.locator(`[data-testid="${TID.RED_PACKET_CARD}"][data-red-packet-id="${packetId}"]`).click();
    await bob.page.getByTestId(TID.RED_PACKET_OPEN).click();
    const mine = bob.page.getByTestId(TID.RED_PACKET_MY_AMOUNT);
    await mine.waitFor();
    expect(await mine.getAttribute('data-amount-minor')).toBe('20');
    expect(await mine.textContent()).toContain('0.020 g');
    expect(await mine.textContent()).toContain(`≈ ¥${(Math.floor((20 * price) / 1000) / 100).toFixed(2)}`);
    await bob.page.screenshot({ path: path.join(shots, 'gold-red-packet-bob.png') });
    expect((await app.plaza.services.wallet.verify()).ok).toBe(true);
  });
});
