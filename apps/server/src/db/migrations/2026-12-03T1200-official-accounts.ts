import type { Kysely } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Official Accounts: publishers whose followers get broadcasts. Audiences can be large, so the
// articles are stored once and read on demand; followers get a small inbox pointer per broadcast.
// Money (paid articles, tips) lives in the ledger; these tables only say who unlocked what.
export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('official_accounts'))
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(12)', (c) => c.notNull())
    .addColumn('name', 'varchar(80)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(80)', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('avatar_media_id', 'bigint')
    // Media is immutable once uploaded, so rows keep its presented JSON and lists need no media reads.
    .addColumn('avatar', 'text')
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('review_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reviewed_by', 'bigint')
    .addColumn('menu', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('follower_count', 'bigint', (c) => c.notNull().defaultTo(0))
    // The broadcast limit is kept on the row so one conditional UPDATE checks and counts it.
    .addColumn('broadcast_period', 'varchar(10)', (c) => c.notNull().defaultTo(''))
    .addColumn('broadcast_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_article_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_accounts_owner').on('official_accounts').columns(['owner_id']).execute();
  await db.schema.createIndex('official_accounts_status').on('official_accounts').columns(['status', 'id']).execute();

  await db.schema
    .createTable('official_admins')
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('official_admins_pk', ['official_id', 'account_id'])
    .execute();
  await db.schema.createIndex('official_admins_account').on('official_admins').columns(['account_id']).execute();

  await db.schema
    .createTable('official_follows')
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('official_follows_pk', ['official_id', 'account_id'])
    .execute();
  await db.schema.createIndex('official_follows_account').on('official_follows').columns(['account_id', 'official_id']).execute();

  // Every follow and unfollow, for the followers-over-time chart.
  await withIdColumn(db, db.schema.createTable('official_follow_log'))
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_follow_log_official').on('official_follow_log').columns(['official_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('official_articles'))
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('title', 'varchar(240)', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('preview_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cover_media_id', 'bigint')
    .addColumn('cover', 'text')
    .addColumn('price_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('asset', 'varchar(8)', (c) => c.notNull().defaultTo('CNY'))
    .addColumn('read_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('share_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_articles_official').on('official_articles').columns(['official_id', 'id']).execute();

  // Images inside articles: readable by whoever may read the part (preview or full text) they are in.
  await db.schema
    .createTable('official_article_media')
    .addColumn('media_id', 'bigint', (c) => c.notNull())
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('in_preview', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('official_article_media_pk', ['media_id', 'article_id'])
    .execute();

  await db.schema
    .createTable('official_reads')
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('official_reads_pk', ['article_id', 'account_id'])
    .execute();
  await db.schema.createIndex('official_reads_official').on('official_reads').columns(['official_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('official_shares'))
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_shares_official').on('official_shares').columns(['official_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('official_comments'))
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_comments_article').on('official_comments').columns(['article_id', 'id']).execute();

  // One row per (article, member); a refunded purchase may be bought again (the row flips back).
  await db.schema
    .createTable('official_purchases')
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('price_minor', 'bigint', (c) => c.notNull())
    .addColumn('fee_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('payment_transfer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('refunded_at', 'bigint')
    .addPrimaryKeyConstraint('official_purchases_pk', ['article_id', 'account_id'])
    .execute();
  await db.schema.createIndex('official_purchases_official').on('official_purchases').columns(['official_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('official_tips'))
    .addColumn('article_id', 'bigint', (c) => c.notNull())
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('transfer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_tips_official').on('official_tips').columns(['official_id', 'created_at']).execute();

  await withIdColumn(db, db.schema.createTable('official_auto_replies'))
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('keyword', 'varchar(80)')
    .addColumn('reply', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_auto_replies_official').on('official_auto_replies').columns(['official_id']).execute();

  // A thread per (account, member): the member's messages, the admins' replies and auto-replies.
  await withIdColumn(db, db.schema.createTable('official_messages'))
    .addColumn('official_id', 'bigint', (c) => c.notNull())
    .addColumn('member_id', 'bigint', (c) => c.notNull())
    .addColumn('direction', 'varchar(4)', (c) => c.notNull())
    .addColumn('sender_id', 'bigint')
    .addColumn('auto', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('official_messages_thread').on('official_messages').columns(['official_id', 'member_id', 'id']).execute();
  await db.schema.createIndex('official_messages_official').on('official_messages').columns(['official_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'official_messages',
    'official_auto_replies',
    'official_tips',
    'official_purchases',
    'official_comments',
    'official_shares',
    'official_reads',
    'official_article_media',
    'official_articles',
    'official_follow_log',
    'official_follows',
    'official_admins',
    'official_accounts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
