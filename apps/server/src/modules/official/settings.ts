import { intFromEnv } from '../../config.js';

/** The Official Accounts' named limits; each can be changed by the operator through the environment. */
export interface OfficialSettings {
  /** Broadcasts (published articles) a subscription account may send per UTC day. */
  subscriptionBroadcastsPerDay: number;
  /** Broadcasts a service account may send per UTC calendar month. */
  serviceBroadcastsPerMonth: number;
  /** Price range of a paid article, in CNY fen (defaults 1–208 CNY). */
  priceMinMinor: number;
  priceMaxMinor: number;
  /** The operator's fee on paid articles and tips, in basis points of the amount. */
  feeBasisPoints: number;
  /** Largest single tip, in CNY fen. */
  tipMaxMinor: number;
  /** Broadcast notifications are written for this many followers per transaction. */
  fanOutChunkFollowers: number;
}

export function loadOfficialSettings(env: NodeJS.ProcessEnv = process.env): OfficialSettings {
  const settings = {
    subscriptionBroadcastsPerDay: intFromEnv(env, 'OFFICIAL_SUBSCRIPTION_BROADCASTS_PER_DAY', 1),
    serviceBroadcastsPerMonth: intFromEnv(env, 'OFFICIAL_SERVICE_BROADCASTS_PER_MONTH', 4),
    priceMinMinor: Math.max(1, intFromEnv(env, 'OFFICIAL_PRICE_MIN_MINOR', 100)),
    priceMaxMinor: intFromEnv(env, 'OFFICIAL_PRICE_MAX_MINOR', 20_800),
    feeBasisPoints: intFromEnv(env, 'OFFICIAL_FEE_BP', 500),
    tipMaxMinor: intFromEnv(env, 'OFFICIAL_TIP_MAX_MINOR', 20_000),
    fanOutChunkFollowers: Math.max(1, intFromEnv(env, 'OFFICIAL_FANOUT_CHUNK_FOLLOWERS', 1000)),
  };
  if (settings.priceMaxMinor < settings.priceMinMinor) throw new Error('OFFICIAL_PRICE_MAX_MINOR must not be below OFFICIAL_PRICE_MIN_MINOR');
  if (settings.feeBasisPoints > 10_000) throw new Error('OFFICIAL_FEE_BP is at most 10000 (100%)');
  return settings;
}

/** The operator's share of an amount: rounded down, so the publisher never gets less than the rest. */
export function operatorFee(amountMinor: number, basisPoints: number): number {
  return Math.floor((amountMinor * basisPoints) / 10_000);
}
