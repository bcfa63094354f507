import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface MomentTables {
  moment_posts: {
    id: Generated<number>;
    author_id: number;
    kind: 'text' | 'photos' | 'video' | 'link';
    text: string;
    /** JSON: presented media of the post (immutable uploads). */
    media: string;
    link: string | null;
    location: string | null;
    visibility: 'friends' | 'include' | 'exclude';
    /** JSON: the audience as the author chose it ({accountIds, tags}), shown back to the author only. */
    audience_spec: string;
    /** JSON: account ids resolved from the spec when posting (allowed for include, denied for exclude). */
    audience_ids: string;
    created_at: number;
  };
  moment_timeline: { viewer_id: number; created_at: number; post_id: number; author_id: number };
  moment_media: { media_id: number; post_id: number };
  moment_likes: { post_id: number; account_id: number; created_at: number };
  moment_comments: {
    id: Generated<number>;
    post_id: number;
    author_id: number;
    reply_to_comment_id: number | null;
    reply_to_account_id: number | null;
    text: string;
    created_at: number;
  };
  moment_settings: { account_id: number; history_window: string; cover_media_id: number | null };
}

export type MomentsDatabase = Database & MomentTables;
export type MomentsExecutor = Kysely<MomentsDatabase> | Transaction<MomentsDatabase>;
export type PostRow = Selectable<MomentTables['moment_posts']>;
export type CommentRow = Selectable<MomentTables['moment_comments']>;
export type LikeRow = Selectable<MomentTables['moment_likes']>;
export type TimelineRow = PostRow & { history_window: string | null };

/**
 * The SQL of Moments. Friendship is read from the contacts table in the same statement as the page
 * it filters (read-only): going through the contacts service would cost one round trip per author.
 */
export function createMomentsStore(db: Kysely<MomentsDatabase>) {
  /** Of `peerIds`, those who are mutual friends of `accountId` (each has the other as a contact). */
  async function friendsAmong(accountId: number, peerIds: number[]): Promise<Set<number>> {
    const unique = [...new Set(peerIds)].filter((id) => id !== accountId);
    const found = new Set<number>();
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await db
        .selectFrom('contacts as mine')
        .innerJoin('contacts as theirs', (join) => join.onRef('theirs.owner_id', '=', 'mine.peer_id').onRef('theirs.peer_id', '=', 'mine.owner_id'))
        .select('mine.peer_id')
        .where('mine.owner_id', '=', accountId)
        .where('mine.peer_id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const row of rows) found.add(row.peer_id);
    }
    return found;
  }

  /** Every mutual friend of the author with the tags the author gave them (for audiences). */
  async function friendsWithTags(trx: MomentsExecutor, authorId: number): Promise<{ peerId: number; tags: string[] }[]> {
    const rows = await trx
      .selectFrom('contacts as mine')
      .innerJoin('contacts as theirs', (join) => join.onRef('theirs.owner_id', '=', 'mine.peer_id').onRef('theirs.peer_id', '=', 'mine.owner_id'))
      .select(['mine.peer_id', 'mine.tags'])
      .where('mine.owner_id', '=', authorId)
      .execute();
    return rows.map((r) => ({ peerId: r.peer_id, tags: JSON.parse(r.tags) as string[] }));
  }

  async function historyWindowOf(accountId: number): Promise<string> {
    const row = await db.selectFrom('moment_settings').select('history_window').where('account_id', '=', accountId).executeTakeFirst();
    return row?.history_window ?? 'all';
  }

  /**
   * One viewer's timeline rows older than the cursor, newest first, joined to their posts, each
   * with its author's history window. The windows come from a second, tiny query: joining
   * moment_settings into the page's statement made SQLite's page read three times slower.
   */
  async function timelineRows(viewerId: number, before: { createdAt: number; postId: number } | null, limit: number): Promise<TimelineRow[]> {
    let query = db.selectFrom('moment_timeline as t').innerJoin('moment_posts as p', 'p.id', 't.post_id').selectAll('p').where('t.viewer_id', '=', viewerId);
    if (before) {
      const { createdAt, postId } = before;
      query = query.where((eb) => eb.or([eb('t.created_at', '<', createdAt), eb.and([eb('t.created_at', '=', createdAt), eb('t.post_id', '<', postId)])]));
    }
    const rows = await query.orderBy('t.created_at', 'desc').orderBy('t.post_id', 'desc').limit(limit).execute();
    if (rows.length === 0) return [];
    const authors = [...new Set(rows.map((r) => r.author_id))];
    const windows = new Map(
      (await db.selectFrom('moment_settings').select(['account_id', 'history_window']).where('account_id', 'in', authors).execute()).map((r) => [
        r.account_id,
        r.history_window,
      ]),
    );
    return rows.map((r) => ({ ...r, history_window: windows.get(r.author_id) ?? null }));
  }

  async function authorRows(
    authorId: number,
    before: { createdAt: number; postId: number } | null,
    notBefore: number | null,
    limit: number,
  ): Promise<PostRow[]> {
    let query = db.selectFrom('moment_posts').selectAll().where('author_id', '=', authorId);
    if (before) {
      const { createdAt, postId } = before;
      query = query.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', postId)])]));
    }
    if (notBefore !== null) query = query.where('created_at', '>=', notBefore);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async function post(postId: number): Promise<PostRow | undefined> {
    return db.selectFrom('moment_posts').selectAll().where('id', '=', postId).executeTakeFirst();
  }

  async function likesOf(postIds: number[], perPostMax: number): Promise<LikeRow[]> {
    if (postIds.length === 0) return [];
    return db
      .selectFrom('moment_likes')
      .selectAll()
      .where('post_id', 'in', postIds)
      .orderBy('created_at')
      .limit(perPostMax * postIds.length)
      .execute();
  }

  async function commentsOf(postIds: number[], perPostMax: number): Promise<CommentRow[]> {
    if (postIds.length === 0) return [];
    return db
      .selectFrom('moment_comments')
      .selectAll()
      .where('post_id', 'in', postIds)
      .orderBy('id')
      .limit(perPostMax * postIds.length)
      .execute();
  }

  return { db, friendsAmong, friendsWithTags, historyWindowOf, timelineRows, authorRows, post, likesOf, commentsOf };
}

export type MomentsStore = ReturnType<typeof createMomentsStore>;
