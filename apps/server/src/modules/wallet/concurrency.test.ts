import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import type { WalletDb } from './tables.js';
import { available, expectLedgerSound, fund, PIN } from './test-helpers.js';

const TRANSFERS = Number(process.env.WALLET_STRESS_TRANSFERS || 10_000);
const CLAIMERS = 300;
const SHARES = 100;

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await (tasks[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

describe.each(dialects)('wallet under concurrent load on %s', (dialect) => {
  let app: TestApp;
  let ring: Member[];
  beforeAll(async () => {
    app = await startApp({ dialect });
    ring = [];
    for (let i = 0; i < 8; i += 1) ring.push(await registerMember(app, `Ring ${i}`));
    for (let i = 0; i < ring.length; i += 1) await makeFriends(ring[i] as Member, ring[(i + 1) % ring.length] as Member);
    for (const m of ring) await fund(m, 1_000_000);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it(`applies ${TRANSFERS} transfers, each sent twice at once and once more later, exactly once`, async () => {
    const before = await Promise.all(ring.map((m) => available(m)));
    const db = app.plaza.ctx.db as unknown as WalletDb;
    const countBefore = Number(
      (
        await db
          .selectFrom('ledger_transfers')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('kind', '=', 'p2p')
          .executeTakeFirst()
      )?.n ?? 0,
    );
    const jobs = Array.from({ length: TRANSFERS }, (_, i) => {
      const from = i % ring.length;
      const to = (from + 1) % ring.length;
      const amount = 1 + (i % 50);
      return { from, to, amount, key: randomUUID() };
    });
    const send = (j: (typeof jobs)[number]) =>
      (ring[j.from] as Member).http.post(
        '/api/v1/transfers',
        { toAccountId: (ring[j.to] as Member).id, asset: 'CNY', amountMinor: String(j.amount), pin: PIN },
        { 'idempotency-key': j.key },
      );
    const pairs = await pool(
      64,
      jobs.map((j) => async () => Promise.all([send(j), send(j)])),
    );
    for (const [a, b] of pairs) {
      expect(a.status).toBe(201);
      expect(b.body).toEqual(a.body);
    }
    const late = await pool(
      64,
      jobs.slice(0, 200).map((j) => () => send(j)),
    );
    for (const [i, r] of late.entries()) expect(r.body.transfer.id).toBe((pairs[i] as [{ body: { transfer: { id: string } } }, unknown])[0].body.transfer.id);
    const ids = new Set(pairs.map(([a]) => a.body.transfer.id));
    expect(ids.size).toBe(TRANSFERS);
    const countAfter = Number(
      (
        await db
          .selectFrom('ledger_transfers')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('kind', '=', 'p2p')
          .executeTakeFirst()
      )?.n ?? 0,
    );
    expect(countAfter - countBefore).toBe(TRANSFERS);

    // Recipients accept every other transfer (concurrently, some twice); the rest stay held.
    const accepts = await pool(
      64,
      jobs.flatMap((j, i) =>
        i % 2 === 0
          ? [
              () =>
                (ring[j.to] as Member).http.post(
                  `/api/v1/transfers/${(pairs[i] as [{ body: { transfer: { id: string } } }, unknown])[0].body.transfer.id}/accept`,
                ),
              ...(i % 10 === 0
                ? [
                    () =>
                      (ring[j.to] as Member).http.post(
                        `/api/v1/transfers/${(pairs[i] as [{ body: { transfer: { id: string } } }, unknown])[0].body.transfer.id}/accept`,
                      ),
                  ]
                : []),
            ]
          : [],
      ),
    );
    expect(accepts.filter((r) => r.status === 200)).toHaveLength(Math.ceil(TRANSFERS / 2));
    expect(accepts.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'WALLET_TRANSFER_CLOSED')).toBe(true);

    const expected = [...before];
    jobs.forEach((j, i) => {
      expected[j.from] = (expected[j.from] as number) - j.amount;
      if (i % 2 === 0) expected[j.to] = (expected[j.to] as number) + j.amount;
    });
    const after = await Promise.all(ring.map((m) => available(m)));
    expect(after).toEqual(expected);
    await expectLedgerSound(app);
  }, 240_000);

  it('never overdraws a wallet under concurrent payments', async () => {
    const poor = await registerMember(app, 'Poor');
    await makeFriends(poor, ring[0] as Member);
    await fund(poor, 1000);
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        poor.http.post(
          '/api/v1/transfers',
          { toAccountId: (ring[0] as Member).id, asset: 'CNY', amountMinor: '100', pin: PIN },
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'WALLET_INSUFFICIENT_FUNDS')).toBe(true);
    expect(await available(poor)).toBe(0);
    await expectLedgerSound(app);
  });

  it(`drains one ${SHARES}-share packet grabbed by ${CLAIMERS} members at once, never over-drawing it`, async () => {
    const owner = ring[0] as Member;
    const members: Member[] = [];
    for (let i = 0; i < CLAIMERS; i += 1) members.push(await registerMember(app, `Grabber ${i}`));
    await pool(
      16,
      members.map((m) => () => makeFriends(owner, m)),
    );
    const group = await owner.http.post('/api/v1/conversations', { kind: 'group', memberIds: members.map((m) => m.id) });
    expect(group.status).toBe(201);
    const total = 100_000;
    const created = await owner.http.post(
      '/api/v1/red-packets',
      { conversationId: group.body.conversation.id, mode: 'random', asset: 'CNY', totalMinor: String(total), count: SHARES, pin: PIN },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const id = created.body.redPacket.id;
    // Every member grabs at once; a third of them also retry at once.
    const results = await Promise.all(
      members.flatMap((m, i) => [m.http.post(`/api/v1/red-packets/${id}/claim`), ...(i % 3 === 0 ? [m.http.post(`/api/v1/red-packets/${id}/claim`)] : [])]),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(SHARES);
    expect(won.reduce((sum, r) => sum + Number(r.body.claim.amountMinor), 0)).toBe(total);
    expect(won.every((r) => Number(r.body.claim.amountMinor) >= 1)).toBe(true);
    expect(
      results.filter((r) => r.status !== 200).every((r) => r.status === 409 && ['RED_PACKET_EMPTY', 'RED_PACKET_ALREADY_CLAIMED'].includes(r.body.error.code)),
    ).toBe(true);
    const packet = await owner.http.get(`/api/v1/red-packets/${id}`);
    expect(packet.body.redPacket).toMatchObject({ status: 'finished', remainingCount: 0, remainingMinor: '0' });
    expect(new Set(packet.body.redPacket.claims.map((c: { account: { id: string } }) => c.account.id)).size).toBe(SHARES);
    await expectLedgerSound(app);
  }, 240_000);
});

// The benchmark's baseline (WALLET_WRITER_BATCH_MAX=1) runs one transaction per command side by
// side; it must keep every rule the group-commit writer keeps.
describe.each(dialects)('wallet with one transaction per request on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ dialect, env: { WALLET_WRITER_BATCH_MAX: '1' } });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('applies retried transfers once, never overdraws, and resolves a held transfer once', async () => {
    const payer = await registerMember(app, 'Payer');
    const payee = await registerMember(app, 'Payee');
    await makeFriends(payer, payee);
    await fund(payer, 10_000);
    const keys = Array.from({ length: 300 }, () => randomUUID());
    // 300 transfers of 50 against 10,000: exactly 200 fit; each is sent twice at once.
    const send = (k: string) =>
      payer.http.post('/api/v1/transfers', { toAccountId: payee.id, asset: 'CNY', amountMinor: '50', pin: PIN }, { 'idempotency-key': k });
    const pairs = await pool(
      32,
      keys.map((k) => () => Promise.all([send(k), send(k)])),
    );
    for (const [a, b] of pairs) expect(b.body).toEqual(a.body);
    const made = pairs.filter(([a]) => a.status === 201);
    expect(made).toHaveLength(200);
    expect(pairs.filter(([a]) => a.status !== 201).every(([a]) => a.body.error.code === 'WALLET_INSUFFICIENT_FUNDS')).toBe(true);
    expect(await available(payer)).toBe(0);

    const id = (made[0] as [{ body: { transfer: { id: string } } }, unknown])[0].body.transfer.id;
    const outcomes = await Promise.all([
      payee.http.post(`/api/v1/transfers/${id}/accept`),
      payee.http.post(`/api/v1/transfers/${id}/return`),
      payee.http.post(`/api/v1/transfers/${id}/accept`),
    ]);
    expect(outcomes.filter((r) => r.status === 200)).toHaveLength(1);
    expect(outcomes.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'WALLET_TRANSFER_CLOSED')).toBe(true);
    await expectLedgerSound(app);
  }, 120_000);
});
