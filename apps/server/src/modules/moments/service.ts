import type { Kysely, Transaction } from 'kysely';
import { type CreateMomentBody, type HistoryWindow, historyWindowMs, type LinkPreview, type MomentSettingsBody, socialLimits } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail, invariant } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import { limits } from '../../limits.js';
import { type AccountRow, type AccountsService, presentAccount } from '../accounts/index.js';
import type { InboxService, NewInboxEvent } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';
import { type CommentRow, createMomentsStore, type LikeRow, type MomentsDatabase, type PostRow } from './store.js';
import { canSeeInteraction, canSeePost, parseHistoryWindow } from './visibility.js';
import { inChunks } from '../../lib/chunks.js';

export interface FeedCursor {
  createdAt: number;
  postId: number;
}

/** Cursors are opaque to clients: `<createdAtMs>_<postId>` of the last row a page looked at. */
export function encodeCursor(cursor: FeedCursor): string {
  return `${cursor.createdAt}_${cursor.postId}`;
}

export function decodeCursor(value: string | undefined): FeedCursor | null {
  if (!value) return null;
  const match = /^([0-9]{1,15})_([0-9]{1,15})$/.exec(value);
  if (!match) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
  return { createdAt: Number(match[1]), postId: Number(match[2]) };
}

type PresentedMedia = ReturnType<MediaService['present']>;

/**
 * A new post as the service takes it: the route's body, or a share from another module, whose
 * link card may point inside Plaza (a relative path and the shared object's id).
 */
export type NewMoment = Omit<CreateMomentBody, 'link'> & { link?: LinkPreview | (Omit<LinkPreview, 'url'> & { url: string; channelPostId: string }) };

function postAccess(row: PostRow) {
  return {
    authorId: row.author_id,
    visibility: row.visibility,
    audienceIds: new Set(JSON.parse(row.audience_ids) as number[]),
    createdAt: row.created_at,
  };
}

export function createMomentsService(ctx: AppContext, deps: { accounts: AccountsService; inbox: InboxService; media: MediaService; nowMs?: () => number }) {
  const db = ctx.db as unknown as Kysely<MomentsDatabase>;
  const store = createMomentsStore(db);
  const { accounts, inbox, media } = deps;
  const now = deps.nowMs ?? Date.now;
  const asInboxTrx = (trx: Transaction<MomentsDatabase>) => trx as unknown as Transaction<Database>;

  async function loadMedia(authorId: number, body: NewMoment): Promise<{ kind: PostRow['kind']; media: PresentedMedia[] }> {
    const kinds = [body.photoMediaIds !== undefined, body.videoMediaId !== undefined, body.link !== undefined].filter(Boolean).length;
    if (kinds > 1) fail('MOMENTS_INVALID_POST');
    if (body.photoMediaIds) {
      const ids = body.photoMediaIds.map((id) => parseId(id, 'photoMediaIds'));
      if (new Set(ids).size !== ids.length) fail('MOMENTS_INVALID_POST', 'A photo appears twice.');
      const rows = [];
      for (const id of ids) {
        const row = await media.load(id);
        if (row.owner_id !== authorId) fail('MEDIA_FORBIDDEN');
        if (row.kind !== 'image') fail('MOMENTS_INVALID_POST', 'Photos must be image uploads.');
        rows.push(media.present(row));
      }
      return { kind: 'photos', media: rows };
    }
    if (body.videoMediaId !== undefined) {
      const row = await media.load(parseId(body.videoMediaId, 'videoMediaId'));
      if (row.owner_id !== authorId) fail('MEDIA_FORBIDDEN');
      if (row.kind !== 'video') fail('MOMENTS_INVALID_POST', 'The video must be a video upload.');
      if (row.duration_ms !== null && row.duration_ms > socialLimits.momentVideoDurationMaxMs) fail('MOMENTS_VIDEO_TOO_LONG');
      return { kind: 'video', media: [media.present(row)] };
    }
    if (body.link) return { kind: 'link', media: [] };
    if (!body.text?.trim()) fail('MOMENTS_INVALID_POST', 'A post needs text, photos, a video or a link.');
    return { kind: 'text', media: [] };
  }

  /**
   * Stores the post and fans it out: one timeline row for the author and one for each friend in
   * its audience, in the same transaction, so a committed post is on every timeline at once.
   */
  async function createPost(authorId: number, body: NewMoment) {
    const { kind, media: attached } = await loadMedia(authorId, body);
    const visibility = body.visibility ?? 'friends';
    const spec = {
      accountIds: (body.audience?.accountIds ?? []).map((id) => idString(parseId(id, 'audience.accountIds'))),
      tags: [...new Set((body.audience?.tags ?? []).map((t) => t.trim()).filter(Boolean))],
    };
    if (visibility === 'include' && spec.accountIds.length === 0 && spec.tags.length === 0) fail('MOMENTS_INVALID_POST', 'Choose who may see this post.');
    const createdAt = now();
    const row = await db.transaction().execute(async (trx) => {
      const friends = await store.friendsWithTags(trx, authorId);
      const chosenIds = new Set(spec.accountIds.map(Number));
      const chosenTags = new Set(spec.tags);
      const chosen = friends.filter((f) => chosenIds.has(f.peerId) || f.tags.some((t) => chosenTags.has(t))).map((f) => f.peerId);
      const chosenSet = new Set(chosen);
      const audience =
        visibility === 'friends'
          ? friends.map((f) => f.peerId)
          : visibility === 'include'
            ? chosen
            : friends.map((f) => f.peerId).filter((id) => !chosenSet.has(id));
      const saved = await trx
        .insertInto('moment_posts')
        .values({
          author_id: authorId,
          kind,
          text: body.text?.trim() ?? '',
          media: JSON.stringify(attached),
          link: body.link ? JSON.stringify(body.link) : null,
          location: body.location ? JSON.stringify(body.location) : null,
          visibility,
          audience_spec: JSON.stringify(spec),
          audience_ids: JSON.stringify(visibility === 'friends' ? [] : chosen.sort((a, b) => a - b)),
          created_at: createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const viewers = [authorId, ...audience];
      const rows = viewers.map((viewerId) => ({ viewer_id: viewerId, created_at: createdAt, post_id: saved.id, author_id: authorId }));
      await inChunks(rows, limits.insertChunkRows, (chunk) => trx.insertInto('moment_timeline').values(chunk).execute());
      if (attached.length)
        await trx
          .insertInto('moment_media')
          .values(attached.map((m) => ({ media_id: Number(m.id), post_id: saved.id })))
          .execute();
      return saved;
    });
    return (await presentPosts(authorId, [row]))[0];
  }

  /** Presents posts the viewer may see, with only the likes and comments the WeChat rule shows them. */
  async function presentPosts(viewerId: number, rows: PostRow[]) {
    const postIds = rows.map((r) => r.id);
    const [likes, comments] = await Promise.all([
      store.likesOf(postIds, socialLimits.momentInlineInteractionsMax),
      store.commentsOf(postIds, socialLimits.momentInlineInteractionsMax),
    ]);
    const people = new Set<number>(rows.map((r) => r.author_id));
    for (const like of likes) people.add(like.account_id);
    for (const comment of comments) {
      people.add(comment.author_id);
      if (comment.reply_to_account_id !== null) people.add(comment.reply_to_account_id);
    }
    const [friends, profiles] = await Promise.all([store.friendsAmong(viewerId, [...people]), accounts.getAccounts([...people])]);
    const likesByPost = new Map<number, LikeRow[]>();
    for (const like of likes) {
      if (!canSeeInteraction(like.account_id, postAuthor(rows, like.post_id), viewerId, friends)) continue;
      likesByPost.set(like.post_id, [...(likesByPost.get(like.post_id) ?? []), like]);
    }
    const commentsByPost = new Map<number, CommentRow[]>();
    for (const comment of comments) {
      if (!canSeeInteraction(comment.author_id, postAuthor(rows, comment.post_id), viewerId, friends)) continue;
      commentsByPost.set(comment.post_id, [...(commentsByPost.get(comment.post_id) ?? []), comment]);
    }
    const who = (id: number) => {
      const row = profiles.get(id);
      return row ? presentAccount(row) : { id: idString(id), handle: '', displayName: '', avatarUrl: null, region: null };
    };
    return rows.map((row) => {
      const own = row.author_id === viewerId;
      const postLikes = likesByPost.get(row.id) ?? [];
      return {
        id: idString(row.id),
        author: who(row.author_id),
        kind: row.kind,
        text: row.text,
        media: JSON.parse(row.media) as PresentedMedia[],
        link: row.link ? JSON.parse(row.link) : null,
        location: row.location ? JSON.parse(row.location) : null,
        // Who may see it is the author's business only.
        visibility: own ? row.visibility : undefined,
        audience: own ? JSON.parse(row.audience_spec) : undefined,
        createdAt: toIso(row.created_at),
        likedByMe: postLikes.some((l) => l.account_id === viewerId),
        likes: postLikes.map((l) => ({ account: who(l.account_id), createdAt: toIso(l.created_at) })),
        comments: (commentsByPost.get(row.id) ?? []).map((c) => presentComment(c, who)),
      };
    });
  }

  function postAuthor(rows: PostRow[], postId: number): number {
    const row = rows.find((r) => r.id === postId);
    invariant(row, 'an interaction belongs to a post of the page');
    return row.author_id;
  }

  function presentComment(c: CommentRow, who: (id: number) => ReturnType<typeof presentAccount>) {
    return {
      id: idString(c.id),
      postId: idString(c.post_id),
      author: who(c.author_id),
      text: c.text,
      replyToCommentId: c.reply_to_comment_id === null ? null : idString(c.reply_to_comment_id),
      replyTo: c.reply_to_account_id === null ? null : who(c.reply_to_account_id),
      createdAt: toIso(c.created_at),
    };
  }

  /** The post if the viewer may see it; otherwise "not found", so ids cannot be probed. */
  async function visiblePost(viewerId: number, postId: number): Promise<PostRow> {
    const row = await store.post(postId);
    if (!row) fail('MOMENTS_POST_NOT_FOUND');
    if (row.author_id === viewerId) return row;
    const friend = (await store.friendsAmong(viewerId, [row.author_id])).has(row.author_id);
    const window = parseHistoryWindow(await store.historyWindowOf(row.author_id));
    if (!canSeePost(postAccess(row), viewerId, friend, window, now())) fail('MOMENTS_POST_NOT_FOUND');
    return row;
  }

  async function getPost(viewerId: number, postId: number) {
    return (await presentPosts(viewerId, [await visiblePost(viewerId, postId)]))[0];
  }

  function pageLimit(limit: number | undefined): number {
    return Math.min(Math.max(limit ?? socialLimits.timelinePageDefault, 1), socialLimits.timelinePageMax);
  }

  /**
   * Friends' posts newest first. Rows the viewer may no longer see (unfriended, history window)
   * are skipped; the cursor is the last row looked at, so the next page starts right after it and
   * posts arriving meanwhile (newer than any cursor) never shift or repeat what follows.
   */
  async function timeline(viewerId: number, cursorText: string | undefined, limitWanted: number | undefined) {
    const limit = pageLimit(limitWanted);
    let cursor = decodeCursor(cursorText);
    const kept: PostRow[] = [];
    let scanned = 0;
    let exhausted = false;
    const nowMs = now();
    while (kept.length < limit && scanned < socialLimits.timelineScanMax) {
      const want = limit - kept.length + 1;
      const batch = await store.timelineRows(viewerId, cursor, want);
      const friends = await store.friendsAmong(
        viewerId,
        batch.map((r) => r.author_id),
      );
      let looked = 0;
      for (const row of batch) {
        if (kept.length === limit) break;
        looked += 1;
        cursor = { createdAt: row.created_at, postId: row.id };
        if (canSeePost(postAccess(row), viewerId, friends.has(row.author_id), parseHistoryWindow(row.history_window), nowMs)) kept.push(row);
      }
      scanned += looked;
      if (batch.length < want && looked === batch.length) {
        exhausted = true;
        break;
      }
    }
    return { posts: await presentPosts(viewerId, kept), nextCursor: exhausted || !cursor ? null : encodeCursor(cursor) };
  }

  /** A member's album: their own posts (all, for themselves) or those the viewer may see. */
  async function album(viewerId: number, authorId: number, cursorText: string | undefined, limitWanted: number | undefined) {
    const limit = pageLimit(limitWanted);
    const author = await accounts.getAccount(authorId);
    const settings = await db.selectFrom('moment_settings').selectAll().where('account_id', '=', authorId).executeTakeFirst();
    const window = parseHistoryWindow(settings?.history_window);
    const own = viewerId === authorId;
    const friend = own || (await store.friendsAmong(viewerId, [authorId])).has(authorId);
    const header = {
      account: presentAccount(author),
      coverUrl: friend && settings?.cover_media_id ? `/api/v1/media/${settings.cover_media_id}` : null,
      historyWindow: own ? window : undefined,
    };
    if (!friend) return { ...header, posts: [], nextCursor: null };
    const nowMs = now();
    const windowMs = historyWindowMs[window];
    const windowStart = own || windowMs === null ? null : nowMs - windowMs;
    let cursor = decodeCursor(cursorText);
    const kept: PostRow[] = [];
    let exhausted = false;
    for (let scanned = 0; kept.length < limit && scanned < socialLimits.timelineScanMax; ) {
      const want = limit - kept.length + 1;
      const batch = await store.authorRows(authorId, cursor, windowStart, want);
      let looked = 0;
      for (const row of batch) {
        if (kept.length === limit) break;
        looked += 1;
        cursor = { createdAt: row.created_at, postId: row.id };
        if (canSeePost(postAccess(row), viewerId, friend, window, nowMs)) kept.push(row);
      }
      scanned += looked;
      if (batch.length < want && looked === batch.length) {
        exhausted = true;
        break;
      }
    }
    return { ...header, posts: await presentPosts(viewerId, kept), nextCursor: exhausted || !cursor ? null : encodeCursor(cursor) };
  }

  async function deletePost(viewerId: number, postId: number) {
    const row = await store.post(postId);
    if (!row || (row.author_id !== viewerId && !(await canSee(viewerId, row)))) fail('MOMENTS_POST_NOT_FOUND');
    if (row.author_id !== viewerId) fail('MOMENTS_FORBIDDEN');
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('moment_timeline').where('post_id', '=', postId).execute();
      await trx.deleteFrom('moment_likes').where('post_id', '=', postId).execute();
      await trx.deleteFrom('moment_comments').where('post_id', '=', postId).execute();
      await trx.deleteFrom('moment_media').where('post_id', '=', postId).execute();
      await trx.deleteFrom('moment_posts').where('id', '=', postId).execute();
    });
  }

  async function canSee(viewerId: number, row: PostRow): Promise<boolean> {
    try {
      await visiblePost(viewerId, row.id);
      return true;
    } catch {
      return false;
    }
  }

  async function like(viewerId: number, postId: number) {
    const row = await visiblePost(viewerId, postId);
    const createdAt = now();
    const liker = await accounts.getAccount(viewerId);
    const deliveries = await db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('moment_likes').select('post_id').where('post_id', '=', postId).where('account_id', '=', viewerId).executeTakeFirst();
      if (exists) return [];
      await trx.insertInto('moment_likes').values({ post_id: postId, account_id: viewerId, created_at: createdAt }).execute();
      if (row.author_id === viewerId) return [];
      return inbox.appendEvents(asInboxTrx(trx), [
        { accountId: row.author_id, type: 'moment.liked', payload: { postId: idString(postId), account: presentAccount(liker), createdAt: toIso(createdAt) } },
      ]);
    });
    inbox.publish(deliveries);
  }

  async function unlike(viewerId: number, postId: number) {
    await visiblePost(viewerId, postId);
    await db.deleteFrom('moment_likes').where('post_id', '=', postId).where('account_id', '=', viewerId).execute();
  }

  /**
   * Comments on a post the viewer can see; a reply must answer a comment the viewer can see. The
   * poster hears of every comment, the one replied to of the reply.
   */
  async function comment(viewerId: number, postId: number, text: string, replyToCommentId: number | undefined) {
    const row = await visiblePost(viewerId, postId);
    let replyTo: CommentRow | undefined;
    if (replyToCommentId !== undefined) {
      replyTo = await db.selectFrom('moment_comments').selectAll().where('id', '=', replyToCommentId).where('post_id', '=', postId).executeTakeFirst();
      if (!replyTo) fail('MOMENTS_COMMENT_NOT_FOUND');
      const friends = await store.friendsAmong(viewerId, [replyTo.author_id]);
      if (!canSeeInteraction(replyTo.author_id, row.author_id, viewerId, friends)) fail('MOMENTS_COMMENT_NOT_FOUND');
    }
    const createdAt = now();
    const profiles = await accounts.getAccounts([viewerId, row.author_id, ...(replyTo ? [replyTo.author_id] : [])]);
    const who = (id: number) => presentAccount(profiles.get(id) as AccountRow);
    const { saved, deliveries } = await db.transaction().execute(async (trx) => {
      const saved = await trx
        .insertInto('moment_comments')
        .values({
          post_id: postId,
          author_id: viewerId,
          reply_to_comment_id: replyTo?.id ?? null,
          reply_to_account_id: replyTo?.author_id ?? null,
          text: text.trim(),
          created_at: createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const presented = presentComment(saved, who);
      const events: NewInboxEvent[] = [];
      const replied = replyTo && replyTo.author_id !== viewerId ? replyTo.author_id : null;
      if (row.author_id !== viewerId && row.author_id !== replied)
        events.push({ accountId: row.author_id, type: 'moment.commented', payload: { reason: 'my_post', comment: presented } });
      if (replied !== null) events.push({ accountId: replied, type: 'moment.commented', payload: { reason: 'reply', comment: presented } });
      return { saved, deliveries: await inbox.appendEvents(asInboxTrx(trx), events) };
    });
    inbox.publish(deliveries);
    return presentComment(saved, who);
  }

  /** The comment's author or the poster may delete it. */
  async function deleteComment(viewerId: number, postId: number, commentId: number) {
    const row = await visiblePost(viewerId, postId);
    const target = await db.selectFrom('moment_comments').selectAll().where('id', '=', commentId).where('post_id', '=', postId).executeTakeFirst();
    if (!target) fail('MOMENTS_COMMENT_NOT_FOUND');
    if (target.author_id !== viewerId && row.author_id !== viewerId) fail('MOMENTS_FORBIDDEN');
    await db.deleteFrom('moment_comments').where('id', '=', commentId).execute();
  }

  async function settings(accountId: number) {
    const row = await db.selectFrom('moment_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return {
      historyWindow: parseHistoryWindow(row?.history_window) as HistoryWindow,
      coverUrl: row?.cover_media_id ? `/api/v1/media/${row.cover_media_id}` : null,
    };
  }

  async function updateSettings(accountId: number, patch: MomentSettingsBody) {
    let cover: number | null | undefined;
    if (patch.coverMediaId === null) cover = null;
    else if (patch.coverMediaId !== undefined) {
      const row = await media.load(parseId(patch.coverMediaId, 'coverMediaId'));
      if (row.owner_id !== accountId) fail('MEDIA_FORBIDDEN');
      if (row.kind !== 'image') fail('VALIDATION_FAILED', 'A cover must be an image upload.');
      cover = row.id;
    }
    await db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('moment_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      const next = {
        history_window: patch.historyWindow ?? existing?.history_window ?? 'all',
        cover_media_id: cover === undefined ? (existing?.cover_media_id ?? null) : cover,
      };
      if (existing) await trx.updateTable('moment_settings').set(next).where('account_id', '=', accountId).execute();
      else
        await trx
          .insertInto('moment_settings')
          .values({ account_id: accountId, ...next })
          .execute();
    });
    return settings(accountId);
  }

  /**
   * What happened to me in Moments, newest first: likes and comments on my posts, and replies to
   * my comments elsewhere (only those the WeChat rule lets me see). The cursor is the last item's
   * `<createdAtMs>_<key>`; keys break ties on the millisecond.
   */
  async function notifications(viewerId: number, cursorText: string | undefined, limitWanted: number | undefined) {
    const limit = pageLimit(limitWanted);
    let cursor: { at: number; key: string } | null = null;
    if (cursorText) {
      const match = /^([0-9]{1,15})_([lc]:[0-9:]{1,40})$/.exec(cursorText);
      if (!match) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
      cursor = { at: Number(match[1]), key: match[2] as string };
    }
    // Items on the cursor's millisecond are re-read and filtered by key; the slack bounds how many.
    const fetch = limit + socialLimits.notificationTieSlack;
    let likes = db
      .selectFrom('moment_likes as l')
      .innerJoin('moment_posts as p', 'p.id', 'l.post_id')
      .select(['l.post_id', 'l.account_id', 'l.created_at'])
      .where('p.author_id', '=', viewerId)
      .where('l.account_id', '!=', viewerId);
    if (cursor) likes = likes.where('l.created_at', '<=', cursor.at);
    // Comments on my posts and replies to me are two queries, each on its own index, not one OR.
    const commentsWhere = (mine: boolean) => {
      let query = db
        .selectFrom('moment_comments as c')
        .innerJoin('moment_posts as p', 'p.id', 'c.post_id')
        .selectAll('c')
        .select('p.author_id as post_author_id')
        .where('c.author_id', '!=', viewerId);
      query = mine ? query.where('p.author_id', '=', viewerId) : query.where('c.reply_to_account_id', '=', viewerId).where('p.author_id', '!=', viewerId);
      if (cursor) query = query.where('c.created_at', '<=', cursor.at);
      return query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(fetch).execute();
    };
    const [likeRows, onMine, replies] = await Promise.all([
      likes.orderBy('l.created_at', 'desc').limit(fetch).execute(),
      commentsWhere(true),
      commentsWhere(false),
    ]);
    const commentRows = [...onMine, ...replies];
    const pad = (n: number) => String(n).padStart(15, '0');
    type Item = { at: number; key: string; like?: (typeof likeRows)[number]; comment?: (typeof commentRows)[number] };
    const items: Item[] = [
      ...likeRows.map((like) => ({ at: like.created_at, key: `l:${pad(like.post_id)}:${pad(like.account_id)}`, like })),
      ...commentRows.map((comment) => ({ at: comment.created_at, key: `c:${pad(comment.id)}`, comment })),
    ]
      .filter((item) => !cursor || item.at < cursor.at || (item.at === cursor.at && item.key < cursor.key))
      .sort((a, b) => b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
    const page: Item[] = [];
    let looked = 0;
    for (const item of items) {
      if (page.length === limit) break;
      looked += 1;
      const reply = item.comment && item.comment.post_author_id !== viewerId;
      if (reply && item.comment) {
        // A reply on someone else's post: I must still see that post and the replier.
        const row = await store.post(item.comment.post_id);
        if (!row || !(await canSee(viewerId, row))) continue;
        const friends = await store.friendsAmong(viewerId, [item.comment.author_id]);
        if (!canSeeInteraction(item.comment.author_id, row.author_id, viewerId, friends)) continue;
      }
      page.push(item);
    }
    const postIds = [...new Set(page.map((i) => i.like?.post_id ?? i.comment?.post_id ?? 0))];
    const posts = postIds.length ? await db.selectFrom('moment_posts').selectAll().where('id', 'in', postIds).execute() : [];
    const postById = new Map(posts.map((p) => [p.id, p]));
    const profiles = await accounts.getAccounts(page.map((i) => i.like?.account_id ?? i.comment?.author_id ?? 0));
    const who = (id: number) => {
      const row = profiles.get(id);
      return row ? presentAccount(row) : { id: idString(id), handle: '', displayName: '', avatarUrl: null, region: null };
    };
    const last = page[page.length - 1];
    return {
      notifications: page.map((item) => {
        const postRow = postById.get(item.like?.post_id ?? item.comment?.post_id ?? 0);
        const firstMedia = postRow ? (JSON.parse(postRow.media) as PresentedMedia[])[0] : undefined;
        const type = item.like ? 'like' : item.comment?.post_author_id === viewerId ? 'comment' : 'reply';
        return {
          id: item.key,
          type,
          account: who(item.like?.account_id ?? item.comment?.author_id ?? 0),
          post: postRow ? { id: idString(postRow.id), text: postRow.text.slice(0, 80), thumbUrl: firstMedia?.thumbUrl ?? null } : null,
          comment: item.comment ? { id: idString(item.comment.id), text: item.comment.text } : null,
          createdAt: toIso(item.at),
        };
      }),
      nextCursor:
        last && (looked < items.length || likeRows.length === fetch || onMine.length === fetch || replies.length === fetch) ? `${last.at}_${last.key}` : null,
    };
  }

  media.addReferenceCheck(async (mediaId) => {
    const post = await db.selectFrom('moment_media').select('post_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    const cover = await db.selectFrom('moment_settings').select('account_id').where('cover_media_id', '=', mediaId).limit(1).executeTakeFirst();
    return post !== undefined || cover !== undefined;
  });

  /** Photos and videos of a post may be fetched by whoever may see the post; covers by friends. */
  media.setAccessCheck(async (accountId, mediaId) => {
    const links = await db.selectFrom('moment_media').select('post_id').where('media_id', '=', mediaId).limit(20).execute();
    for (const link of links) {
      const row = await store.post(link.post_id);
      if (row && (await canSee(accountId, row))) return true;
    }
    const covers = await db.selectFrom('moment_settings').select('account_id').where('cover_media_id', '=', mediaId).limit(20).execute();
    if (covers.length === 0) return false;
    const friends = await store.friendsAmong(
      accountId,
      covers.map((c) => c.account_id),
    );
    return friends.size > 0;
  });

  return { createPost, timeline, album, getPost, deletePost, like, unlike, comment, deleteComment, settings, updateSettings, notifications };
}

export type MomentsService = ReturnType<typeof createMomentsService>;
