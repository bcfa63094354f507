import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Row types of the wallet's tables (see migrations/2026-11-25T1500-wallet.ts). */
export interface WalletTables {
  assets: { code: string; name: string; minor_unit: string; scale: number; created_at: number; member_held: Generated<number> };
  ledger_accounts: {
    id: Generated<number>;
    owner_account_id: number;
    kind: string;
    asset: string;
    balance: number;
    held: number;
    may_go_negative: number;
    created_at: number;
  };
  ledger_transfers: {
    id: Generated<number>;
    debit_account_id: number;
    credit_account_id: number;
    debit_owner_id: number;
    credit_owner_id: number;
    asset: string;
    amount: number;
    kind: string;
    status: 'pending' | 'posted' | 'voided';
    reference: string | null;
    note: string;
    expires_at: number | null;
    created_at: number;
    resolved_at: number | null;
  };
  idempotency_keys: { account_id: number; key: string; request_hash: string; status_code: number; response: string; created_at: number };
  wallet_profiles: {
    account_id: number;
    pin_hash: string | null;
    pin_failures: number;
    pin_locked_until: number;
    real_name: string | null;
    id_number_masked: string | null;
    gold_activated_at: number | null;
    created_at: number;
  };
  bank_cards: {
    id: Generated<number>;
    account_id: number;
    last4: string;
    brand: string;
    holder_name: string;
    fingerprint: string;
    bank_token: string;
    created_at: number;
    removed_at: number | null;
  };
  red_packets: {
    id: Generated<number>;
    sender_id: number;
    conversation_id: number;
    mode: 'random' | 'equal' | 'exclusive';
    asset: string;
    total_minor: number;
    count: number;
    remaining_minor: number;
    remaining_count: number;
    greeting: string;
    exclusive_to: number | null;
    escrow_account_id: number;
    fund_transfer_id: number;
    status: 'active' | 'finished' | 'refunded';
    expires_at: number;
    created_at: number;
  };
  red_packet_claims: { packet_id: number; account_id: number; amount_minor: number; transfer_id: number; created_at: number };
  gold_prices: { day: string; price_per_gram_minor: number; set_by: number | null; created_at: number };
}

export type WalletDatabase = Database & WalletTables;
export type WalletDb = Kysely<WalletDatabase>;
export type WalletTrx = Transaction<WalletDatabase>;
export type LedgerAccountRow = Selectable<WalletTables['ledger_accounts']>;
export type TransferRow = Selectable<WalletTables['ledger_transfers']>;
export type RedPacketRow = Selectable<WalletTables['red_packets']>;

/** The owner id of the operator's own ledger accounts (bank settlement, fees, gold desk). */
export const OPERATOR_OWNER_ID = 0;

/** Ledger account kinds; `mayGoNegative` marks the operator's accounts that mirror outside money. */
export const accountKinds = {
  wallet: { mayGoNegative: false },
  red_packet_escrow: { mayGoNegative: false },
  bank_settlement: { mayGoNegative: true },
  fees: { mayGoNegative: true },
  gold_desk: { mayGoNegative: true },
  merchant: { mayGoNegative: false },
  merchant_points: { mayGoNegative: false },
  points_issuance: { mayGoNegative: true },
  coupon_budget: { mayGoNegative: false },
  coupon_issuer: { mayGoNegative: false },
  cover_pool: { mayGoNegative: false },
} as const;
export type AccountKind = keyof typeof accountKinds;
