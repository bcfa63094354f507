import type { Kysely } from 'kysely';

// Operators run the instance: they review merchants, creators and publishers and fund programs.
// A flag on the account (0/1) rather than a role table: there is one role, and the check runs on
// every operator request.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('is_operator', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('is_operator').execute();
}
