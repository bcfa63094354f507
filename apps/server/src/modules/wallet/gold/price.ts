import { createHash } from 'node:crypto';
import type { WalletDb } from '../tables.js';

const DAY_MS = 24 * 3600 * 1000;

/** Where the gold price comes from; a market-data provider can implement this (see docs/wallet.md). */
export interface GoldPriceSource {
  /** Price of one gram in fen for the UTC day of `atMs`. */
  pricePerGram(atMs: number): Promise<number>;
  /** One price per day, oldest first, ending at the day of `atMs`. */
  history(atMs: number, days: number): Promise<{ day: string; pricePerGramMinor: number }[]>;
  /** Called after the operator set a price, so a cached price is not used any longer. */
  forget?(): void;
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A deterministic simulated daily series around 600 CNY/g: a yearly swell, a monthly ripple and a
 * small per-day jitter taken from a hash of the date, so every node and every run agree.
 */
export function simulatedPricePerGram(atMs: number): number {
  const day = Math.floor(atMs / DAY_MS);
  const jitter = createHash('sha256').update(`plaza-gold:${day}`).digest().readUInt32BE(0) / 0xffffffff - 0.5;
  const factor = 1 + 0.08 * Math.sin((2 * Math.PI * day) / 365) + 0.02 * Math.sin((2 * Math.PI * day) / 29) + 0.01 * jitter;
  return Math.round(60_000 * factor);
}

/** The default source: an operator-set price (a row in gold_prices, or a fixed price) over the simulated series. */
export function createOperatorGoldPrice(db: WalletDb, fixedPricePerGramMinor: number): GoldPriceSource {
  const cache = new Map<string, { price: number; at: number }>();

  async function pricePerGram(atMs: number): Promise<number> {
    const day = dayString(atMs);
    const cached = cache.get(day);
    if (cached && Date.now() - cached.at < 5_000) return cached.price;
    const row = await db.selectFrom('gold_prices').select('price_per_gram_minor').where('day', '<=', day).orderBy('day', 'desc').limit(1).executeTakeFirst();
    const price = row?.price_per_gram_minor ?? (fixedPricePerGramMinor > 0 ? fixedPricePerGramMinor : simulatedPricePerGram(atMs));
    if (cache.size > 1000) cache.clear();
    cache.set(day, { price, at: Date.now() });
    return price;
  }

  async function history(atMs: number, days: number) {
    const rows = await db
      .selectFrom('gold_prices')
      .select(['day', 'price_per_gram_minor'])
      .where('day', '>=', dayString(atMs - (days - 1) * DAY_MS))
      .execute();
    const set = new Map(rows.map((r) => [r.day, r.price_per_gram_minor]));
    const series = [];
    for (let i = days - 1; i >= 0; i -= 1) {
      const ms = atMs - i * DAY_MS;
      const day = dayString(ms);
      series.push({ day, pricePerGramMinor: set.get(day) ?? (fixedPricePerGramMinor > 0 ? fixedPricePerGramMinor : simulatedPricePerGram(ms)) });
    }
    return series;
  }

  return {
    pricePerGram,
    history,
    forget: () => cache.clear(),
  };
}
