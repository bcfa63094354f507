import type { Migration } from 'kysely';
import * as foundation from './2026-11-25T1400-foundation.js';
import * as wallet from './2026-11-25T1500-wallet.js';
import * as social from './2026-11-25T1510-social.js';
import * as operators from './2026-12-02T0900-operators.js';
import * as officialAccounts from './2026-12-03T1200-official-accounts.js';
import * as channelCreators from './2026-12-03T1300-channel-creators.js';
import * as merchants from './2026-12-03T1100-merchants.js';
import * as officialFanout from './2026-12-03T1800-official-fanout.js';
import * as couponIssuers from './2026-12-04T1200-coupon-issuers.js';
import * as payerCoupons from './2026-12-04T1300-payer-coupons.js';

/**
 * Every migration, by timestamped name, in the order they apply. Listed statically (not read from
 * the folder) so the same code runs under tsx, Vitest and a bundler. Add new files at the end.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-25T1400-foundation': foundation,
  '2026-11-25T1500-wallet': wallet,
  '2026-11-25T1510-social': social,
  '2026-12-02T0900-operators': operators,
  '2026-12-03T1200-official-accounts': officialAccounts,
  '2026-12-03T1300-channel-creators': channelCreators,
  '2026-12-03T1100-merchants': merchants,
  '2026-12-03T1800-official-fanout': officialFanout,
  '2026-12-04T1200-coupon-issuers': couponIssuers,
  '2026-12-04T1300-payer-coupons': payerCoupons,
};
