import { type Kysely, sql } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Coupon issuers other than the operator (a town, a district): registered by an operator, acted for
// by a few members, funded through their own `coupon_issuer` ledger account. A campaign records
// which issuer funds it (NULL: the operator's fee account), so what is left at its end and any
// subsidy refunded after it goes back to the one who paid for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('coupon_issuers'))
    .addColumn('name', 'varchar(60)', (c) => c.notNull())
    .addColumn('region', 'varchar(60)', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('coupon_issuers_status', sql`status IN ('active', 'suspended')`)
    .execute();
  await db.schema
    .createTable('coupon_issuer_members')
    .addColumn('issuer_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('coupon_issuer_members_pk', ['issuer_id', 'account_id'])
    .execute();
  await db.schema.createIndex('coupon_issuer_members_account').on('coupon_issuer_members').columns(['account_id']).execute();
  await db.schema.alterTable('coupon_campaigns').addColumn('coupon_issuer_id', 'bigint').execute();
  await db.schema.createIndex('coupon_campaigns_coupon_issuer').on('coupon_campaigns').columns(['coupon_issuer_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('coupon_campaigns_coupon_issuer').execute();
  await db.schema.alterTable('coupon_campaigns').dropColumn('coupon_issuer_id').execute();
  await db.schema.dropTable('coupon_issuer_members').ifExists().execute();
  await db.schema.dropTable('coupon_issuers').ifExists().execute();
}
