import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Member, TestApp } from '../../test/harness.js';

export const GOOD_CARD = '4111111111111111';
export const DECLINED_CARD = '4000000000000002';
export const PIN = '135790';

export function key(): Record<string, string> {
  return { 'idempotency-key': randomUUID() };
}

/** A member with a PIN, a bound card and `amountMinor` CNY topped up. */
export async function fund(m: Member, amountMinor: number): Promise<string> {
  const pin = await m.http.post('/api/v1/wallet/pin', { pin: PIN });
  if (pin.status !== 200 && pin.body?.error?.code !== 'WALLET_PIN_WRONG') throw new Error(`pin: ${JSON.stringify(pin.body)}`);
  const card = await m.http.post('/api/v1/bank-cards', { number: GOOD_CARD, holderName: 'Test Holder' });
  if (card.status !== 201) throw new Error(`card: ${JSON.stringify(card.body)}`);
  if (amountMinor > 0) {
    const top = await m.http.post('/api/v1/wallet/top-ups', { cardId: card.body.card.id, asset: 'CNY', amountMinor: String(amountMinor), pin: PIN }, key());
    if (top.status !== 201) throw new Error(`top-up: ${JSON.stringify(top.body)}`);
  }
  return card.body.card.id;
}

export async function available(m: Member, asset = 'CNY'): Promise<number> {
  const wallet = await m.http.get('/api/v1/wallet');
  return Number(wallet.body.balances.find((b: { asset: string }) => b.asset === asset)?.availableMinor ?? 0);
}

export async function expectLedgerSound(app: TestApp): Promise<void> {
  const report = await app.plaza.services.wallet.verify();
  expect(report.mismatches).toEqual([]);
  expect(report.negative).toEqual([]);
  for (const asset of report.assets) expect(asset).toMatchObject({ sumMinor: '0', ok: true });
}

/** Runs `fn` over `items` with at most `width` calls in flight at once (a bounded concurrent load). */
export async function inPool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}
