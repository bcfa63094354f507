import type { Kysely } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Creator tools for Channels (and an index for Moments notifications): verification applications reviewed by operators (a verified
// channel carries `verified_at`), and A/B experiments on a post's cover and caption. A post
// may show a cover other than its first photo or video poster (`cover_media`, presented JSON),
// which is what promoting an experiment's winner changes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('channels').addColumn('verified_at', 'bigint').execute();
  await db.schema.alterTable('channel_posts').addColumn('cover_media', 'text').execute();

  await withIdColumn(db, db.schema.createTable('channel_verifications'))
    .addColumn('channel_id', 'bigint', (c) => c.notNull())
    .addColumn('applicant_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    // JSON: links, follower counts on other platforms, document media ids, a statement.
    .addColumn('proof', 'text', (c) => c.notNull())
    .addColumn('follower_count_at_apply', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('reviewer_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('reviewed_at', 'bigint')
    .execute();
  await db.schema.createIndex('channel_verifications_status').on('channel_verifications').columns(['status', 'id']).execute();
  await db.schema.createIndex('channel_verifications_channel').on('channel_verifications').columns(['channel_id', 'id']).execute();

  await db.schema
    .createTable('channel_verification_documents')
    .addColumn('media_id', 'bigint', (c) => c.notNull())
    .addColumn('verification_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_verification_documents_pk', ['media_id', 'verification_id'])
    .execute();

  await withIdColumn(db, db.schema.createTable('channel_experiments'))
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('winner_variant_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('channel_experiments_post').on('channel_experiments').columns(['post_id', 'id']).execute();

  await withIdColumn(db, db.schema.createTable('channel_experiment_variants'))
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('caption', 'text', (c) => c.notNull())
    .addColumn('cover_media', 'text')
    .execute();
  await db.schema.createIndex('channel_experiment_variants_experiment').on('channel_experiment_variants').columns(['experiment_id', 'position']).execute();

  // One row per member who saw the experiment's post (an impression), with whether they watched to the end.
  await db.schema
    .createTable('channel_experiment_views')
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('variant_id', 'bigint', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_experiment_views_pk', ['experiment_id', 'account_id'])
    .execute();
  // The key that signs short-lived media playback URLs (a <video> element cannot send a bearer
  // token, so it streams by range from a signed URL). In the database so every node shares it.
  await db.schema
    .createTable('media_signing_keys')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('secret', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Moments notifications find replies to a member's comments by the member replied to.
  await db.schema.createIndex('moment_comments_reply_to').on('moment_comments').columns(['reply_to_account_id', 'created_at']).execute();

  await db.schema.createIndex('channel_experiment_views_variant').on('channel_experiment_views').columns(['experiment_id', 'variant_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('moment_comments_reply_to').ifExists().execute();
  for (const table of [
    'media_signing_keys',
    'channel_experiment_views',
    'channel_experiment_variants',
    'channel_experiments',
    'channel_verification_documents',
    'channel_verifications',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db.schema.alterTable('channel_posts').dropColumn('cover_media').execute();
  await db.schema.alterTable('channels').dropColumn('verified_at').execute();
}
