import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Row types of the merchants' tables (see migrations/2026-12-03T1100-merchants.ts and 2026-12-04T1200-coupon-issuers.ts). */
export interface MerchantTables {
  merchants: {
    id: Generated<number>;
    owner_id: number;
    business_name: string;
    category: string;
    licence_number: string;
    address: string;
    lat_e6: number;
    lng_e6: number;
    status: 'pending' | 'approved' | 'rejected';
    review_note: string;
    reviewed_by: number | null;
    reviewed_at: number | null;
    static_token: string;
    webhook_url: string | null;
    webhook_secret: string | null;
    created_at: number;
  };
  merchant_staff: { merchant_id: number; account_id: number; role: 'cashier' | 'manager'; created_at: number };
  merchant_api_keys: { id: Generated<number>; merchant_id: number; key_hash: string; prefix: string; created_at: number; revoked_at: number | null };
  merchant_payments: {
    id: Generated<number>;
    merchant_id: number;
    channel: 'static' | 'dynamic' | 'code';
    out_trade_no: string | null;
    description: string;
    qr_token: string | null;
    amount_minor: number;
    status: 'open' | 'awaiting_pin' | 'paid' | 'expired';
    payer_id: number | null;
    coupon_id: number | null;
    subsidy_minor: number;
    paid_minor: number;
    fee_minor: number;
    points: number;
    refunded_minor: number;
    refund_count: number;
    transfer_id: number | null;
    expires_at: number | null;
    created_at: number;
    paid_at: number | null;
  };
  merchant_refunds: {
    id: Generated<number>;
    merchant_id: number;
    payment_id: number;
    refund_no: string;
    amount_minor: number;
    reason: string;
    transfer_id: number;
    created_at: number;
  };
  payment_codes: { code: string; account_id: number; expires_at: number; used_at: number | null };
  merchant_webhooks: {
    id: Generated<number>;
    merchant_id: number;
    event_id: string;
    url: string;
    body: string;
    attempts: number;
    next_attempt_at: number;
    delivered_at: number | null;
    last_status: number | null;
    created_at: number;
  };
  merchant_point_redemptions: { id: Generated<number>; merchant_id: number; target: 'fees' | 'cash'; points: number; value_minor: number; created_at: number };
  merchant_settings: { name: string; value: string; updated_at: number };
  coupon_campaigns: {
    id: Generated<number>;
    issuer_id: number;
    name: string;
    budget_minor: number;
    face_minor: number;
    threshold_minor: number;
    per_member_cap: number;
    categories: string;
    merchant_ids: string;
    valid_from: number;
    valid_until: number;
    status: 'draft' | 'active' | 'closed';
    created_at: number;
    /** The issuer whose account funds the campaign; null for the operator's fee account. */
    coupon_issuer_id: number | null;
  };
  coupon_issuers: { id: Generated<number>; name: string; region: string; status: 'active' | 'suspended'; created_by: number; created_at: number };
  coupon_issuer_members: { issuer_id: number; account_id: number; created_at: number };
  coupon_batches: { id: Generated<number>; campaign_id: number; release_at: number; quota: number; issued: number };
  coupons: {
    id: Generated<number>;
    campaign_id: number;
    batch_id: number;
    account_id: number;
    grab_key: string;
    slot: number;
    status: 'active' | 'used' | 'expired';
    payment_id: number | null;
    expires_at: number;
    created_at: number;
    used_at: number | null;
  };
  cover_programs: {
    id: Generated<number>;
    name: string;
    daily_benefit_minor: number;
    max_days: number;
    min_points: number;
    points_window_days: number;
    pool_minor: number;
    enrol_until: number;
    ends_at: number;
    status: 'draft' | 'active';
    created_by: number;
    created_at: number;
  };
  cover_enrolments: { program_id: number; merchant_id: number; created_at: number };
  cover_claims: {
    id: Generated<number>;
    program_id: number;
    merchant_id: number;
    start_day: number;
    end_day: number;
    media_ids: string;
    status: 'submitted' | 'more_info' | 'approved' | 'rejected';
    note: string;
    covered_days: number;
    payout_minor: number;
    created_at: number;
    decided_at: number | null;
  };
  cover_claim_audit: { id: Generated<number>; claim_id: number; actor_id: number; action: string; note: string; created_at: number };
}

export type MerchantDatabase = Database & MerchantTables;
export type MerchantDb = Kysely<MerchantDatabase>;
export type MerchantTrx = Transaction<MerchantDatabase>;
export type MerchantRow = Selectable<MerchantTables['merchants']>;
export type PaymentRow = Selectable<MerchantTables['merchant_payments']>;
export type RefundRow = Selectable<MerchantTables['merchant_refunds']>;
export type CampaignRow = Selectable<MerchantTables['coupon_campaigns']>;
export type CouponRow = Selectable<MerchantTables['coupons']>;
export type CouponIssuerRow = Selectable<MerchantTables['coupon_issuers']>;
export type CoverProgramRow = Selectable<MerchantTables['cover_programs']>;
export type CoverClaimRow = Selectable<MerchantTables['cover_claims']>;
