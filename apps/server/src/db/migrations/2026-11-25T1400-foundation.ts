import type { Kysely } from 'kysely';
import { withIdColumn } from '../migration-helpers.js';

// Distribution keys for a later sharded PostgreSQL: messages by conversation_id, inbox rows by
// account_id. Booleans are 0/1 integers and JSON is text, so both dialects read the same values.
export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('accounts'))
    .addColumn('handle', 'varchar(20)', (c) => c.notNull())
    .addColumn('handle_lower', 'varchar(20)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(40)', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('avatar_media_id', 'bigint')
    .addColumn('phone', 'varchar(20)')
    .addColumn('phone_discoverable', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('handle_discoverable', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('region', 'varchar(60)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_phone').on('accounts').column('phone').execute();

  await withIdColumn(db, db.schema.createTable('sessions'))
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('device_name', 'varchar(60)', (c) => c.notNull())
    .addColumn('user_agent', 'varchar(200)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();

  await db.schema
    .createTable('qr_logins')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('account_id', 'bigint')
    .addColumn('session_token', 'varchar(80)')
    .addColumn('device_name', 'varchar(60)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await withIdColumn(db, db.schema.createTable('friend_requests'))
    .addColumn('from_id', 'bigint', (c) => c.notNull())
    .addColumn('to_id', 'bigint', (c) => c.notNull())
    .addColumn('message', 'varchar(120)', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('friend_requests_to').on('friend_requests').columns(['to_id', 'status']).execute();
  await db.schema.createIndex('friend_requests_from').on('friend_requests').columns(['from_id', 'to_id']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('peer_id', 'bigint', (c) => c.notNull())
    .addColumn('remark', 'varchar(40)', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['owner_id', 'peer_id'])
    .execute();

  await db.schema
    .createTable('blocks')
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('peer_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['owner_id', 'peer_id'])
    .execute();

  await withIdColumn(db, db.schema.createTable('conversations'))
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('direct_key', 'varchar(50)', (c) => c.unique())
    .addColumn('title', 'varchar(60)', (c) => c.notNull().defaultTo(''))
    .addColumn('notice', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'bigint')
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_at', 'bigint', (c) => c.notNull())
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('conversation_members')
    .addColumn('conversation_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('role', 'varchar(10)', (c) => c.notNull())
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'account_id'])
    .execute();
  await db.schema.createIndex('conversation_members_account').on('conversation_members').column('account_id').execute();

  await withIdColumn(db, db.schema.createTable('messages'))
    .addColumn('conversation_id', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'bigint', (c) => c.notNull())
    .addColumn('client_msg_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('media_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('recalled_at', 'bigint')
    .execute();
  await db.schema.createIndex('messages_conversation_seq').on('messages').columns(['conversation_id', 'seq']).unique().execute();
  await db.schema.createIndex('messages_idempotency').on('messages').columns(['conversation_id', 'sender_id', 'client_msg_id']).unique().execute();

  await db.schema
    .createTable('message_hidden')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_hidden_pk', ['account_id', 'message_id'])
    .execute();

  await db.schema
    .createTable('group_invites')
    .addColumn('code', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('conversation_id', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbox_heads')
    .addColumn('account_id', 'bigint', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('inbox_events')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(40)', (c) => c.notNull())
    .addColumn('conversation_id', 'bigint')
    .addColumn('message_seq', 'bigint')
    .addColumn('payload', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbox_events_pk', ['account_id', 'seq'])
    .execute();

  await withIdColumn(db, db.schema.createTable('media'))
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('mime', 'varchar(100)', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('file_name', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('storage_key', 'varchar(200)', (c) => c.notNull())
    .addColumn('thumb_key', 'varchar(200)')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('media_links')
    .addColumn('media_id', 'bigint', (c) => c.notNull())
    .addColumn('conversation_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_links_pk', ['media_id', 'conversation_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'media_links',
    'media',
    'inbox_events',
    'inbox_heads',
    'group_invites',
    'message_hidden',
    'messages',
    'conversation_members',
    'conversations',
    'blocks',
    'contacts',
    'friend_requests',
    'qr_logins',
    'sessions',
    'accounts',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
