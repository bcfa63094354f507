import type { Kysely } from 'kysely';
import { type ChannelFeed, type ChannelPostBody, type ShareChannelPostBody, socialLimits } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { fail } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import { type AccountsService, presentAccount } from '../accounts/index.js';
import type { ChatService } from '../chat/index.js';
import type { InboxService } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';
import type { MomentsService } from '../moments/index.js';
import { createChannelExperiments } from './experiments.js';
import { explainScore, popularityScore } from './ranking.js';
import { createChannelVerification } from './verification.js';
import type { ChannelCommentRow, ChannelPostRow, ChannelRow, ChannelsDatabase } from './store.js';

type PresentedMedia = ReturnType<MediaService['present']>;

function presentChannel(row: ChannelRow, followedByMe: boolean) {
  return {
    id: idString(row.id),
    ownerId: idString(row.owner_id),
    name: row.name,
    bio: row.bio,
    followerCount: row.follower_count,
    followedByMe,
    verified: row.verified_at !== null,
    verifiedAt: row.verified_at === null ? null : toIso(row.verified_at),
    createdAt: toIso(row.created_at),
  };
}

function decodeCursor(value: string | undefined): { at: number; id: number } | null {
  if (!value) return null;
  const match = /^([0-9]{1,15})_([0-9]{1,15})$/.exec(value);
  if (!match) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
  return { at: Number(match[1]), id: Number(match[2]) };
}

/**
 * Channels are public. Feeds are read on demand (pull), never copied per follower: a post is in
 * every follower's Following feed the moment it commits, whatever the follower count.
 */
export function createChannelsService(
  ctx: AppContext,
  deps: { accounts: AccountsService; media: MediaService; chat: ChatService; moments: MomentsService; inbox: InboxService; nowMs?: () => number },
) {
  const db = ctx.db as unknown as Kysely<ChannelsDatabase>;
  const { accounts, media, chat, moments } = deps;
  const now = deps.nowMs ?? Date.now;
  const verification = createChannelVerification(ctx, { accounts, media, inbox: deps.inbox, nowMs: now });
  const experiments = createChannelExperiments(ctx, { accounts, media, nowMs: now });

  async function channelOf(ownerId: number): Promise<ChannelRow | undefined> {
    return db.selectFrom('channels').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
  }

  async function loadChannel(channelId: number): Promise<ChannelRow> {
    const row = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
    if (!row) fail('CHANNELS_NOT_FOUND');
    return row;
  }

  async function isFollowing(accountId: number, channelId: number): Promise<boolean> {
    const row = await db
      .selectFrom('channel_follows')
      .select('channel_id')
      .where('account_id', '=', accountId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function openChannel(ownerId: number, input: { name: string; bio?: string }) {
    if (await channelOf(ownerId)) fail('CHANNELS_ALREADY_OPEN');
    const row = await db
      .insertInto('channels')
      .values({ owner_id: ownerId, name: input.name.trim(), bio: (input.bio ?? '').trim(), follower_count: 0, created_at: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return presentChannel(row, false);
  }

  async function getChannel(viewerId: number, channelId: number) {
    const row = await loadChannel(channelId);
    return presentChannel(row, await isFollowing(viewerId, channelId));
  }

  async function myChannel(ownerId: number) {
    const row = await channelOf(ownerId);
    return row ? presentChannel(row, false) : null;
  }

  async function follow(accountId: number, channelId: number) {
    const channel = await loadChannel(channelId);
    if (channel.owner_id === accountId) fail('CHANNELS_SELF_FOLLOW');
    await db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom('channel_follows')
        .select('channel_id')
        .where('account_id', '=', accountId)
        .where('channel_id', '=', channelId)
        .executeTakeFirst();
      if (exists) return;
      await trx.insertInto('channel_follows').values({ account_id: accountId, channel_id: channelId, created_at: now() }).execute();
      await trx
        .updateTable('channels')
        .set((eb) => ({ follower_count: eb('follower_count', '+', 1) }))
        .where('id', '=', channelId)
        .execute();
    });
  }

  async function unfollow(accountId: number, channelId: number) {
    await loadChannel(channelId);
    await db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('channel_follows').where('account_id', '=', accountId).where('channel_id', '=', channelId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return;
      await trx
        .updateTable('channels')
        .set((eb) => ({ follower_count: eb('follower_count', '-', 1) }))
        .where('id', '=', channelId)
        .execute();
    });
  }

  async function createPost(ownerId: number, body: ChannelPostBody) {
    const channel = await channelOf(ownerId);
    if (!channel) fail('CHANNELS_NO_CHANNEL');
    if ((body.photoMediaIds === undefined) === (body.videoMediaId === undefined)) fail('CHANNELS_INVALID_POST');
    const attached: PresentedMedia[] = [];
    let kind: ChannelPostRow['kind'] = 'photos';
    if (body.photoMediaIds) {
      const ids = body.photoMediaIds.map((id) => parseId(id, 'photoMediaIds'));
      if (new Set(ids).size !== ids.length) fail('CHANNELS_INVALID_POST', 'A photo appears twice.');
      for (const id of ids) {
        const row = await media.load(id);
        if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
        if (row.kind !== 'image') fail('CHANNELS_INVALID_POST', 'Photos must be image uploads.');
        attached.push(media.present(row));
      }
    } else {
      const row = await media.load(parseId(body.videoMediaId, 'videoMediaId'));
      if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
      if (row.kind !== 'video') fail('CHANNELS_INVALID_POST', 'The video must be a video upload.');
      if (row.duration_ms !== null && row.duration_ms > socialLimits.momentVideoDurationMaxMs)
        fail('CHANNELS_INVALID_POST', 'A video is at most 1 minute long.');
      attached.push(media.present(row));
      kind = 'video';
    }
    const saved = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('channel_posts')
        .values({
          channel_id: channel.id,
          kind,
          caption: (body.caption ?? '').trim(),
          media: JSON.stringify(attached),
          link: body.link ? JSON.stringify(body.link) : null,
          like_count: 0,
          comment_count: 0,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('channel_media')
        .values(attached.map((m) => ({ media_id: Number(m.id), post_id: row.id })))
        .execute();
      return row;
    });
    return (await presentPosts(ownerId, [saved], new Map()))[0];
  }

  async function loadPost(postId: number): Promise<ChannelPostRow> {
    const row = await db.selectFrom('channel_posts').selectAll().where('id', '=', postId).executeTakeFirst();
    if (!row) fail('CHANNELS_POST_NOT_FOUND');
    return row;
  }

  async function presentPosts(viewerId: number, rows: ChannelPostRow[], why: Map<number, string>) {
    const channelIds = [...new Set(rows.map((r) => r.channel_id))];
    const postIds = rows.map((r) => r.id);
    const channels = channelIds.length ? await db.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute() : [];
    const liked = postIds.length
      ? new Set(
          (await db.selectFrom('channel_likes').select('post_id').where('account_id', '=', viewerId).where('post_id', 'in', postIds).execute()).map(
            (r) => r.post_id,
          ),
        )
      : new Set<number>();
    const byId = new Map(channels.map((c) => [c.id, c]));
    const tested = await experiments.variantsForViewer(
      viewerId,
      rows.map((row) => ({ row, ownerId: byId.get(row.channel_id)?.owner_id ?? 0 })),
    );
    return rows.map((row) => {
      const channel = byId.get(row.channel_id);
      const shown = tested.get(row.id);
      const cover = shown ? shown.variant.cover_media : row.cover_media;
      return {
        id: idString(row.id),
        channel: channel ? { id: idString(channel.id), name: channel.name, verified: channel.verified_at !== null } : null,
        kind: row.kind,
        caption: shown ? shown.variant.caption : row.caption,
        media: JSON.parse(row.media) as PresentedMedia[],
        cover: cover ? (JSON.parse(cover) as PresentedMedia) : null,
        experiment: shown ? { id: idString(shown.experimentId), variantId: idString(shown.variant.id) } : null,
        ownedByMe: channel?.owner_id === viewerId,
        link: row.link ? JSON.parse(row.link) : null,
        likeCount: row.like_count,
        commentCount: row.comment_count,
        likedByMe: liked.has(row.id),
        createdAt: toIso(row.created_at),
        why: why.get(row.id) ?? null,
      };
    });
  }

  async function getPost(viewerId: number, postId: number) {
    return (await presentPosts(viewerId, [await loadPost(postId)], new Map()))[0];
  }

  async function deletePost(ownerId: number, postId: number) {
    const row = await loadPost(postId);
    const channel = await loadChannel(row.channel_id);
    if (channel.owner_id !== ownerId) fail('CHANNELS_FORBIDDEN');
    await db.transaction().execute(async (trx) => {
      await experiments.deleteForPost(trx, postId);
      await trx.deleteFrom('channel_likes').where('post_id', '=', postId).execute();
      await trx.deleteFrom('channel_comments').where('post_id', '=', postId).execute();
      await trx.deleteFrom('channel_media').where('post_id', '=', postId).execute();
      await trx.deleteFrom('channel_posts').where('id', '=', postId).execute();
    });
  }

  async function like(accountId: number, postId: number) {
    await loadPost(postId);
    await db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom('channel_likes')
        .select('post_id')
        .where('post_id', '=', postId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (exists) return;
      await trx.insertInto('channel_likes').values({ post_id: postId, account_id: accountId, created_at: now() }).execute();
      await trx
        .updateTable('channel_posts')
        .set((eb) => ({ like_count: eb('like_count', '+', 1) }))
        .where('id', '=', postId)
        .execute();
    });
  }

  async function unlike(accountId: number, postId: number) {
    await loadPost(postId);
    await db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('channel_likes').where('post_id', '=', postId).where('account_id', '=', accountId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return;
      await trx
        .updateTable('channel_posts')
        .set((eb) => ({ like_count: eb('like_count', '-', 1) }))
        .where('id', '=', postId)
        .execute();
    });
  }

  async function presentComments(rows: ChannelCommentRow[]) {
    const people = await accounts.getAccounts(rows.map((r) => r.author_id));
    return rows.map((r) => {
      const author = people.get(r.author_id);
      return { id: idString(r.id), postId: idString(r.post_id), author: author ? presentAccount(author) : null, text: r.text, createdAt: toIso(r.created_at) };
    });
  }

  async function comment(accountId: number, postId: number, text: string) {
    await loadPost(postId);
    const saved = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('channel_comments')
        .values({ post_id: postId, author_id: accountId, text: text.trim(), created_at: now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('channel_posts')
        .set((eb) => ({ comment_count: eb('comment_count', '+', 1) }))
        .where('id', '=', postId)
        .execute();
      return row;
    });
    return (await presentComments([saved]))[0];
  }

  async function listComments(postId: number, afterId: number, limit: number) {
    await loadPost(postId);
    const rows = await db
      .selectFrom('channel_comments')
      .selectAll()
      .where('post_id', '=', postId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(Math.min(limit, socialLimits.channelFeedPageMax))
      .execute();
    return { comments: await presentComments(rows), nextCursor: rows.length === limit ? idString(rows[rows.length - 1]?.id ?? 0) : null };
  }

  /** The comment's author or the channel owner may delete it. */
  async function deleteComment(accountId: number, postId: number, commentId: number) {
    const post = await loadPost(postId);
    const row = await db.selectFrom('channel_comments').selectAll().where('id', '=', commentId).where('post_id', '=', postId).executeTakeFirst();
    if (!row) fail('CHANNELS_POST_NOT_FOUND', 'No such comment.');
    const channel = await loadChannel(post.channel_id);
    if (row.author_id !== accountId && channel.owner_id !== accountId) fail('CHANNELS_FORBIDDEN');
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('channel_comments').where('id', '=', commentId).execute();
      await trx
        .updateTable('channel_posts')
        .set((eb) => ({ comment_count: eb('comment_count', '-', 1) }))
        .where('id', '=', postId)
        .execute();
    });
  }

  async function following(viewerId: number, cursorText: string | undefined, limit: number) {
    const cursor = decodeCursor(cursorText);
    const followed = await db
      .selectFrom('channel_follows')
      .select('channel_id')
      .where('account_id', '=', viewerId)
      .limit(socialLimits.channelFollowsScanMax)
      .execute();
    if (followed.length === 0) return { posts: [], nextCursor: null };
    let query = db
      .selectFrom('channel_posts')
      .selectAll()
      .where(
        'channel_id',
        'in',
        followed.map((f) => f.channel_id),
      );
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const channels = new Map(
      (
        await db
          .selectFrom('channels')
          .select(['id', 'name'])
          .where('id', 'in', [...new Set(rows.map((r) => r.channel_id))].concat([0]))
          .execute()
      ).map((c) => [c.id, c.name]),
    );
    const why = new Map(rows.map((r) => [r.id, `You follow ${channels.get(r.channel_id) ?? 'this channel'}`]));
    const last = rows[rows.length - 1];
    return { posts: await presentPosts(viewerId, rows, why), nextCursor: rows.length === limit && last ? `${last.created_at}_${last.id}` : null };
  }

  /** Posts my mutual friends liked, most recently liked first; each says which friends. */
  async function friendsLiked(viewerId: number, cursorText: string | undefined, limit: number) {
    const cursor = decodeCursor(cursorText);
    let query = db
      .selectFrom('channel_likes as l')
      .innerJoin('contacts as mine', (join) => join.onRef('mine.peer_id', '=', 'l.account_id').on('mine.owner_id', '=', viewerId))
      .innerJoin('contacts as theirs', (join) => join.onRef('theirs.owner_id', '=', 'l.account_id').on('theirs.peer_id', '=', viewerId))
      .select((eb) => ['l.post_id', eb.fn.max('l.created_at').as('liked_at')])
      .groupBy('l.post_id');
    if (cursor)
      query = query.having((eb) =>
        eb.or([eb(eb.fn.max('l.created_at'), '<', cursor.at), eb.and([eb(eb.fn.max('l.created_at'), '=', cursor.at), eb('l.post_id', '<', cursor.id)])]),
      );
    const picked = await query.orderBy('liked_at', 'desc').orderBy('l.post_id', 'desc').limit(limit).execute();
    if (picked.length === 0) return { posts: [], nextCursor: null };
    const postIds = picked.map((p) => p.post_id);
    const rows = await db.selectFrom('channel_posts').selectAll().where('id', 'in', postIds).execute();
    const likers = await db
      .selectFrom('channel_likes as l')
      .innerJoin('contacts as mine', (join) => join.onRef('mine.peer_id', '=', 'l.account_id').on('mine.owner_id', '=', viewerId))
      .innerJoin('contacts as theirs', (join) => join.onRef('theirs.owner_id', '=', 'l.account_id').on('theirs.peer_id', '=', viewerId))
      .select(['l.post_id', 'l.account_id', 'mine.remark'])
      .where('l.post_id', 'in', postIds)
      .orderBy('l.created_at', 'desc')
      .execute();
    const people = await accounts.getAccounts(likers.map((l) => l.account_id));
    const names = new Map<number, string[]>();
    for (const l of likers) names.set(l.post_id, [...(names.get(l.post_id) ?? []), l.remark || people.get(l.account_id)?.display_name || 'a friend']);
    const why = new Map(
      postIds.map((id) => [
        id,
        `Liked by your friends ${(names.get(id) ?? []).slice(0, 3).join(', ')}${(names.get(id)?.length ?? 0) > 3 ? ' and others' : ''}`,
      ]),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ordered = postIds.map((id) => byId.get(id)).filter((r): r is ChannelPostRow => r !== undefined);
    const last = picked[picked.length - 1];
    return {
      posts: await presentPosts(viewerId, ordered, why),
      nextCursor: picked.length === limit && last ? `${Number(last.liked_at)}_${last.post_id}` : null,
    };
  }

  /** Recent posts ranked by an open formula; the cursor is the rank to continue after. */
  async function recommended(viewerId: number, cursorText: string | undefined, limit: number) {
    const offset = cursorText ? Number(/^r([0-9]{1,6})$/.exec(cursorText)?.[1] ?? Number.NaN) : 0;
    if (!Number.isSafeInteger(offset)) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
    const nowMs = now();
    const candidates = await db
      .selectFrom('channel_posts')
      .selectAll()
      .where('created_at', '>=', nowMs - socialLimits.channelRecommendWindowMs)
      .orderBy('created_at', 'desc')
      .limit(socialLimits.channelRecommendCandidatesMax)
      .execute();
    const scored = candidates
      .map((row) => ({ row, score: popularityScore({ likeCount: row.like_count, commentCount: row.comment_count, createdAt: row.created_at }, nowMs) }))
      .sort((a, b) => b.score - a.score || b.row.id - a.row.id);
    const page = scored.slice(offset, offset + limit).map((s) => s.row);
    const why = new Map(page.map((r) => [r.id, explainScore({ likeCount: r.like_count, commentCount: r.comment_count, createdAt: r.created_at }, nowMs)]));
    return { posts: await presentPosts(viewerId, page, why), nextCursor: offset + limit < scored.length ? `r${offset + limit}` : null };
  }

  async function feed(viewerId: number, kind: ChannelFeed, cursor: string | undefined, limitWanted: number | undefined) {
    const limit = Math.min(Math.max(limitWanted ?? 10, 1), socialLimits.channelFeedPageMax);
    if (kind === 'following') return following(viewerId, cursor, limit);
    if (kind === 'friends-liked') return friendsLiked(viewerId, cursor, limit);
    return recommended(viewerId, cursor, limit);
  }

  async function channelPosts(viewerId: number, channelId: number, cursorText: string | undefined, limitWanted: number | undefined) {
    await loadChannel(channelId);
    const limit = Math.min(Math.max(limitWanted ?? 10, 1), socialLimits.channelFeedPageMax);
    const cursor = decodeCursor(cursorText);
    let query = db.selectFrom('channel_posts').selectAll().where('channel_id', '=', channelId);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const last = rows[rows.length - 1];
    return { posts: await presentPosts(viewerId, rows, new Map()), nextCursor: rows.length === limit && last ? `${last.created_at}_${last.id}` : null };
  }

  /**
   * What a shared post carries with it: enough to draw a card without another read, and the
   * in-app path of the post. The cover stays readable to whoever sees the card, as channel media
   * is public.
   */
  function shareCard(post: NonNullable<Awaited<ReturnType<typeof getPost>>>) {
    const first = post.media[0];
    return {
      channelPostId: post.id,
      channelId: post.channel?.id ?? null,
      channelName: post.channel?.name ?? '',
      caption: post.caption,
      kind: post.kind,
      coverUrl: first ? (first.thumbUrl ?? (post.kind === 'photos' ? first.url : null)) : null,
      path: `/discover/channels/posts/${post.id}`,
    };
  }

  async function share(accountId: number, postId: number, body: ShareChannelPostBody) {
    const post = await getPost(accountId, postId);
    if (!post) fail('CHANNELS_POST_NOT_FOUND');
    const card = shareCard(post);
    if (body.to === 'chat') {
      const message = await chat.postCard(accountId, parseId(body.conversationId, 'conversationId'), {
        type: 'channel_post',
        clientMsgId: body.clientMsgId,
        content: card,
      });
      return { message };
    }
    const moment = await moments.createPost(accountId, {
      text: body.text,
      visibility: body.visibility,
      audience: body.audience,
      link: {
        url: card.path,
        title: card.channelName,
        description: card.caption.slice(0, 500),
        ...(card.coverUrl ? { imageUrl: card.coverUrl } : {}),
        channelPostId: card.channelPostId,
      },
    });
    return { moment };
  }

  media.addReferenceCheck(async (mediaId) => {
    const row = await db.selectFrom('channel_media').select('post_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    return row !== undefined;
  });

  /** Channel posts are public: any member may fetch their media. */
  media.setAccessCheck(async (_accountId, mediaId) => {
    const row = await db.selectFrom('channel_media').select('post_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    return row !== undefined;
  });

  return {
    openChannel,
    getChannel,
    myChannel,
    follow,
    unfollow,
    createPost,
    getPost,
    deletePost,
    like,
    unlike,
    comment,
    listComments,
    deleteComment,
    feed,
    channelPosts,
    share,
    verification,
    experiments,
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;
