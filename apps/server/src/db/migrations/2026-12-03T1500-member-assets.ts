import { type Kysely, sql } from 'kysely';

// Not every asset of the ledger belongs in a member's wallet: merchants' payment points (PTS) are
// earned by merchants only. A flag on the asset (data, not code) says which ones members hold, send
// and pay with; the wallet lists and accepts only those.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('assets')
    .addColumn('member_wallet', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`UPDATE assets SET member_wallet = 0 WHERE code = 'PTS'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('assets').dropColumn('member_wallet').execute();
}
