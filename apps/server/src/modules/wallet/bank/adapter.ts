/**
 * What Plaza needs from a bank or payment provider. The built-in simulator implements it; an
 * operator plugs in a real provider by implementing it too (see docs/wallet.md). Every money call
 * carries Plaza's own reference, and a provider must treat a repeated reference as the same call
 * (return the first result), because Plaza retries after timeouts.
 */
export interface BankAdapter {
  readonly name: string;
  /** Checks a card with the bank and returns a token to charge it with later (never the number). */
  bindCard(input: { number: string; holderName: string }): Promise<BankResult<{ token: string; brand: string }>>;
  /** Pulls money from the member's card into the operator's settlement account. */
  charge(input: { token: string; amountMinor: number; asset: string; reference: string }): Promise<BankResult<{ bankReference: string }>>;
  /** Pushes money from the operator's settlement account to the member's card. */
  payout(input: { token: string; amountMinor: number; asset: string; reference: string }): Promise<BankResult<{ bankReference: string }>>;
}

export type BankResult<T> = ({ ok: true } & T) | { ok: false; reason: 'declined' | 'unavailable'; message: string };

/** The Luhn (mod 10) check every payment card number passes. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
