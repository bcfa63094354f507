import { intFromEnv } from '../../config.js';

/** The merchants' named limits and rates; each can be changed through the environment. */
export interface MerchantSettings {
  /** Fee on each payment in basis points of its gross amount (60 = 0.6%), to the operator's fee account. */
  feeBasisPoints: number;
  /** A cashier's charge of a payment code above this amount waits for the member's PIN. */
  codePinAboveMinor: number;
  /** How long a member's payment code is valid (it refreshes every minute). */
  paymentCodeTtlMs: number;
  /** Default life of a dynamic QR order. */
  orderTtlMs: number;
  refundWindowMs: number;
  refundsPerPaymentMax: number;
  /** Webhook retries: first retry after this long, doubling, at most webhookAttemptsMax attempts. */
  webhookBackoffMs: number;
  webhookAttemptsMax: number;
  webhookPollMs: number;
  webhookTimeoutMs: number;
  pageMax: number;
  /** Coupon grabs written per transaction. */
  grabBatchMax: number;
  searchScanMax: number;
}

const DAY_MS = 24 * 3600 * 1000;

export function loadMerchantSettings(env: NodeJS.ProcessEnv): MerchantSettings {
  return {
    feeBasisPoints: intFromEnv(env, 'MERCHANT_FEE_BASIS_POINTS', 60),
    codePinAboveMinor: intFromEnv(env, 'MERCHANT_CODE_PIN_ABOVE_MINOR', 200_00),
    paymentCodeTtlMs: intFromEnv(env, 'MERCHANT_PAYMENT_CODE_TTL_MS', 60_000),
    orderTtlMs: intFromEnv(env, 'MERCHANT_ORDER_TTL_MS', 15 * 60_000),
    refundWindowMs: 365 * DAY_MS,
    refundsPerPaymentMax: 50,
    webhookBackoffMs: intFromEnv(env, 'MERCHANT_WEBHOOK_BACKOFF_MS', 5_000),
    webhookAttemptsMax: intFromEnv(env, 'MERCHANT_WEBHOOK_ATTEMPTS_MAX', 8),
    webhookPollMs: intFromEnv(env, 'MERCHANT_WEBHOOK_POLL_MS', 1_000),
    webhookTimeoutMs: 5_000,
    pageMax: 200,
    grabBatchMax: 500,
    searchScanMax: 5_000,
  };
}

/** What the operator sets for payment points (stored in merchant_settings). */
export interface PointsRules {
  pointsPerPayment: number;
  /** Value of one point in fen when redeemed (1 point = 1 CNY by default). */
  pointValueMinor: number;
  cashEnabled: boolean;
  cashMaxPointsPerDay: number;
}

export const defaultPointsRules: PointsRules = { pointsPerPayment: 1, pointValueMinor: 100, cashEnabled: true, cashMaxPointsPerDay: 100 };
