import type { Kysely } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Moments: posts are stored once; `moment_timeline` is the fan-out-on-write index of who may see
// which post (distribution key viewer_id), so a timeline page is one range scan of one viewer's rows.
// Channels: audiences can be huge, so feeds are read on demand from the posts of followed channels.
export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('moment_posts'))
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    // Media is immutable once uploaded, so posts keep its presented JSON and pages need no media reads.
    .addColumn('media', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('link', 'text')
    .addColumn('location', 'text')
    .addColumn('visibility', 'varchar(10)', (c) => c.notNull())
    .addColumn('audience_spec', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('audience_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('moment_posts_author').on('moment_posts').columns(['author_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('moment_timeline')
    .addColumn('viewer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_timeline_pk', ['viewer_id', 'created_at', 'post_id'])
    .execute();

  await db.schema
    .createTable('moment_media')
    .addColumn('media_id', 'bigint', (c) => c.notNull())
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_media_pk', ['media_id', 'post_id'])
    .execute();

  await db.schema
    .createTable('moment_likes')
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_likes_pk', ['post_id', 'account_id'])
    .execute();

  await withIdColumn(db, db.schema.createTable('moment_comments'))
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('reply_to_comment_id', 'bigint')
    .addColumn('reply_to_account_id', 'bigint')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('moment_comments_post').on('moment_comments').columns(['post_id', 'id']).execute();

  await db.schema
    .createTable('moment_settings')
    .addColumn('account_id', 'bigint', (c) => c.primaryKey())
    .addColumn('history_window', 'varchar(10)', (c) => c.notNull().defaultTo('all'))
    .addColumn('cover_media_id', 'bigint')
    .execute();
  await db.schema.createIndex('moment_settings_cover').on('moment_settings').column('cover_media_id').execute();

  await withIdColumn(db, db.schema.createTable('channels'))
    .addColumn('owner_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(40)', (c) => c.notNull())
    .addColumn('bio', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('follower_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withIdColumn(db, db.schema.createTable('channel_posts'))
    .addColumn('channel_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('caption', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('media', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('link', 'text')
    .addColumn('like_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_posts_channel').on('channel_posts').columns(['channel_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('channel_posts_created').on('channel_posts').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('channel_follows')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('channel_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_follows_pk', ['account_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('channel_follows_channel').on('channel_follows').columns(['channel_id', 'account_id']).execute();

  await db.schema
    .createTable('channel_likes')
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_likes_pk', ['post_id', 'account_id'])
    .execute();
  await db.schema.createIndex('channel_likes_account').on('channel_likes').columns(['account_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('channel_comments'))
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_comments_post').on('channel_comments').columns(['post_id', 'id']).execute();

  await db.schema
    .createTable('channel_media')
    .addColumn('media_id', 'bigint', (c) => c.notNull())
    .addColumn('post_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_media_pk', ['media_id', 'post_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'channel_media',
    'channel_comments',
    'channel_likes',
    'channel_follows',
    'channel_posts',
    'channels',
    'moment_settings',
    'moment_comments',
    'moment_likes',
    'moment_media',
    'moment_timeline',
    'moment_posts',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
