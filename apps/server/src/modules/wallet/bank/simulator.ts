import { createHash } from 'node:crypto';
import type { BankAdapter, BankResult } from './adapter.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A bank that needs nothing installed: it accepts Luhn-valid numbers and fails on purpose for
 * some, so the error paths are real (the same test cards as docs/wallet.md):
 * - ending in 0002: every charge and payout is declined;
 * - ending in 0069: binding is refused (a "stolen card");
 * - ending in 0119: the bank is unavailable for charges and payouts.
 * Each call waits `delayMs`. A repeated reference returns the first result, as a real bank must.
 */
export function createBankSimulator(options: { delayMs: number }): BankAdapter {
  const results = new Map<string, BankResult<{ bankReference: string }>>();

  function tokenFor(number: string): string {
    return `sim_${number.slice(-4)}_${createHash('sha256').update(`sim-bank:${number}`).digest('base64url').slice(0, 16)}`;
  }

  async function move(kind: 'charge' | 'payout', input: { token: string; amountMinor: number; reference: string }) {
    if (options.delayMs > 0) await sleep(options.delayMs);
    const key = `${kind}:${input.reference}`;
    const prior = results.get(key);
    if (prior) return prior;
    const last4 = /^sim_([0-9]{4})_/.exec(input.token)?.[1] ?? '';
    let result: BankResult<{ bankReference: string }>;
    if (last4 === '0002') result = { ok: false, reason: 'declined', message: 'Card declined by the simulated bank.' };
    else if (last4 === '0119') return { ok: false as const, reason: 'unavailable' as const, message: 'The simulated bank is unavailable.' };
    else result = { ok: true, bankReference: `simref_${createHash('sha256').update(key).digest('hex').slice(0, 20)}` };
    if (results.size > 1_000_000) results.clear();
    results.set(key, result);
    return result;
  }

  return {
    name: 'simulator',
    async bindCard({ number }) {
      if (options.delayMs > 0) await sleep(options.delayMs);
      if (number.endsWith('0069')) return { ok: false, reason: 'declined', message: 'The simulated bank refuses this card.' };
      const brand = number.startsWith('4') ? 'Visa' : number.startsWith('5') ? 'Mastercard' : number.startsWith('62') ? 'UnionPay' : 'Card';
      return { ok: true, token: tokenFor(number), brand };
    },
    charge: (input) => move('charge', input),
    payout: (input) => move('payout', input),
  };
}
