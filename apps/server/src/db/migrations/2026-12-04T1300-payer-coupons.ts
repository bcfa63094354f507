import type { Kysely } from 'kysely';

// Every payment reads the payer's usable coupons. With the campaign id in the index the read is
// an index-only scan: a member's coupons are scattered over the table (they are granted in rush
// order), and fetching each row cost a page read per coupon on every payment.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('coupons_member_usable').on('coupons').columns(['account_id', 'status', 'expires_at', 'campaign_id']).execute();
  await db.schema.dropIndex('coupons_member_active').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('coupons_member_active').on('coupons').columns(['account_id', 'status', 'expires_at']).execute();
  await db.schema.dropIndex('coupons_member_usable').execute();
}
