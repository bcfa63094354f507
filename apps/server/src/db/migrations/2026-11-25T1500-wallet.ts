import { type Kysely, sql } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// The wallet: a double-entry ledger (assets, ledger accounts with cached balances, immutable
// transfers), idempotency keys, payment profiles, bank cards, red packets and gold prices.
// Distribution key for a sharded PostgreSQL: owner_account_id on ledger accounts, the debiting
// account's owner on transfers (debit_owner_id), the packet id on claims.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('assets')
    .addColumn('code', 'varchar(8)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(40)', (c) => c.notNull())
    .addColumn('minor_unit', 'varchar(20)', (c) => c.notNull())
    .addColumn('scale', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  const now = Date.now();
  await db
    .insertInto('assets' as never)
    .values([
      { code: 'CNY', name: 'Chinese yuan', minor_unit: 'fen', scale: 2, created_at: now },
      { code: 'XAU', name: 'Gold', minor_unit: 'milligram', scale: 3, created_at: now },
    ] as never)
    .execute();

  await withIdColumn(db, db.schema.createTable('ledger_accounts'))
    .addColumn('owner_account_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(24)', (c) => c.notNull())
    .addColumn('asset', 'varchar(8)', (c) => c.notNull().references('assets.code'))
    .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('held', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('may_go_negative', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The database itself refuses a member balance below zero or a hold larger than the balance.
    .addCheckConstraint('ledger_accounts_balance_non_negative', sql`may_go_negative = 1 OR balance >= 0`)
    .addCheckConstraint('ledger_accounts_available_non_negative', sql`may_go_negative = 1 OR balance - held >= 0`)
    .addCheckConstraint('ledger_accounts_held_non_negative', sql`held >= 0`)
    .execute();
  await db.schema.createIndex('ledger_accounts_owner_kind_asset').on('ledger_accounts').columns(['owner_account_id', 'kind', 'asset']).unique().execute();

  await withIdColumn(db, db.schema.createTable('ledger_transfers'))
    .addColumn('debit_account_id', 'bigint', (c) => c.notNull())
    .addColumn('credit_account_id', 'bigint', (c) => c.notNull())
    .addColumn('debit_owner_id', 'bigint', (c) => c.notNull())
    .addColumn('credit_owner_id', 'bigint', (c) => c.notNull())
    .addColumn('asset', 'varchar(8)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(24)', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('reference', 'varchar(60)')
    .addColumn('note', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addCheckConstraint('ledger_transfers_amount_positive', sql`amount > 0`)
    .addCheckConstraint('ledger_transfers_distinct_accounts', sql`debit_account_id <> credit_account_id`)
    .addCheckConstraint('ledger_transfers_status', sql`status IN ('pending', 'posted', 'voided')`)
    .execute();
  await db.schema.createIndex('ledger_transfers_debit').on('ledger_transfers').columns(['debit_account_id', 'id']).execute();
  await db.schema.createIndex('ledger_transfers_credit').on('ledger_transfers').columns(['credit_account_id', 'id']).execute();
  await db.schema.createIndex('ledger_transfers_pending').on('ledger_transfers').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('key', 'varchar(100)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();

  await db.schema
    .createTable('wallet_profiles')
    .addColumn('account_id', 'bigint', (c) => c.primaryKey())
    .addColumn('pin_hash', 'text')
    .addColumn('pin_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pin_locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('real_name', 'varchar(60)')
    .addColumn('id_number_masked', 'varchar(20)')
    .addColumn('gold_activated_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withIdColumn(db, db.schema.createTable('bank_cards'))
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('last4', 'varchar(4)', (c) => c.notNull())
    .addColumn('brand', 'varchar(20)', (c) => c.notNull())
    .addColumn('holder_name', 'varchar(60)', (c) => c.notNull())
    .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
    .addColumn('bank_token', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_at', 'bigint')
    .execute();
  await db.schema.createIndex('bank_cards_account').on('bank_cards').columns(['account_id', 'fingerprint']).execute();

  await withIdColumn(db, db.schema.createTable('red_packets'))
    .addColumn('sender_id', 'bigint', (c) => c.notNull())
    .addColumn('conversation_id', 'bigint', (c) => c.notNull())
    .addColumn('mode', 'varchar(10)', (c) => c.notNull())
    .addColumn('asset', 'varchar(8)', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('remaining_minor', 'bigint', (c) => c.notNull())
    .addColumn('remaining_count', 'integer', (c) => c.notNull())
    .addColumn('greeting', 'varchar(60)', (c) => c.notNull().defaultTo(''))
    .addColumn('exclusive_to', 'bigint')
    .addColumn('escrow_account_id', 'bigint', (c) => c.notNull())
    .addColumn('fund_transfer_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('red_packets_remaining', sql`remaining_minor >= 0 AND remaining_count >= 0 AND remaining_minor >= remaining_count`)
    .execute();
  await db.schema.createIndex('red_packets_open').on('red_packets').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('red_packet_claims')
    .addColumn('packet_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('transfer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // One claim per member per packet, whatever node takes the request.
    .addPrimaryKeyConstraint('red_packet_claims_pk', ['packet_id', 'account_id'])
    .execute();

  await db.schema
    .createTable('gold_prices')
    .addColumn('day', 'varchar(10)', (c) => c.primaryKey())
    .addColumn('price_per_gram_minor', 'bigint', (c) => c.notNull())
    .addColumn('set_by', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'gold_prices',
    'red_packet_claims',
    'red_packets',
    'bank_cards',
    'wallet_profiles',
    'idempotency_keys',
    'ledger_transfers',
    'ledger_accounts',
    'assets',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
