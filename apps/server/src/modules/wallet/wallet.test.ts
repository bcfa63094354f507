import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { withCheckCharacter } from './gold/id-number.js';
import { available, DECLINED_CARD, expectLedgerSound, fund, key, PIN } from './test-helpers.js';
import type { WalletDb } from './tables.js';

describe.each(dialects)('wallet on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  let aliceCard: string;
  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    carol = await registerMember(app, 'Carol');
    dave = await registerMember(app, 'Dave');
    await makeFriends(alice, bob);
    await makeFriends(alice, carol);
    aliceCard = await fund(alice, 100_000);
    await fund(bob, 0);
    await fund(carol, 0);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts every member at zero in every asset the ledger knows', async () => {
    const wallet = await dave.http.get('/api/v1/wallet');
    expect(wallet.status).toBe(200);
    expect(wallet.body.balances).toEqual([
      expect.objectContaining({ asset: 'CNY', availableMinor: '0', heldMinor: '0' }),
      expect.objectContaining({ asset: 'XAU', availableMinor: '0', heldMinor: '0' }),
    ]);
    expect(wallet.body.pinSet).toBe(false);
  });

  it('tops up from a bound card and reports a zero-sum ledger', async () => {
    expect(await available(alice)).toBe(100_000);
    const health = (await fetch(`${app.url}/api/v1/wallet/health`).then((r) => r.json())) as { assets: unknown[] };
    expect(health.assets).toEqual(expect.arrayContaining([{ asset: 'CNY', sumMinor: '0', ok: true }]));
  });

  it('refuses money-moving requests without an Idempotency-Key', async () => {
    const response = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'CNY', amountMinor: '100', pin: PIN });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('WALLET_IDEMPOTENCY_KEY_REQUIRED');
  });

  it('answers a retried request with the first response and moves the money once', async () => {
    const headers = key();
    const body = { toAccountId: bob.id, asset: 'CNY', amountMinor: '250', pin: PIN };
    const before = await available(alice);
    const first = await alice.http.post('/api/v1/transfers', body, headers);
    expect(first.status).toBe(201);
    const again = await alice.http.post('/api/v1/transfers', body, headers);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await available(alice)).toBe(before - 250);
    const reused = await alice.http.post('/api/v1/transfers', { ...body, amountMinor: '251' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await bob.http.post(`/api/v1/transfers/${first.body.transfer.id}/accept`)).status).toBe(200);
  });

  it('validates cards with Luhn and surfaces simulated bank declines', async () => {
    const bad = await alice.http.post('/api/v1/bank-cards', { number: '4111111111111112', holderName: 'A' });
    expect(bad.body.error.code).toBe('WALLET_CARD_INVALID');
    const card = await alice.http.post('/api/v1/bank-cards', { number: DECLINED_CARD, holderName: 'Alice' });
    expect(card.status).toBe(201);
    expect(card.body.card.last4).toBe('0002');
    const top = await alice.http.post('/api/v1/wallet/top-ups', { cardId: card.body.card.id, asset: 'CNY', amountMinor: '100', pin: PIN }, key());
    expect(top.status).toBe(402);
    expect(top.body.error.code).toBe('WALLET_BANK_DECLINED');
  });

  it('keeps assets members do not hold (merchant payment points) out of wallets and top-ups', async () => {
    const cards = await alice.http.get('/api/v1/bank-cards');
    const cardId = cards.body.cards[0].id;
    const before = await available(alice, 'PTS');
    const top = await alice.http.post('/api/v1/wallet/top-ups', { cardId, asset: 'PTS', amountMinor: '100', pin: PIN }, key());
    expect(top.status).toBe(400);
    expect(top.body.error.code).toBe('WALLET_UNKNOWN_ASSET');
    const transfer = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'PTS', amountMinor: '1', pin: PIN }, key());
    expect(transfer.body.error.code).toBe('WALLET_UNKNOWN_ASSET');
    expect(await available(alice, 'PTS')).toBe(before);
  });

  it('withdraws to a card with the configured fee', async () => {
    const before = await available(alice);
    const response = await alice.http.post('/api/v1/wallet/withdrawals', { cardId: aliceCard, asset: 'CNY', amountMinor: '10000', pin: PIN }, key());
    expect(response.status).toBe(201);
    expect(response.body.withdrawal).toMatchObject({ amountMinor: '10000', feeMinor: '10', status: 'posted' });
    expect(await available(alice)).toBe(before - 10_010);
    const tooMuch = await alice.http.post('/api/v1/wallet/withdrawals', { cardId: aliceCard, asset: 'CNY', amountMinor: '5000000', pin: PIN }, key());
    expect(tooMuch.body.error.code).toBe('WALLET_INSUFFICIENT_FUNDS');
    await expectLedgerSound(app);
  });

  it('locks payments for 15 minutes after 5 wrong PINs', async () => {
    await fund(dave, 0);
    for (let i = 0; i < 4; i += 1) {
      const wrong = await dave.http.post('/api/v1/wallet/top-ups', { cardId: '1', asset: 'CNY', amountMinor: '1', pin: '000111' }, key());
      expect(wrong.body.error.code).toBe('WALLET_PIN_WRONG');
    }
    const fifth = await dave.http.post('/api/v1/wallet/top-ups', { cardId: '1', asset: 'CNY', amountMinor: '1', pin: '000111' }, key());
    expect(fifth.body.error.code).toBe('WALLET_PIN_LOCKED');
    const right = await dave.http.post('/api/v1/wallet/top-ups', { cardId: '1', asset: 'CNY', amountMinor: '1', pin: PIN }, key());
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('WALLET_PIN_LOCKED');
  });

  it('holds a transfer until the friend accepts it, and posts a card into the chat', async () => {
    const before = await available(alice);
    const bobBefore = await available(bob);
    const sent = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'CNY', amountMinor: '1200', note: 'lunch', pin: PIN }, key());
    expect(sent.status).toBe(201);
    expect(sent.body.transfer).toMatchObject({ status: 'pending', amountMinor: '1200', note: 'lunch' });
    const wallet = await alice.http.get('/api/v1/wallet');
    expect(Number(wallet.body.balances[0].heldMinor)).toBeGreaterThanOrEqual(1200);
    expect(await available(alice)).toBe(before - 1200);
    expect(await available(bob)).toBe(bobBefore);
    await app.plaza.services.wallet.cardsPosted();
    const conversations = await bob.http.get('/api/v1/conversations');
    const direct = conversations.body.conversations.find((c: { kind: string; peer: { id: string } | null }) => c.kind === 'direct' && c.peer?.id === alice.id);
    const messages = await bob.http.get(`/api/v1/conversations/${direct.id}/messages`);
    expect(
      messages.body.messages.some(
        (m: { type: string; content: { transferId: string } }) => m.type === 'transfer' && m.content.transferId === sent.body.transfer.id,
      ),
    ).toBe(true);
    expect((await alice.http.post(`/api/v1/transfers/${sent.body.transfer.id}/accept`)).status).toBe(403);
    const accepted = await bob.http.post(`/api/v1/transfers/${sent.body.transfer.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.transfer.status).toBe('posted');
    expect(await available(bob)).toBe(bobBefore + 1200);
    const twice = await bob.http.post(`/api/v1/transfers/${sent.body.transfer.id}/return`);
    expect(twice.body.error.code).toBe('WALLET_TRANSFER_CLOSED');
  });

  it('gives a returned transfer back to the sender', async () => {
    const before = await available(alice);
    const sent = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'CNY', amountMinor: '300', pin: PIN }, key());
    const returned = await bob.http.post(`/api/v1/transfers/${sent.body.transfer.id}/return`);
    expect(returned.body.transfer.status).toBe('voided');
    expect(await available(alice)).toBe(before);
  });

  it('only sends to friends and never to oneself', async () => {
    const stranger = await alice.http.post('/api/v1/transfers', { toAccountId: dave.id, asset: 'CNY', amountMinor: '100', pin: PIN }, key());
    expect(stranger.status).toBe(403);
    const self = await alice.http.post('/api/v1/transfers', { toAccountId: alice.id, asset: 'CNY', amountMinor: '100', pin: PIN }, key());
    expect(self.body.error.code).toBe('WALLET_SELF_TRANSFER');
  });

  it('returns unaccepted transfers after 24 hours, also those that expired while the server was down', async () => {
    const wallet = app.plaza.services.wallet;
    const before = await available(alice);
    const sent = await alice.http.post('/api/v1/transfers', { toAccountId: carol.id, asset: 'CNY', amountMinor: '700', pin: PIN }, key());
    expect(await available(alice)).toBe(before - 700);
    const realNow = Date.now;
    wallet.setClock(() => realNow() + 24 * 3600 * 1000 + 1000);
    try {
      const swept = await wallet.sweep();
      expect(swept.transfersReturned).toBeGreaterThanOrEqual(1);
      expect((await wallet.sweep()).transfersReturned).toBe(0);
      expect(await available(alice)).toBe(before);
      const late = await carol.http.post(`/api/v1/transfers/${sent.body.transfer.id}/accept`);
      expect(late.body.error.code).toBe('WALLET_TRANSFER_CLOSED');
    } finally {
      wallet.setClock(() => realNow());
    }
    await expectLedgerSound(app);
  });

  it('sends a group red packet that members grab once each, with a luckiest claim', async () => {
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id, carol.id] });
    const conversationId = group.body.conversation.id;
    const before = await available(alice);
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId, mode: 'random', asset: 'CNY', totalMinor: '1000', count: 3, greeting: 'Happy new year', pin: PIN },
      key(),
    );
    expect(created.status).toBe(201);
    const id = created.body.redPacket.id;
    expect(await available(alice)).toBe(before - 1000);
    const claims = [];
    for (const m of [bob, carol, alice]) {
      const claim = await m.http.post(`/api/v1/red-packets/${id}/claim`);
      expect(claim.status).toBe(200);
      claims.push(Number(claim.body.claim.amountMinor));
    }
    expect(claims.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(claims.every((c) => c >= 1)).toBe(true);
    const again = await bob.http.post(`/api/v1/red-packets/${id}/claim`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RED_PACKET_ALREADY_CLAIMED');
    const outsider = await dave.http.post(`/api/v1/red-packets/${id}/claim`);
    expect(outsider.status).toBe(403);
    const packet = await bob.http.get(`/api/v1/red-packets/${id}`);
    expect(packet.body.redPacket.status).toBe('finished');
    expect(packet.body.redPacket.claims).toHaveLength(3);
    expect(packet.body.redPacket.claims.filter((c: { luckiest: boolean }) => c.luckiest)).toHaveLength(1);
    await expectLedgerSound(app);
  });

  it('says RED_PACKET_EMPTY when every share is taken', async () => {
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id, carol.id] });
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'equal', asset: 'CNY', totalMinor: '200', count: 1, pin: PIN },
      key(),
    );
    expect((await bob.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`)).body.claim.amountMinor).toBe('200');
    const late = await carol.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('RED_PACKET_EMPTY');
  });

  it('keeps an exclusive packet for the named member', async () => {
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id, carol.id] });
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'exclusive', exclusiveTo: carol.id, asset: 'CNY', totalMinor: '88', count: 1, pin: PIN },
      key(),
    );
    expect(created.status).toBe(201);
    expect((await bob.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`)).body.error.code).toBe('RED_PACKET_NOT_FOR_YOU');
    expect((await carol.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`)).body.claim.amountMinor).toBe('88');
  });

  it('refuses more shares than the group has members', async () => {
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id] });
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'random', asset: 'CNY', totalMinor: '300', count: 3, pin: PIN },
      key(),
    );
    expect(created.body.error.code).toBe('RED_PACKET_INVALID');
  });

  it('refunds the unclaimed remainder after 24 hours', async () => {
    const wallet = app.plaza.services.wallet;
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id, carol.id] });
    const before = await available(alice);
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'equal', asset: 'CNY', totalMinor: '900', count: 3, pin: PIN },
      key(),
    );
    const id = created.body.redPacket.id;
    await bob.http.post(`/api/v1/red-packets/${id}/claim`);
    const realNow = Date.now;
    wallet.setClock(() => realNow() + 24 * 3600 * 1000 + 1000);
    try {
      expect((await wallet.sweep()).packetsRefunded).toBeGreaterThanOrEqual(1);
      expect((await carol.http.post(`/api/v1/red-packets/${id}/claim`)).body.error.code).toBe('RED_PACKET_EXPIRED');
    } finally {
      wallet.setClock(() => realNow());
    }
    expect(await available(alice)).toBe(before - 300);
    expect((await alice.http.get(`/api/v1/red-packets/${id}`)).body.redPacket.status).toBe('refunded');
    await expectLedgerSound(app);
  });

  it('sends a red packet to one friend in a direct chat', async () => {
    const direct = await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id });
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: direct.body.conversation.id, mode: 'equal', asset: 'CNY', totalMinor: '520', count: 1, pin: PIN },
      key(),
    );
    expect(created.status).toBe(201);
    expect((await alice.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`)).body.error.code).toBe('RED_PACKET_NOT_FOR_YOU');
    expect((await bob.http.post(`/api/v1/red-packets/${created.body.redPacket.id}/claim`)).body.claim.amountMinor).toBe('520');
  });

  it('activates gold with a valid ID number, buys, sends gold as a red packet and sells', async () => {
    const bad = await alice.http.post('/api/v1/gold/activation', { realName: 'Alice Li', idNumber: '110101199003070000', acceptTerms: true });
    expect(bad.body.error.code).toBe('WALLET_ID_NUMBER_INVALID');
    const notYet = await alice.http.post('/api/v1/gold/buy', { weightMg: '1000', pin: PIN }, key());
    expect(notYet.body.error.code).toBe('WALLET_GOLD_NOT_ACTIVATED');
    const idNumber = withCheckCharacter('11010119900307001');
    const activated = await alice.http.post('/api/v1/gold/activation', { realName: 'Alice Li', idNumber, acceptTerms: true });
    expect(activated.status).toBe(200);
    const gold = await alice.http.get('/api/v1/gold');
    const price = Number(gold.body.gold.pricePerGramMinor);
    expect(price).toBeGreaterThan(0);
    expect(gold.body.gold.history).toHaveLength(30);
    const cashBefore = await available(alice);
    const bought = await alice.http.post('/api/v1/gold/buy', { weightMg: '200', pin: PIN }, key());
    expect(bought.status).toBe(201);
    expect(bought.body.trade.amountMinor).toBe(String(Math.ceil(0.2 * price)));
    expect(await available(alice, 'XAU')).toBe(200);
    expect(await available(alice)).toBe(cashBefore - Math.ceil(0.2 * price));
    const direct = await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: carol.id });
    const packet = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: direct.body.conversation.id, mode: 'equal', asset: 'XAU', totalMinor: '50', count: 1, pin: PIN },
      key(),
    );
    expect(packet.status).toBe(201);
    expect((await carol.http.post(`/api/v1/red-packets/${packet.body.redPacket.id}/claim`)).body.claim).toMatchObject({ asset: 'XAU', amountMinor: '50' });
    expect(await available(carol, 'XAU')).toBe(50);
    const sold = await alice.http.post('/api/v1/gold/sell', { weightMg: '150', pin: PIN }, key());
    expect(sold.status).toBe(201);
    expect(await available(alice, 'XAU')).toBe(0);
    await expectLedgerSound(app);
  });

  it('lists every movement in the bill with counterparty, status and filters, monthly totals and CSV', async () => {
    const page = await alice.http.get('/api/v1/wallet/bill?limit=5');
    expect(page.status).toBe(200);
    expect(page.body.entries).toHaveLength(5);
    expect(page.body.nextCursor).toBeTruthy();
    const next = await alice.http.get(`/api/v1/wallet/bill?limit=5&cursor=${page.body.nextCursor}`);
    expect(Number(next.body.entries[0].id)).toBeLessThan(Number(page.body.entries[4].id));
    const transfers = await alice.http.get('/api/v1/wallet/bill?kind=p2p&direction=out&limit=200');
    expect(transfers.body.entries.length).toBeGreaterThan(0);
    expect(transfers.body.entries.every((e: { kind: string; direction: string }) => e.kind === 'p2p' && e.direction === 'out')).toBe(true);
    expect(
      transfers.body.entries.some((e: { counterparty: { id: string } | null; status: string }) => e.counterparty?.id === bob.id && e.status === 'posted'),
    ).toBe(true);
    expect(transfers.body.entries.some((e: { status: string }) => e.status === 'voided')).toBe(true);
    const monthly = await alice.http.get('/api/v1/wallet/bill/monthly?asset=CNY&months=3');
    expect(monthly.body.months).toHaveLength(3);
    expect(Number(monthly.body.months[2].inMinor)).toBeGreaterThanOrEqual(100_000);
    const csv = await fetch(`${app.url}/api/v1/wallet/bill.csv`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\n')[0]).toBe('id,created_at,kind,direction,asset,amount_minor,status,counterparty,note');
    expect(text).toContain('top_up');
  });

  it('refuses by the database itself a member balance below zero', async () => {
    const db = app.plaza.ctx.db as unknown as WalletDb;
    const row = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('owner_account_id', '=', Number(bob.id))
      .where('kind', '=', 'wallet')
      .executeTakeFirstOrThrow();
    await expect(db.updateTable('ledger_accounts').set({ balance: -1 }).where('id', '=', row.id).execute()).rejects.toThrow();
  });
});
