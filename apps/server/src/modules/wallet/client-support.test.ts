import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { withCheckCharacter } from './gold/id-number.js';
import { available, expectLedgerSound, fund, key, PIN } from './test-helpers.js';

// What the web client reads to show fees, limits and gold worth before a member confirms.
describe.each(dialects)('wallet answers for the client on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  beforeAll(async () => {
    // The wallet reads its settings from the process environment when the app is built.
    const settings = { WALLET_DAILY_OUTGOING_MAX_MINOR: '500000', WALLET_WITHDRAWAL_FEE_BP: '25', WALLET_WITHDRAWAL_FEE_MIN_MINOR: '15' };
    Object.assign(process.env, settings);
    try {
      app = await startApp({ dialect });
    } finally {
      for (const name of Object.keys(settings)) delete process.env[name];
    }
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    carol = await registerMember(app, 'Carol');
    await makeFriends(alice, bob);
    await makeFriends(alice, carol);
    await fund(alice, 100_000);
    await fund(bob, 0);
    await fund(carol, 0);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports the configured fee and limits and what is left of today’s limit', async () => {
    const before = (await alice.http.get('/api/v1/wallet')).body.limits;
    expect(before).toMatchObject({
      dailyOutgoingMaxMinor: '500000',
      dailyOutgoingLeftMinor: '500000',
      withdrawalFeeBasisPoints: 25,
      withdrawalFeeMinMinor: '15',
      redPacketCountMax: 100,
    });
    const sent = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'CNY', amountMinor: '1200', pin: PIN }, key());
    expect(sent.status).toBe(201);
    expect((await alice.http.get('/api/v1/wallet')).body.limits.dailyOutgoingLeftMinor).toBe('498800');
    const tooMuch = await alice.http.post('/api/v1/transfers', { toAccountId: bob.id, asset: 'CNY', amountMinor: '498801', pin: PIN }, key());
    expect(tooMuch.body.error.code).toBe('WALLET_DAILY_LIMIT');
    expect((await alice.http.get('/api/v1/wallet')).body.limits.dailyOutgoingLeftMinor).toBe('498800');
    expect((await bob.http.get('/api/v1/wallet')).body.limits.dailyOutgoingLeftMinor).toBe('500000');
  });

  it('lets only an operator set the gold price, and uses it at once', async () => {
    const refused = await alice.http.put('/api/v1/operator/gold-price', { pricePerGramMinor: '61234' });
    expect(refused.status).toBe(403);
    await makeOperator(app, carol);
    const zero = await carol.http.put('/api/v1/operator/gold-price', { pricePerGramMinor: '0' });
    expect(zero.status).toBe(400);
    expect(zero.body.error.code).toBe('WALLET_INVALID_AMOUNT');
    const set = await carol.http.put('/api/v1/operator/gold-price', { pricePerGramMinor: '61234' });
    expect(set.status).toBe(200);
    expect(set.body.gold.pricePerGramMinor).toBe('61234');
    expect((await alice.http.get('/api/v1/gold')).body.gold.pricePerGramMinor).toBe('61234');
  });

  it('shows a gold red packet’s worth at today’s price, for the packet and for each claim', async () => {
    await makeOperator(app, carol);
    expect((await carol.http.put('/api/v1/operator/gold-price', { pricePerGramMinor: '60000' })).status).toBe(200);
    const idNumber = withCheckCharacter('11010119900307001');
    expect((await alice.http.post('/api/v1/gold/activation', { realName: 'Alice Li', idNumber, acceptTerms: true })).status).toBe(200);
    expect((await alice.http.post('/api/v1/gold/buy', { weightMg: '1500', pin: PIN }, key())).status).toBe(201);
    const group = await alice.http.post('/api/v1/conversations', { kind: 'group', memberIds: [bob.id, carol.id] });
    const created = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'equal', asset: 'XAU', totalMinor: '1001', count: 2, pin: PIN },
      key(),
    );
    expect(created.status).toBe(201);
    const id = created.body.redPacket.id;
    expect((await bob.http.post(`/api/v1/red-packets/${id}/claim`)).body.claim).toMatchObject({ asset: 'XAU', amountMinor: '501' });
    const seen = (await bob.http.get(`/api/v1/red-packets/${id}`)).body.redPacket;
    // 1001 mg at 600.00 per gram is 600.60; Bob's 501 mg is 300.60.
    expect(seen.worthMinor).toBe('60060');
    expect(seen.myClaim).toMatchObject({ amountMinor: '501', worthMinor: '30060' });
    expect(await available(bob, 'XAU')).toBe(501);
    // Cash packets carry no worth: their amount is the money.
    const cash = await alice.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'equal', asset: 'CNY', totalMinor: '200', count: 2, pin: PIN },
      key(),
    );
    expect((await bob.http.get(`/api/v1/red-packets/${cash.body.redPacket.id}`)).body.redPacket.worthMinor).toBeNull();
    await expectLedgerSound(app);
  });
});
