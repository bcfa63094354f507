import { type Kysely, sql } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Merchants: applications and staff, API keys, payments (static QR, dynamic orders, payment
// codes), refunds, webhooks, payment points, coupon campaigns. Money itself lives in the wallet's
// ledger; these tables say what each transfer was for. Locations are micro-degrees (integers), so
// both dialects store them exactly. Distribution key for a sharded PostgreSQL: merchant_id.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Payment points are an asset of the same ledger, held by merchants only: member wallets list
  // the assets whose member_held is 1.
  await db.schema
    .alterTable('assets')
    .addColumn('member_held', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db
    .insertInto('assets' as never)
    .values([{ code: 'PTS', name: 'Payment points', minor_unit: 'point', scale: 0, member_held: 0, created_at: Date.now() }] as never)
    .execute();

  await withIdColumn(db, db.schema.createTable('merchants'))
    .addColumn('owner_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('business_name', 'varchar(80)', (c) => c.notNull())
    .addColumn('category', 'varchar(24)', (c) => c.notNull())
    .addColumn('licence_number', 'varchar(40)', (c) => c.notNull())
    .addColumn('address', 'varchar(200)', (c) => c.notNull())
    .addColumn('lat_e6', 'bigint', (c) => c.notNull())
    .addColumn('lng_e6', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('review_note', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('reviewed_by', 'bigint')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('static_token', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('webhook_url', 'varchar(300)')
    .addColumn('webhook_secret', 'varchar(80)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('merchants_status', sql`status IN ('pending', 'approved', 'rejected')`)
    .execute();
  await db.schema.createIndex('merchants_status').on('merchants').columns(['status', 'id']).execute();

  await db.schema
    .createTable('merchant_staff')
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('role', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_staff_pk', ['merchant_id', 'account_id'])
    .addCheckConstraint('merchant_staff_role', sql`role IN ('cashier', 'manager')`)
    .execute();
  await db.schema.createIndex('merchant_staff_account').on('merchant_staff').columns(['account_id']).execute();

  await withIdColumn(db, db.schema.createTable('merchant_api_keys'))
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('prefix', 'varchar(24)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();

  await withIdColumn(db, db.schema.createTable('merchant_payments'))
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('channel', 'varchar(8)', (c) => c.notNull())
    .addColumn('out_trade_no', 'varchar(64)')
    .addColumn('description', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addColumn('qr_token', 'varchar(40)')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('payer_id', 'bigint')
    .addColumn('coupon_id', 'bigint')
    .addColumn('subsidy_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('paid_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('fee_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('points', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('transfer_id', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .addCheckConstraint('merchant_payments_channel', sql`channel IN ('static', 'dynamic', 'code')`)
    .addCheckConstraint('merchant_payments_status', sql`status IN ('open', 'awaiting_pin', 'paid', 'expired')`)
    // A refund never takes back more than the member paid.
    .addCheckConstraint('merchant_payments_refund_bound', sql`refunded_minor >= 0 AND refunded_minor <= paid_minor`)
    .execute();
  await db.schema.createIndex('merchant_payments_merchant').on('merchant_payments').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('merchant_payments_out_trade_no').on('merchant_payments').columns(['merchant_id', 'out_trade_no']).unique().execute();
  await db.schema.createIndex('merchant_payments_coupon').on('merchant_payments').columns(['coupon_id']).execute();
  await db.schema.createIndex('merchant_payments_qr_token').on('merchant_payments').columns(['qr_token']).unique().execute();

  await withIdColumn(db, db.schema.createTable('merchant_refunds'))
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('payment_id', 'bigint', (c) => c.notNull())
    .addColumn('refund_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addColumn('transfer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_refunds_no').on('merchant_refunds').columns(['merchant_id', 'refund_no']).unique().execute();
  await db.schema.createIndex('merchant_refunds_payment').on('merchant_refunds').columns(['payment_id']).execute();

  await db.schema
    .createTable('payment_codes')
    .addColumn('code', 'varchar(18)', (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('payment_codes_account').on('payment_codes').columns(['account_id']).execute();

  await withIdColumn(db, db.schema.createTable('merchant_webhooks'))
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('url', 'varchar(300)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_webhooks_due').on('merchant_webhooks').columns(['delivered_at', 'next_attempt_at']).execute();

  await withIdColumn(db, db.schema.createTable('merchant_point_redemptions'))
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('target', 'varchar(6)', (c) => c.notNull())
    .addColumn('points', 'bigint', (c) => c.notNull())
    .addColumn('value_minor', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_point_redemptions_merchant').on('merchant_point_redemptions').columns(['merchant_id', 'id']).execute();

  await db.schema
    .createTable('merchant_settings')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withIdColumn(db, db.schema.createTable('coupon_campaigns'))
    .addColumn('issuer_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'varchar(60)', (c) => c.notNull())
    .addColumn('budget_minor', 'bigint', (c) => c.notNull())
    .addColumn('face_minor', 'bigint', (c) => c.notNull())
    .addColumn('threshold_minor', 'bigint', (c) => c.notNull())
    .addColumn('per_member_cap', 'integer', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('merchant_ids', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('valid_until', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('coupon_campaigns_face', sql`face_minor > 0 AND threshold_minor > face_minor`)
    .execute();

  await withIdColumn(db, db.schema.createTable('coupon_batches'))
    .addColumn('campaign_id', 'bigint', (c) => c.notNull())
    .addColumn('release_at', 'bigint', (c) => c.notNull())
    .addColumn('quota', 'integer', (c) => c.notNull())
    .addColumn('issued', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('coupon_batches_quota', sql`issued >= 0 AND issued <= quota`)
    .execute();
  await db.schema.createIndex('coupon_batches_campaign').on('coupon_batches').columns(['campaign_id', 'release_at']).execute();

  await withIdColumn(db, db.schema.createTable('coupons'))
    .addColumn('campaign_id', 'bigint', (c) => c.notNull())
    .addColumn('batch_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('grab_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('payment_id', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addCheckConstraint('coupons_status', sql`status IN ('active', 'used', 'expired')`)
    .execute();
  // A retried grab (same member, same key) finds the coupon it already got.
  await db.schema.createIndex('coupons_grab_key').on('coupons').columns(['account_id', 'grab_key']).unique().execute();
  // A member's n-th coupon of a campaign takes slot n (1..cap): the cap holds even across nodes.
  await db.schema.createIndex('coupons_member_slot').on('coupons').columns(['campaign_id', 'account_id', 'slot']).unique().execute();
  await db.schema.createIndex('coupons_status').on('coupons').columns(['status', 'expires_at']).execute();
  // The coupons a payer could use, read on every payment (without it SQLite walks coupons_status).
  await db.schema.createIndex('coupons_member_active').on('coupons').columns(['account_id', 'status', 'expires_at']).execute();

  // Relief cover: programs with a funded pool, enrolments, claims, and an audit row per decision.
  await withIdColumn(db, db.schema.createTable('cover_programs'))
    .addColumn('name', 'varchar(60)', (c) => c.notNull())
    .addColumn('daily_benefit_minor', 'bigint', (c) => c.notNull())
    .addColumn('max_days', 'integer', (c) => c.notNull())
    .addColumn('min_points', 'integer', (c) => c.notNull())
    .addColumn('points_window_days', 'integer', (c) => c.notNull())
    .addColumn('pool_minor', 'bigint', (c) => c.notNull())
    .addColumn('enrol_until', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('cover_enrolments')
    .addColumn('program_id', 'bigint', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cover_enrolments_pk', ['program_id', 'merchant_id'])
    .execute();
  await withIdColumn(db, db.schema.createTable('cover_claims'))
    .addColumn('program_id', 'bigint', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('start_day', 'integer', (c) => c.notNull())
    .addColumn('end_day', 'integer', (c) => c.notNull())
    .addColumn('media_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('note', 'varchar(300)', (c) => c.notNull().defaultTo(''))
    .addColumn('covered_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payout_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addCheckConstraint('cover_claims_status', sql`status IN ('submitted', 'more_info', 'approved', 'rejected')`)
    .addCheckConstraint('cover_claims_days', sql`end_day >= start_day`)
    .execute();
  await db.schema.createIndex('cover_claims_merchant').on('cover_claims').columns(['merchant_id', 'program_id']).execute();
  await db.schema.createIndex('cover_claims_status').on('cover_claims').columns(['status', 'id']).execute();
  await withIdColumn(db, db.schema.createTable('cover_claim_audit'))
    .addColumn('claim_id', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'bigint', (c) => c.notNull())
    .addColumn('action', 'varchar(12)', (c) => c.notNull())
    .addColumn('note', 'varchar(300)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cover_claim_audit_claim').on('cover_claim_audit').columns(['claim_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'cover_claim_audit',
    'cover_claims',
    'cover_enrolments',
    'cover_programs',
    'coupons',
    'coupon_batches',
    'coupon_campaigns',
    'merchant_settings',
    'merchant_point_redemptions',
    'merchant_webhooks',
    'payment_codes',
    'merchant_refunds',
    'merchant_payments',
    'merchant_api_keys',
    'merchant_staff',
    'merchants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db
    .deleteFrom('assets' as never)
    .where('code' as never, '=', 'PTS' as never)
    .execute();
  await db.schema.alterTable('assets').dropColumn('member_held').execute();
}
