import { intFromEnv } from '../../config.js';

/** The wallet's named limits; each can be changed by the operator through the environment. */
export interface WalletSettings {
  /** Largest single top-up, withdrawal, transfer or red packet, in minor units of CNY. */
  paymentMaxMinor: number;
  /** Outgoing payments (transfers, red packets, withdrawals, gold purchases) per member per UTC day. */
  dailyOutgoingMaxMinor: number;
  /** Withdrawal fee in basis points of the amount, and its minimum in minor units. */
  withdrawalFeeBasisPoints: number;
  withdrawalFeeMinMinor: number;
  transferExpiryMs: number;
  redPacketExpiryMs: number;
  redPacketTotalMaxMinor: number;
  redPacketCountMax: number;
  pinFailuresMax: number;
  pinLockMs: number;
  /** How often the sweeper returns expired transfers and refunds expired red packets. */
  sweepEveryMs: number;
  bankDelayMs: number;
  /** Operator-set gold price in fen per gram; 0 means the built-in simulated daily series. */
  goldPricePerGramMinor: number;
  billPageMax: number;
  bankCardsMax: number;
  /** Group commit: most commands per ledger transaction (1 gives the naive one-transaction-per-request design, for comparison). */
  writerBatchMax: number;
  /** Group commit: at most this long the writer waits for requests still preparing their commands. */
  writerLingerMs: number;
  /** Post transfer and red-packet cards into chats (0 only to measure the ledger alone). */
  chatCards: boolean;
  /** How long a checked "may pay into this chat" (member, friends, not blocked) is trusted. */
  canPayTtlMs: number;
}

const HOUR_MS = 3600 * 1000;

export function loadWalletSettings(env: NodeJS.ProcessEnv = process.env): WalletSettings {
  return {
    paymentMaxMinor: intFromEnv(env, 'WALLET_PAYMENT_MAX_MINOR', 5_000_000),
    dailyOutgoingMaxMinor: intFromEnv(env, 'WALLET_DAILY_OUTGOING_MAX_MINOR', 20_000_000),
    withdrawalFeeBasisPoints: intFromEnv(env, 'WALLET_WITHDRAWAL_FEE_BP', 10),
    withdrawalFeeMinMinor: intFromEnv(env, 'WALLET_WITHDRAWAL_FEE_MIN_MINOR', 10),
    transferExpiryMs: intFromEnv(env, 'WALLET_TRANSFER_EXPIRY_MS', 24 * HOUR_MS),
    redPacketExpiryMs: intFromEnv(env, 'WALLET_RED_PACKET_EXPIRY_MS', 24 * HOUR_MS),
    redPacketTotalMaxMinor: intFromEnv(env, 'WALLET_RED_PACKET_TOTAL_MAX_MINOR', 2_000_000),
    redPacketCountMax: intFromEnv(env, 'WALLET_RED_PACKET_COUNT_MAX', 100),
    pinFailuresMax: intFromEnv(env, 'WALLET_PIN_FAILURES_MAX', 5),
    pinLockMs: intFromEnv(env, 'WALLET_PIN_LOCK_MS', 15 * 60 * 1000),
    sweepEveryMs: intFromEnv(env, 'WALLET_SWEEP_EVERY_MS', 60 * 1000),
    bankDelayMs: intFromEnv(env, 'WALLET_BANK_DELAY_MS', 0),
    goldPricePerGramMinor: intFromEnv(env, 'WALLET_GOLD_PRICE_PER_GRAM_MINOR', 0),
    billPageMax: 200,
    bankCardsMax: 10,
    writerBatchMax: Math.max(1, intFromEnv(env, 'WALLET_WRITER_BATCH_MAX', 256)),
    writerLingerMs: intFromEnv(env, 'WALLET_WRITER_LINGER_MS', 4),
    chatCards: env.WALLET_CHAT_CARDS !== '0',
    canPayTtlMs: intFromEnv(env, 'WALLET_CAN_PAY_TTL_MS', 5_000),
  };
}
