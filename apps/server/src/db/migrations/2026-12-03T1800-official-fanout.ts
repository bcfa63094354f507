import type { Kysely } from 'kysely';

// A broadcast's notifications are written after the article commits, a chunk of followers per
// transaction. Each chunk now records how far it got in the article row, in the same transaction
// as its inbox events, so a fan-out cut short by a crash resumes at start-up where it stopped:
// every follower notified once. Existing articles are done.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('official_articles')
    .addColumn('fanout_after', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('official_articles')
    .addColumn('fanout_done', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('official_articles_fanout_pending').on('official_articles').columns(['fanout_done', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('official_articles_fanout_pending').execute();
  await db.schema.alterTable('official_articles').dropColumn('fanout_done').execute();
  await db.schema.alterTable('official_articles').dropColumn('fanout_after').execute();
}
