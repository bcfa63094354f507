import { sql } from 'kysely';
import type {
  AutoReplyBody,
  CreateOfficialAccountBody,
  MenuButton,
  PublishArticleBody,
  RefundPurchaseBody,
  ReviewOfficialAccountBody,
  TipArticleBody,
  UpdateOfficialAccountBody,
} from '@plaza/protocol';
import { officialLimits } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { AppError, fail, invariant } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import { type AccountsService, isUniqueViolation, presentAccount } from '../accounts/index.js';
import type { InboxService, NewInboxEvent } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';
import { type LedgerPort, type LedgerResult, type MoneyResponse, OPERATOR_OWNER_ID, type TransferRow, type WalletTrx } from '../wallet/index.js';
import { mediaIdsIn, sanitizeArticleHtml, textOf } from './html.js';
import { loadOfficialSettings, type OfficialSettings, operatorFee } from './settings.js';
import type { ArticleRow, OfficialAccountRow, OfficialDatabase, OfficialDb, OfficialMessageRow, OfficialTrx, PurchaseRow } from './store.js';

const DAY_MS = 24 * 3600 * 1000;
const ASSET = 'CNY';

type PresentedMedia = ReturnType<MediaService['present']>;

function pageLimit(limit: number | undefined): number {
  return Math.min(limit ?? officialLimits.pageDefault, officialLimits.pageMax);
}

function idCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  if (!/^[0-9]{1,15}$/.test(cursor)) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
  return Number(cursor);
}

function pairCursor(cursor: string | undefined): { at: number; id: number } | null {
  if (!cursor) return null;
  const match = /^([0-9]{1,15})_([0-9]{1,15})$/.exec(cursor);
  if (!match) fail('VALIDATION_FAILED', 'cursor is not one this server gave out');
  return { at: Number(match[1]), id: Number(match[2]) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function presentOfficialMessage(row: OfficialMessageRow) {
  return {
    id: idString(row.id),
    officialAccountId: idString(row.official_id),
    memberId: idString(row.member_id),
    direction: row.direction,
    auto: row.auto === 1,
    senderId: row.sender_id === null ? null : idString(row.sender_id),
    text: row.text,
    createdAt: toIso(row.created_at),
  };
}

function presentPurchase(row: PurchaseRow) {
  return {
    articleId: idString(row.article_id),
    accountId: idString(row.account_id),
    asset: ASSET,
    priceMinor: String(row.price_minor),
    feeMinor: String(row.fee_minor),
    status: row.status,
    createdAt: toIso(row.created_at),
    refundedAt: row.refunded_at === null ? null : toIso(row.refunded_at),
  };
}

/**
 * Official Accounts: publishers verified by an operator, followed by members, broadcasting
 * articles within per-type limits. Paid articles and tips move money only through the wallet's
 * ledger port; the purchase and tip rows commit in the same transaction as the money.
 */
export function createOfficialService(ctx: AppContext, deps: { accounts: AccountsService; inbox: InboxService; media: MediaService; ledger: LedgerPort }) {
  const db = ctx.db as unknown as OfficialDb;
  const { accounts, inbox, media, ledger } = deps;
  const settings: OfficialSettings = loadOfficialSettings(process.env);
  let clock = () => Date.now();
  const asInboxTrx = (trx: OfficialTrx) => trx as unknown as Parameters<InboxService['appendEvents']>[0];

  // Accounts ---------------------------------------------------------------------------------------
  async function loadAccount(officialId: number): Promise<OfficialAccountRow> {
    const row = await db.selectFrom('official_accounts').selectAll().where('id', '=', officialId).executeTakeFirst();
    if (!row) fail('OFFICIAL_NOT_FOUND');
    return row;
  }

  async function adminIds(row: OfficialAccountRow): Promise<number[]> {
    const rows = await db.selectFrom('official_admins').select('account_id').where('official_id', '=', row.id).limit(officialLimits.adminsMax).execute();
    return [row.owner_id, ...rows.map((r) => r.account_id).filter((id) => id !== row.owner_id)];
  }

  async function isAdmin(row: OfficialAccountRow, accountId: number): Promise<boolean> {
    if (row.owner_id === accountId) return true;
    const admin = await db
      .selectFrom('official_admins')
      .select('account_id')
      .where('official_id', '=', row.id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return admin !== undefined;
  }

  async function requireAdmin(officialId: number, accountId: number): Promise<OfficialAccountRow> {
    const row = await loadAccount(officialId);
    if (!(await isAdmin(row, accountId))) fail('OFFICIAL_NOT_ADMIN');
    return row;
  }

  /** Members see verified accounts only; admins and operators also see their pending ones. */
  async function requireVisible(officialId: number, viewerId: number): Promise<OfficialAccountRow> {
    const row = await loadAccount(officialId);
    if (row.status !== 'verified' && !(await isAdmin(row, viewerId))) fail('OFFICIAL_NOT_FOUND');
    return row;
  }

  async function followedSet(viewerId: number, officialIds: number[]): Promise<Set<number>> {
    if (officialIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('official_follows')
      .select('official_id')
      .where('account_id', '=', viewerId)
      .where('official_id', 'in', officialIds)
      .execute();
    return new Set(rows.map((r) => r.official_id));
  }

  function presentAccountRow(row: OfficialAccountRow, viewer: { followed: boolean; admin: boolean }) {
    return {
      id: idString(row.id),
      type: row.type,
      name: row.name,
      description: row.description,
      avatar: row.avatar ? (JSON.parse(row.avatar) as PresentedMedia) : null,
      status: row.status,
      verified: row.status === 'verified',
      reviewNote: viewer.admin ? row.review_note : '',
      ownerId: idString(row.owner_id),
      menu: JSON.parse(row.menu) as MenuButton[],
      followerCount: row.follower_count,
      followedByMe: viewer.followed,
      isAdmin: viewer.admin,
      lastArticleAt: row.last_article_at > 0 ? toIso(row.last_article_at) : null,
      createdAt: toIso(row.created_at),
    };
  }

  async function presentAccounts(viewerId: number, rows: OfficialAccountRow[]) {
    const followed = await followedSet(
      viewerId,
      rows.map((r) => r.id),
    );
    const adminRows = rows.length
      ? await db
          .selectFrom('official_admins')
          .select('official_id')
          .where('account_id', '=', viewerId)
          .where(
            'official_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    const admin = new Set(adminRows.map((r) => r.official_id));
    return rows.map((row) => presentAccountRow(row, { followed: followed.has(row.id), admin: row.owner_id === viewerId || admin.has(row.id) }));
  }

  async function ownImage(ownerId: number, mediaId: number) {
    const row = await media.load(mediaId);
    if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
    if (row.kind !== 'image' && row.kind !== 'avatar') fail('OFFICIAL_INVALID_ARTICLE', 'This needs an image upload.');
    return row;
  }

  /** Avatars and covers are shown to every member, like profile avatars. */
  async function publicImage(ownerId: number, mediaId: number): Promise<PresentedMedia> {
    const row = await ownImage(ownerId, mediaId);
    await media.makePublic(mediaId);
    return media.present(row);
  }

  async function register(ownerId: number, input: CreateOfficialAccountBody) {
    const name = input.name.trim();
    if (!name) fail('VALIDATION_FAILED', 'name must not be blank');
    const owned = await db
      .selectFrom('official_accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', ownerId)
      .executeTakeFirstOrThrow();
    if (Number(owned.n) >= officialLimits.accountsPerMemberMax) fail('OFFICIAL_TOO_MANY');
    const avatarId = input.avatarMediaId === undefined ? null : parseId(input.avatarMediaId, 'avatarMediaId');
    const avatar = avatarId === null ? null : await publicImage(ownerId, avatarId);
    try {
      const row = await db
        .insertInto('official_accounts')
        .values({
          owner_id: ownerId,
          type: input.type,
          name,
          name_lower: name.toLowerCase(),
          description: (input.description ?? '').trim(),
          avatar_media_id: avatarId,
          avatar: avatar ? JSON.stringify(avatar) : null,
          status: 'pending',
          review_note: '',
          reviewed_by: null,
          menu: '[]',
          follower_count: 0,
          broadcast_period: '',
          broadcast_count: 0,
          last_article_at: 0,
          created_at: clock(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return presentAccountRow(row, { followed: false, admin: true });
    } catch (error) {
      if (isUniqueViolation(error)) fail('OFFICIAL_NAME_TAKEN');
      throw error;
    }
  }

  function validateMenu(menu: MenuButton[]): MenuButton[] {
    return menu.map((b) => {
      if (b.action === 'reply' && !b.reply) fail('OFFICIAL_INVALID_MENU');
      if (b.action === 'link' && !b.url) fail('OFFICIAL_INVALID_MENU');
      return b.action === 'reply' ? { label: b.label, action: b.action, reply: b.reply } : { label: b.label, action: b.action, url: b.url };
    });
  }

  async function update(actorId: number, officialId: number, input: UpdateOfficialAccountBody) {
    await requireAdmin(officialId, actorId);
    const changes: Partial<OfficialAccountRow> = {};
    if (input.description !== undefined) changes.description = input.description.trim();
    if (input.menu !== undefined) changes.menu = JSON.stringify(validateMenu(input.menu));
    if (input.avatarMediaId === null) {
      changes.avatar_media_id = null;
      changes.avatar = null;
    } else if (input.avatarMediaId !== undefined) {
      const id = parseId(input.avatarMediaId, 'avatarMediaId');
      changes.avatar_media_id = id;
      changes.avatar = JSON.stringify(await publicImage(actorId, id));
    }
    if (Object.keys(changes).length > 0) await db.updateTable('official_accounts').set(changes).where('id', '=', officialId).execute();
    return presentAccountRow(await loadAccount(officialId), { followed: false, admin: true });
  }

  async function get(viewerId: number, officialId: number) {
    const row = await requireVisible(officialId, viewerId);
    return (await presentAccounts(viewerId, [row]))[0];
  }

  async function mine(viewerId: number, cursor: string | undefined, limit?: number) {
    const take = pageLimit(limit);
    const after = idCursor(cursor);
    const adminOf = db.selectFrom('official_admins').select('official_id').where('account_id', '=', viewerId);
    let q = db
      .selectFrom('official_accounts')
      .selectAll()
      .where((eb) => eb.or([eb('owner_id', '=', viewerId), eb('id', 'in', adminOf)]));
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(take).execute();
    return {
      accounts: await presentAccounts(viewerId, rows),
      nextCursor: rows.length === take ? idString((rows[rows.length - 1] as OfficialAccountRow).id) : null,
    };
  }

  async function search(viewerId: number, text: string | undefined, cursor: string | undefined, limit?: number) {
    const take = pageLimit(limit);
    const after = idCursor(cursor);
    let q = db.selectFrom('official_accounts').selectAll().where('status', '=', 'verified');
    const needle = (text ?? '').trim().toLowerCase();
    if (needle) q = q.where(sql<boolean>`name_lower LIKE ${`%${escapeLike(needle)}%`} ESCAPE '\\'`);
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(take).execute();
    return {
      accounts: await presentAccounts(viewerId, rows),
      nextCursor: rows.length === take ? idString((rows[rows.length - 1] as OfficialAccountRow).id) : null,
    };
  }

  async function follow(accountId: number, officialId: number) {
    const row = await loadAccount(officialId);
    if (row.status !== 'verified') fail('OFFICIAL_NOT_VERIFIED');
    await db.transaction().execute(async (trx) => {
      const now = clock();
      // A second follow (also a concurrent one) changes nothing.
      const inserted = await trx
        .insertInto('official_follows')
        .values({ official_id: officialId, account_id: accountId, created_at: now })
        .onConflict((oc) => oc.columns(['official_id', 'account_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      await trx.insertInto('official_follow_log').values({ official_id: officialId, account_id: accountId, delta: 1, created_at: now }).execute();
      await trx
        .updateTable('official_accounts')
        .set((eb) => ({ follower_count: eb('follower_count', '+', 1) }))
        .where('id', '=', officialId)
        .execute();
    });
  }

  async function unfollow(accountId: number, officialId: number) {
    await loadAccount(officialId);
    await db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('official_follows').where('official_id', '=', officialId).where('account_id', '=', accountId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return;
      await trx.insertInto('official_follow_log').values({ official_id: officialId, account_id: accountId, delta: -1, created_at: clock() }).execute();
      await trx
        .updateTable('official_accounts')
        .set((eb) => ({ follower_count: eb('follower_count', '-', 1) }))
        .where('id', '=', officialId)
        .execute();
    });
  }

  async function isFollowing(accountId: number, officialId: number): Promise<boolean> {
    const row = await db
      .selectFrom('official_follows')
      .select('official_id')
      .where('official_id', '=', officialId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The Official Accounts folder: followed accounts, the one with the newest article first, each with that article. */
  async function following(viewerId: number, cursor: string | undefined, limit?: number) {
    const take = pageLimit(limit);
    const after = pairCursor(cursor);
    let q = db
      .selectFrom('official_follows as f')
      .innerJoin('official_accounts as a', 'a.id', 'f.official_id')
      .selectAll('a')
      .where('f.account_id', '=', viewerId);
    if (after)
      q = q.where((eb) => eb.or([eb('a.last_article_at', '<', after.at), eb.and([eb('a.last_article_at', '=', after.at), eb('a.id', '<', after.id)])]));
    const rows = await q.orderBy('a.last_article_at', 'desc').orderBy('a.id', 'desc').limit(take).execute();
    const presented = await presentAccounts(viewerId, rows);
    const latest = new Map<number, ArticleRow>();
    for (const row of rows) {
      if (row.last_article_at === 0) continue;
      const article = await db.selectFrom('official_articles').selectAll().where('official_id', '=', row.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (article) latest.set(row.id, article);
    }
    const unlocked = await unlockedSet(
      viewerId,
      [...latest.values()].map((a) => a.id),
    );
    const last = rows[rows.length - 1];
    return {
      accounts: rows.map((row, i) => {
        const article = latest.get(row.id);
        return { ...presented[i], latestArticle: article ? presentArticleSummary(row, article, unlocked.has(article.id)) : null };
      }),
      nextCursor: rows.length === take && last ? `${last.last_article_at}_${last.id}` : null,
    };
  }

  // Operator review -----------------------------------------------------------------------------
  async function reviewQueue(status: OfficialAccountRow['status'] | undefined, cursor: string | undefined, limit?: number) {
    const take = pageLimit(limit);
    const after = idCursor(cursor);
    let q = db
      .selectFrom('official_accounts')
      .selectAll()
      .where('status', '=', status ?? 'pending');
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(take).execute();
    const owners = await accounts.getAccounts(rows.map((r) => r.owner_id));
    return {
      accounts: rows.map((row) => {
        const owner = owners.get(row.owner_id);
        return { ...presentAccountRow(row, { followed: false, admin: true }), owner: owner ? presentAccount(owner) : null };
      }),
      nextCursor: rows.length === take ? idString((rows[rows.length - 1] as OfficialAccountRow).id) : null,
    };
  }

  async function review(operatorId: number, officialId: number, input: ReviewOfficialAccountBody) {
    await loadAccount(officialId);
    const status = input.decision === 'verify' ? 'verified' : 'rejected';
    const updated = await db
      .updateTable('official_accounts')
      .set({ status, review_note: (input.note ?? '').trim(), reviewed_by: operatorId })
      .where('id', '=', officialId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) fail('OFFICIAL_ALREADY_REVIEWED');
    return presentAccountRow(await loadAccount(officialId), { followed: false, admin: true });
  }

  // Admins --------------------------------------------------------------------------------------
  async function listAdmins(actorId: number, officialId: number) {
    const row = await requireAdmin(officialId, actorId);
    const ids = await adminIds(row);
    const people = await accounts.getAccounts(ids);
    return ids.flatMap((id) => {
      const person = people.get(id);
      return person ? [{ ...presentAccount(person), owner: id === row.owner_id }] : [];
    });
  }

  async function addAdmin(actorId: number, officialId: number, handle: string) {
    const row = await loadAccount(officialId);
    if (row.owner_id !== actorId) fail('OFFICIAL_NOT_ADMIN', 'Only the owner may appoint admins.');
    const person = await accounts.findByHandle(handle.trim());
    if (!person) fail('ACCOUNTS_NOT_FOUND');
    if ((await adminIds(row)).length >= officialLimits.adminsMax) fail('OFFICIAL_TOO_MANY', 'This account has as many admins as allowed.');
    await db
      .insertInto('official_admins')
      .values({ official_id: officialId, account_id: person.id, created_at: clock() })
      .onConflict((oc) => oc.columns(['official_id', 'account_id']).doNothing())
      .execute();
    return listAdmins(actorId, officialId);
  }

  async function removeAdmin(actorId: number, officialId: number, accountId: number) {
    const row = await loadAccount(officialId);
    if (row.owner_id !== actorId) fail('OFFICIAL_NOT_ADMIN', 'Only the owner may remove admins.');
    await db.deleteFrom('official_admins').where('official_id', '=', officialId).where('account_id', '=', accountId).execute();
  }

  // Broadcast notifications -------------------------------------------------------------------
  // The article is in every follower's folder the moment it commits (the folder is read on
  // demand). The inbox pointer that makes it arrive live is written after that commit, a chunk of
  // followers per transaction, so a broadcast to 100,000 followers never holds 100,000 inbox
  // heads locked at once (their chats would wait behind it). Each chunk moves the article's
  // `fanout_after` mark in its own transaction, guarded by the mark it started from: a fan-out cut
  // short by a crash resumes at start-up (resumeBroadcasts) from the last committed chunk, and two
  // nodes resuming the same article cannot both write a chunk.
  const fanOuts = new Set<Promise<void>>();
  let stopping = false;
  function track(work: Promise<void>) {
    const running = work.catch((error) => ctx.log.error({ err: error }, 'official broadcast fan-out failed'));
    fanOuts.add(running);
    void running.finally(() => fanOuts.delete(running));
  }

  class FanOutTaken extends Error {}

  async function notifyFollowers(article: { id: number; official_id: number; fanout_after: number }, payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ type: 'official.broadcast', ...payload });
    const chunkSize = settings.fanOutChunkFollowers;
    let after = article.fanout_after;
    for (let chunk = 0; chunk < officialLimits.fanOutChunksMax && !stopping; chunk += 1) {
      const followers = await db
        .selectFrom('official_follows')
        .select('account_id')
        .where('official_id', '=', article.official_id)
        .where('account_id', '>', after)
        .orderBy('account_id')
        .limit(chunkSize)
        .execute();
      const last = followers.length ? (followers[followers.length - 1] as { account_id: number }).account_id : after;
      const done = followers.length < chunkSize;
      const from = after;
      try {
        const deliveries = await db.transaction().execute(async (trx) => {
          const moved = await trx
            .updateTable('official_articles')
            .set({ fanout_after: last, fanout_done: done ? 1 : 0 })
            .where('id', '=', article.id)
            .where('fanout_after', '=', from)
            .where('fanout_done', '=', 0)
            .executeTakeFirst();
          if (Number(moved.numUpdatedRows) !== 1) throw new FanOutTaken();
          if (followers.length === 0) return [];
          const events: NewInboxEvent[] = followers.map((f) => ({ accountId: f.account_id, type: 'official.broadcast', payload }));
          return inbox.appendEvents(
            asInboxTrx(trx),
            events,
            events.map(() => body),
          );
        });
        inbox.publish(deliveries);
      } catch (error) {
        if (error instanceof FanOutTaken) return; // another node (or run) wrote this chunk
        throw error;
      }
      after = last;
      if (done) return;
    }
    if (!stopping) ctx.log.warn({ articleId: article.id }, 'official broadcast fan-out stopped at its chunk limit');
  }

  function broadcastPayload(account: { id: number; name: string }, article: ArticleRow): Record<string, unknown> {
    return {
      officialAccountId: idString(account.id),
      officialAccountName: account.name,
      articleId: idString(article.id),
      title: article.title,
      paid: article.price_minor > 0,
      createdAt: toIso(article.created_at),
    };
  }

  /** Finishes the fan-out of every broadcast whose notifications were cut short (start-up). */
  async function resumeBroadcasts(): Promise<number> {
    const pending = await db
      .selectFrom('official_articles')
      .innerJoin('official_accounts', 'official_accounts.id', 'official_articles.official_id')
      .selectAll('official_articles')
      .select(['official_accounts.name as account_name'])
      .where('official_articles.fanout_done', '=', 0)
      .orderBy('official_articles.id')
      .limit(1000)
      .execute();
    for (const row of pending) track(notifyFollowers(row, broadcastPayload({ id: row.official_id, name: row.account_name }, row)));
    return pending.length;
  }

  /** Resolves when every broadcast's notifications have been written (tests, shutdown). */
  async function broadcastsDelivered(): Promise<void> {
    while (fanOuts.size > 0) await Promise.all([...fanOuts]);
  }

  // Articles and broadcasts ---------------------------------------------------------------------
  function broadcastPeriod(row: OfficialAccountRow, now: number): { period: string; limit: number } {
    const iso = new Date(now).toISOString();
    return row.type === 'subscription'
      ? { period: iso.slice(0, 10), limit: settings.subscriptionBroadcastsPerDay }
      : { period: iso.slice(0, 7), limit: settings.serviceBroadcastsPerMonth };
  }

  function parsePrice(value: string | number | undefined): number {
    if (value === undefined) return 0;
    const price = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(price)) fail('OFFICIAL_INVALID_PRICE');
    if (price === 0) return 0;
    if (price < settings.priceMinMinor || price > settings.priceMaxMinor)
      fail('OFFICIAL_INVALID_PRICE', `A paid article costs ${settings.priceMinMinor / 100}–${settings.priceMaxMinor / 100} CNY.`);
    return price;
  }

  async function unlockedSet(viewerId: number, articleIds: number[]): Promise<Set<number>> {
    if (articleIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('official_purchases')
      .select('article_id')
      .where('account_id', '=', viewerId)
      .where('status', '=', 'paid')
      .where('article_id', 'in', articleIds)
      .execute();
    return new Set(rows.map((r) => r.article_id));
  }

  function presentArticleSummary(account: OfficialAccountRow, row: ArticleRow, unlocked: boolean) {
    return {
      id: idString(row.id),
      officialAccount: { id: idString(account.id), name: account.name, avatar: account.avatar ? (JSON.parse(account.avatar) as PresentedMedia) : null },
      title: row.title,
      summary: row.summary,
      cover: row.cover ? (JSON.parse(row.cover) as PresentedMedia) : null,
      asset: row.asset,
      priceMinor: String(row.price_minor),
      paid: row.price_minor > 0,
      unlocked: row.price_minor === 0 || unlocked,
      readCount: row.read_count,
      shareCount: row.share_count,
      commentCount: row.comment_count,
      createdAt: toIso(row.created_at),
    };
  }

  async function publish(authorId: number, officialId: number, input: PublishArticleBody) {
    const account = await requireAdmin(officialId, authorId);
    if (account.status !== 'verified') fail('OFFICIAL_NOT_VERIFIED');
    const title = input.title.trim();
    const bodyHtml = sanitizeArticleHtml(input.bodyHtml);
    if (!title || (!textOf(bodyHtml) && !bodyHtml.includes('<img'))) fail('OFFICIAL_INVALID_ARTICLE', 'An article needs a title and a body.');
    const price = parsePrice(input.priceMinor);
    const previewHtml = price > 0 ? sanitizeArticleHtml(input.previewHtml ?? '') : '';
    // Images in the text stay private media: readable through the article (see the access check below).
    const previewMedia = new Set(mediaIdsIn(previewHtml));
    const bodyMedia = mediaIdsIn(bodyHtml).filter((id) => !previewMedia.has(id));
    for (const mediaId of [...previewMedia, ...bodyMedia]) await ownImage(authorId, mediaId);
    const coverId = input.coverMediaId === undefined ? null : parseId(input.coverMediaId, 'coverMediaId');
    const cover = coverId === null ? null : await publicImage(authorId, coverId);
    const summary = (input.summary ?? '').trim() || textOf(price > 0 ? previewHtml : bodyHtml).slice(0, 120);
    const now = clock();
    const { period, limit } = broadcastPeriod(account, now);
    const article = await db.transaction().execute(async (trx) => {
      // Checks and counts the broadcast in one statement, so two publishes cannot both take the last one.
      const counted = await trx
        .updateTable('official_accounts')
        .set({
          broadcast_period: period,
          broadcast_count: sql`CASE WHEN broadcast_period = ${period} THEN broadcast_count + 1 ELSE 1 END`,
          last_article_at: now,
        })
        .where('id', '=', officialId)
        .where((eb) => eb.or([eb('broadcast_period', '<>', period), eb('broadcast_count', '<', limit)]))
        .where(sql<boolean>`${limit} > 0`)
        .executeTakeFirst();
      if (Number(counted.numUpdatedRows) !== 1) {
        const per = account.type === 'subscription' ? 'day' : 'month';
        throw new AppError('OFFICIAL_BROADCAST_LIMIT', `A ${account.type} account may broadcast ${limit} time(s) per ${per}.`, { limit, per });
      }
      const saved = await trx
        .insertInto('official_articles')
        .values({
          official_id: officialId,
          author_id: authorId,
          title,
          summary,
          body_html: bodyHtml,
          preview_html: previewHtml,
          cover_media_id: coverId,
          cover: cover ? JSON.stringify(cover) : null,
          price_minor: price,
          asset: ASSET,
          read_count: 0,
          share_count: 0,
          comment_count: 0,
          created_at: now,
          fanout_done: 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const attached = [...[...previewMedia].map((id) => ({ media_id: id, in_preview: 1 })), ...bodyMedia.map((id) => ({ media_id: id, in_preview: 0 }))];
      if (attached.length > 0)
        await trx
          .insertInto('official_article_media')
          .values(attached.map((m) => ({ ...m, article_id: saved.id })))
          .execute();
      return saved;
    });
    track(notifyFollowers(article, broadcastPayload(account, article)));
    const fresh = await loadAccount(officialId);
    return presentArticleSummary(fresh, article, true);
  }

  async function listArticles(viewerId: number, officialId: number, cursor: string | undefined, limit?: number) {
    const account = await requireVisible(officialId, viewerId);
    const take = pageLimit(limit);
    const after = idCursor(cursor);
    let q = db.selectFrom('official_articles').selectAll().where('official_id', '=', officialId);
    if (after !== null) q = q.where('id', '<', after);
    const rows = await q.orderBy('id', 'desc').limit(take).execute();
    const unlocked = await unlockedSet(
      viewerId,
      rows.map((r) => r.id),
    );
    return {
      articles: rows.map((r) => presentArticleSummary(account, r, unlocked.has(r.id))),
      nextCursor: rows.length === take ? idString((rows[rows.length - 1] as ArticleRow).id) : null,
    };
  }

  async function loadArticle(articleId: number): Promise<ArticleRow> {
    const row = await db.selectFrom('official_articles').selectAll().where('id', '=', articleId).executeTakeFirst();
    if (!row) fail('OFFICIAL_ARTICLE_NOT_FOUND');
    return row;
  }

  async function visibleArticle(viewerId: number, articleId: number): Promise<{ article: ArticleRow; account: OfficialAccountRow; admin: boolean }> {
    const article = await loadArticle(articleId);
    const account = await loadAccount(article.official_id);
    const admin = await isAdmin(account, viewerId);
    if (account.status !== 'verified' && !admin) fail('OFFICIAL_ARTICLE_NOT_FOUND');
    return { article, account, admin };
  }

  async function purchaseOf(articleId: number, accountId: number): Promise<PurchaseRow | undefined> {
    return db.selectFrom('official_purchases').selectAll().where('article_id', '=', articleId).where('account_id', '=', accountId).executeTakeFirst();
  }

  /** Opens an article: counts the member's first read, and shows the full text only when free, unlocked or their own. */
  async function readArticle(viewerId: number, articleId: number) {
    const { article, account, admin } = await visibleArticle(viewerId, articleId);
    const purchase = article.price_minor > 0 ? await purchaseOf(articleId, viewerId) : undefined;
    const unlocked = article.price_minor === 0 || admin || purchase?.status === 'paid';
    const readCounted = await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('official_reads')
        .values({ article_id: articleId, account_id: viewerId, official_id: account.id, created_at: clock() })
        .onConflict((oc) => oc.columns(['article_id', 'account_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .updateTable('official_articles')
        .set((eb) => ({ read_count: eb('read_count', '+', 1) }))
        .where('id', '=', articleId)
        .execute();
      return true;
    });
    const row = readCounted ? { ...article, read_count: article.read_count + 1 } : article;
    return {
      ...presentArticleSummary(account, row, unlocked),
      unlocked,
      locked: !unlocked,
      bodyHtml: unlocked ? article.body_html : article.preview_html,
      isAdmin: admin,
      following: await isFollowing(viewerId, account.id),
      purchase: purchase ? presentPurchase(purchase) : null,
    };
  }

  async function share(viewerId: number, articleId: number) {
    const { article } = await visibleArticle(viewerId, articleId);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('official_shares')
        .values({ article_id: articleId, official_id: article.official_id, account_id: viewerId, created_at: clock() })
        .execute();
      await trx
        .updateTable('official_articles')
        .set((eb) => ({ share_count: eb('share_count', '+', 1) }))
        .where('id', '=', articleId)
        .execute();
    });
    return { shareCount: article.share_count + 1 };
  }

  // Comments --------------------------------------------------------------------------------------
  async function comment(viewerId: number, articleId: number, text: string) {
    await visibleArticle(viewerId, articleId);
    const clean = text.trim();
    if (!clean) fail('VALIDATION_FAILED', 'text must not be blank');
    const row = await db.transaction().execute(async (trx) => {
      const saved = await trx
        .insertInto('official_comments')
        .values({ article_id: articleId, author_id: viewerId, text: clean, created_at: clock() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('official_articles')
        .set((eb) => ({ comment_count: eb('comment_count', '+', 1) }))
        .where('id', '=', articleId)
        .execute();
      return saved;
    });
    const author = await accounts.getAccount(viewerId);
    return { id: idString(row.id), articleId: idString(articleId), author: presentAccount(author), text: row.text, createdAt: toIso(row.created_at) };
  }

  async function listComments(viewerId: number, articleId: number, cursor: string | undefined, limit?: number) {
    await visibleArticle(viewerId, articleId);
    const take = pageLimit(limit);
    const after = idCursor(cursor);
    let q = db.selectFrom('official_comments').selectAll().where('article_id', '=', articleId);
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(take).execute();
    const people = await accounts.getAccounts(rows.map((r) => r.author_id));
    return {
      comments: rows.map((r) => {
        const author = people.get(r.author_id);
        return {
          id: idString(r.id),
          articleId: idString(r.article_id),
          author: author ? presentAccount(author) : null,
          text: r.text,
          createdAt: toIso(r.created_at),
        };
      }),
      nextCursor: rows.length === take ? idString((rows[rows.length - 1] as { id: number }).id) : null,
    };
  }

  async function deleteComment(viewerId: number, articleId: number, commentId: number) {
    const { account } = await visibleArticle(viewerId, articleId);
    const row = await db.selectFrom('official_comments').selectAll().where('id', '=', commentId).where('article_id', '=', articleId).executeTakeFirst();
    if (!row) fail('OFFICIAL_COMMENT_NOT_FOUND');
    if (row.author_id !== viewerId && !(await isAdmin(account, viewerId))) fail('AUTH_FORBIDDEN');
    await db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('official_comments').where('id', '=', commentId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return;
      await trx
        .updateTable('official_articles')
        .set((eb) => ({ comment_count: eb('comment_count', '-', 1) }))
        .where('id', '=', articleId)
        .execute();
    });
  }

  // Money: paid articles, refunds, tips ---------------------------------------------------------
  ledger.registerExtension('official.purchase', {
    async apply(trx: WalletTrx, items: { payload: Omit<PurchaseRow, 'payment_transfer_id' | 'refunded_at' | 'status'>; transfers: TransferRow[] }[]) {
      const t = trx as unknown as OfficialTrx;
      const rows: PurchaseRow[] = [];
      for (const { payload, transfers } of items) {
        const payment = transfers[0];
        invariant(payment, 'a purchase is paid by a transfer');
        // A refunded purchase may be bought again; a paid one never twice.
        const row = await t
          .insertInto('official_purchases')
          .values({ ...payload, status: 'paid', payment_transfer_id: payment.id, refunded_at: null })
          .onConflict((oc) =>
            oc
              .columns(['article_id', 'account_id'])
              .doUpdateSet({
                status: 'paid',
                price_minor: payload.price_minor,
                fee_minor: payload.fee_minor,
                payment_transfer_id: payment.id,
                created_at: payload.created_at,
                refunded_at: null,
              })
              .where('official_purchases.status', '=', 'refunded'),
          )
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new AppError('OFFICIAL_ALREADY_UNLOCKED');
        rows.push(row);
      }
      return rows;
    },
  });

  ledger.registerExtension('official.refund', {
    async apply(trx: WalletTrx, items: { payload: { articleId: number; accountId: number; paymentTransferId: number; at: number } }[]) {
      const t = trx as unknown as OfficialTrx;
      const rows: PurchaseRow[] = [];
      for (const { payload } of items) {
        const row = await t
          .updateTable('official_purchases')
          .set({ status: 'refunded', refunded_at: payload.at })
          .where('article_id', '=', payload.articleId)
          .where('account_id', '=', payload.accountId)
          .where('status', '=', 'paid')
          .where('payment_transfer_id', '=', payload.paymentTransferId)
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new AppError('OFFICIAL_PURCHASE_NOT_FOUND');
        rows.push(row);
      }
      return rows;
    },
  });

  ledger.registerExtension('official.tip', {
    async apply(
      trx: WalletTrx,
      items: { payload: { articleId: number; officialId: number; accountId: number; amount: number; at: number }; transfers: TransferRow[] }[],
    ) {
      const t = trx as unknown as OfficialTrx;
      const values = items.map(({ payload, transfers }) => ({
        article_id: payload.articleId,
        official_id: payload.officialId,
        account_id: payload.accountId,
        amount_minor: payload.amount,
        transfer_id: (transfers[0] as TransferRow).id,
        created_at: payload.at,
      }));
      const rows = await t.insertInto('official_tips').values(values).returningAll().execute();
      return rows.map((r) => ({ id: idString(r.id), articleId: idString(r.article_id), amountMinor: String(r.amount_minor), createdAt: toIso(r.created_at) }));
    },
  });

  async function unlock(buyerId: number, articleId: number, pin: string, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(buyerId, key, { required: true, route: `official-unlock:${articleId}`, body: { pin } }, async (run) => {
      await ledger.verifyPin(buyerId, pin);
      const { article, account, admin } = await visibleArticle(buyerId, articleId);
      if (article.price_minor === 0) fail('OFFICIAL_NOT_PAID_ARTICLE');
      if (admin || account.owner_id === buyerId) fail('OFFICIAL_SELF_PAYMENT');
      if ((await purchaseOf(articleId, buyerId))?.status === 'paid') fail('OFFICIAL_ALREADY_UNLOCKED');
      const asset = await ledger.requireAsset(article.asset);
      const price = article.price_minor;
      const fee = operatorFee(price, settings.feeBasisPoints);
      const buyer = await ledger.account(buyerId, 'wallet', asset);
      const publisher = await ledger.account(account.owner_id, 'wallet', asset);
      const fees = await ledger.account(OPERATOR_OWNER_ID, 'fees', asset);
      const reference = `official-article:${articleId}`;
      const respond = (r: LedgerResult): MoneyResponse => ({ statusCode: 201, body: { purchase: presentPurchase(r.extension as PurchaseRow) } });
      return ledger.withDailyReservation(buyerId, asset, price, async () => {
        const result = await ledger.submit(
          {
            transfers: [
              // The first transfer is the payment the purchase row points at; the fee leg follows.
              { debit: buyer, credit: publisher, asset, amount: price - fee, kind: 'official_article', status: 'posted', reference, note: article.title },
              ...(fee > 0
                ? [{ debit: buyer, credit: fees, asset, amount: fee, kind: 'official_fee', status: 'posted' as const, reference, note: article.title }]
                : []),
            ],
            extension: {
              name: 'official.purchase',
              payload: { article_id: articleId, account_id: buyerId, official_id: account.id, price_minor: price, fee_minor: fee, created_at: clock() },
            },
            idempotency: ledger.idempotencyRecord(buyerId, run, respond),
          },
          run.ticket,
        );
        return result.response ?? respond(result);
      });
    });
  }

  /** The owner gives a buyer their whole price back: their share from the owner's wallet, the fee from the operator's. */
  async function refund(actorId: number, articleId: number, input: RefundPurchaseBody, key: string | undefined): Promise<MoneyResponse> {
    const buyerId = parseId(input.accountId, 'accountId');
    return ledger.idempotent(
      actorId,
      key,
      { required: true, route: `official-refund:${articleId}`, body: { accountId: buyerId, pin: input.pin } },
      async (run) => {
        await ledger.verifyPin(actorId, input.pin);
        const article = await loadArticle(articleId);
        const account = await loadAccount(article.official_id);
        if (account.owner_id !== actorId) fail('OFFICIAL_NOT_ADMIN', 'Only the owner of the account may refund, from their wallet.');
        const purchase = await purchaseOf(articleId, buyerId);
        if (purchase?.status !== 'paid') fail('OFFICIAL_PURCHASE_NOT_FOUND');
        const asset = await ledger.requireAsset(article.asset);
        const buyer = await ledger.account(buyerId, 'wallet', asset);
        const publisher = await ledger.account(account.owner_id, 'wallet', asset);
        const fees = await ledger.account(OPERATOR_OWNER_ID, 'fees', asset);
        const reference = `official-article:${articleId}`;
        const net = purchase.price_minor - purchase.fee_minor;
        const respond = (r: LedgerResult): MoneyResponse => ({ statusCode: 200, body: { purchase: presentPurchase(r.extension as PurchaseRow) } });
        const result = await ledger.submit(
          {
            transfers: [
              { debit: publisher, credit: buyer, asset, amount: net, kind: 'official_refund', status: 'posted', reference, note: article.title },
              ...(purchase.fee_minor > 0
                ? [
                    {
                      debit: fees,
                      credit: buyer,
                      asset,
                      amount: purchase.fee_minor,
                      kind: 'official_fee_refund',
                      status: 'posted' as const,
                      reference,
                      note: article.title,
                    },
                  ]
                : []),
            ],
            extension: { name: 'official.refund', payload: { articleId, accountId: buyerId, paymentTransferId: purchase.payment_transfer_id, at: clock() } },
            idempotency: ledger.idempotencyRecord(actorId, run, respond),
          },
          run.ticket,
        );
        return result.response ?? respond(result);
      },
    );
  }

  /** A tip goes whole to the publisher: the operator's fee applies to paid articles only. */
  async function tip(tipperId: number, articleId: number, input: TipArticleBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      tipperId,
      key,
      { required: true, route: `official-tip:${articleId}`, body: { amountMinor: input.amountMinor, pin: input.pin } },
      async (run) => {
        await ledger.verifyPin(tipperId, input.pin);
        const { article, account } = await visibleArticle(tipperId, articleId);
        if (account.owner_id === tipperId) fail('OFFICIAL_SELF_PAYMENT');
        const amount = ledger.parseAmount(input.amountMinor, settings.tipMaxMinor);
        const asset = await ledger.requireAsset(article.asset);
        const from = await ledger.account(tipperId, 'wallet', asset);
        const to = await ledger.account(account.owner_id, 'wallet', asset);
        const respond = (r: LedgerResult): MoneyResponse => ({ statusCode: 201, body: { tip: r.extension } });
        return ledger.withDailyReservation(tipperId, asset, amount, async () => {
          const result = await ledger.submit(
            {
              transfers: [
                {
                  debit: from,
                  credit: to,
                  asset,
                  amount,
                  kind: 'official_tip',
                  status: 'posted',
                  reference: `official-article:${articleId}`,
                  note: article.title,
                },
              ],
              extension: { name: 'official.tip', payload: { articleId, officialId: account.id, accountId: tipperId, amount, at: clock() } },
              idempotency: ledger.idempotencyRecord(tipperId, run, respond),
            },
            run.ticket,
          );
          return result.response ?? respond(result);
        });
      },
    );
  }

  async function listPurchases(actorId: number, articleId: number, cursor: string | undefined, limit?: number) {
    const article = await loadArticle(articleId);
    await requireAdmin(article.official_id, actorId);
    const take = pageLimit(limit);
    const after = pairCursor(cursor);
    let q = db.selectFrom('official_purchases').selectAll().where('article_id', '=', articleId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('account_id', '<', after.id)])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('account_id', 'desc').limit(take).execute();
    const people = await accounts.getAccounts(rows.map((r) => r.account_id));
    const last = rows[rows.length - 1];
    return {
      purchases: rows.map((r) => {
        const person = people.get(r.account_id);
        return { ...presentPurchase(r), account: person ? presentAccount(person) : null };
      }),
      nextCursor: rows.length === take && last ? `${last.created_at}_${last.account_id}` : null,
    };
  }

  // Auto-replies, menu and messages -------------------------------------------------------------
  async function listAutoReplies(actorId: number, officialId: number) {
    await requireAdmin(officialId, actorId);
    const rows = await db
      .selectFrom('official_auto_replies')
      .selectAll()
      .where('official_id', '=', officialId)
      .orderBy('id')
      .limit(officialLimits.autoRepliesMax)
      .execute();
    return rows.map((r) => ({ id: idString(r.id), keyword: r.keyword, reply: r.reply, createdAt: toIso(r.created_at) }));
  }

  async function addAutoReply(actorId: number, officialId: number, input: AutoReplyBody) {
    await requireAdmin(officialId, actorId);
    const keyword = input.keyword?.trim() ? input.keyword.trim() : null;
    const count = await db
      .selectFrom('official_auto_replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('official_id', '=', officialId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= officialLimits.autoRepliesMax) fail('OFFICIAL_TOO_MANY', 'This account has as many auto-replies as allowed.');
    await db.transaction().execute(async (trx) => {
      // One default reply: a new one replaces the old.
      if (keyword === null) await trx.deleteFrom('official_auto_replies').where('official_id', '=', officialId).where('keyword', 'is', null).execute();
      await trx.insertInto('official_auto_replies').values({ official_id: officialId, keyword, reply: input.reply.trim(), created_at: clock() }).execute();
    });
    return listAutoReplies(actorId, officialId);
  }

  async function removeAutoReply(actorId: number, officialId: number, replyId: number) {
    await requireAdmin(officialId, actorId);
    const removed = await db.deleteFrom('official_auto_replies').where('id', '=', replyId).where('official_id', '=', officialId).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) fail('OFFICIAL_AUTO_REPLY_NOT_FOUND');
  }

  /** The first keyword (oldest first) the text contains, case-insensitively; else the default reply. */
  async function autoReplyFor(officialId: number, text: string): Promise<string | null> {
    const rows = await db
      .selectFrom('official_auto_replies')
      .selectAll()
      .where('official_id', '=', officialId)
      .orderBy('id')
      .limit(officialLimits.autoRepliesMax)
      .execute();
    const lower = text.toLowerCase();
    const hit = rows.find((r) => r.keyword !== null && lower.includes(r.keyword.toLowerCase()));
    return (hit ?? rows.find((r) => r.keyword === null))?.reply ?? null;
  }

  type NewMessage = { direction: 'in' | 'out'; senderId: number | null; auto: boolean; text: string };

  /** Stores messages of one thread and tells the member (replies) and the admins (member's messages) in the same transaction. */
  async function writeMessages(account: OfficialAccountRow, memberId: number, messages: NewMessage[]) {
    const admins = await adminIds(account);
    const { rows, deliveries } = await db.transaction().execute(async (trx) => {
      const rows: OfficialMessageRow[] = [];
      for (const m of messages) {
        rows.push(
          await trx
            .insertInto('official_messages')
            .values({
              official_id: account.id,
              member_id: memberId,
              direction: m.direction,
              sender_id: m.senderId,
              auto: m.auto ? 1 : 0,
              text: m.text,
              created_at: clock(),
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
        );
      }
      const events: NewInboxEvent[] = [];
      for (const row of rows) {
        const payload = { officialAccountId: idString(account.id), officialAccountName: account.name, message: presentOfficialMessage(row) };
        const audience = row.direction === 'out' ? [memberId] : admins;
        for (const accountId of audience) events.push({ accountId, type: 'official.message', payload });
      }
      return { rows, deliveries: await inbox.appendEvents(asInboxTrx(trx), events) };
    });
    inbox.publish(deliveries);
    return rows.map(presentOfficialMessage);
  }

  async function sendToAccount(memberId: number, officialId: number, text: string) {
    const account = await requireVisible(officialId, memberId);
    if (!(await isFollowing(memberId, officialId))) fail('OFFICIAL_NOT_FOLLOWING');
    const clean = text.trim();
    if (!clean) fail('VALIDATION_FAILED', 'text must not be blank');
    const reply = await autoReplyFor(officialId, clean);
    const written = await writeMessages(account, memberId, [
      { direction: 'in', senderId: memberId, auto: false, text: clean },
      ...(reply ? [{ direction: 'out' as const, senderId: null, auto: true, text: reply }] : []),
    ]);
    return { message: written[0], replies: written.slice(1) };
  }

  async function pressMenu(memberId: number, officialId: number, index: number) {
    const account = await requireVisible(officialId, memberId);
    const button = (JSON.parse(account.menu) as MenuButton[])[index];
    if (!button) fail('OFFICIAL_INVALID_MENU', 'No such menu button.');
    if (button.action === 'link') return { url: button.url ?? null, replies: [] };
    if (!(await isFollowing(memberId, officialId))) fail('OFFICIAL_NOT_FOLLOWING');
    const replies = await writeMessages(account, memberId, [{ direction: 'out', senderId: null, auto: true, text: button.reply ?? '' }]);
    return { url: null, replies };
  }

  async function replyToMember(adminId: number, officialId: number, memberId: number, text: string) {
    const account = await requireAdmin(officialId, adminId);
    const wrote = await db
      .selectFrom('official_messages')
      .select('id')
      .where('official_id', '=', officialId)
      .where('member_id', '=', memberId)
      .limit(1)
      .executeTakeFirst();
    // Admins answer members who wrote; they cannot start threads (that would be an unlimited broadcast).
    if (!wrote) fail('OFFICIAL_NOT_FOLLOWING', 'This member has not written to the account.');
    const clean = text.trim();
    if (!clean) fail('VALIDATION_FAILED', 'text must not be blank');
    const [message] = await writeMessages(account, memberId, [{ direction: 'out', senderId: adminId, auto: false, text: clean }]);
    return message;
  }

  async function threadMessages(officialId: number, memberId: number, cursor: string | undefined, limit?: number) {
    const take = pageLimit(limit);
    const before = idCursor(cursor);
    let q = db.selectFrom('official_messages').selectAll().where('official_id', '=', officialId).where('member_id', '=', memberId);
    if (before !== null) q = q.where('id', '<', before);
    const rows = await q.orderBy('id', 'desc').limit(take).execute();
    return { messages: rows.map(presentOfficialMessage), nextCursor: rows.length === take ? idString((rows[rows.length - 1] as OfficialMessageRow).id) : null };
  }

  async function myThread(memberId: number, officialId: number, cursor: string | undefined, limit?: number) {
    await requireVisible(officialId, memberId);
    return threadMessages(officialId, memberId, cursor, limit);
  }

  async function memberThread(adminId: number, officialId: number, memberId: number, cursor: string | undefined, limit?: number) {
    await requireAdmin(officialId, adminId);
    return threadMessages(officialId, memberId, cursor, limit);
  }

  /** Admin inbox: members who wrote, newest thread first. */
  async function threads(adminId: number, officialId: number, cursor: string | undefined, limit?: number) {
    await requireAdmin(officialId, adminId);
    const take = pageLimit(limit);
    const before = idCursor(cursor);
    let q = db
      .selectFrom('official_messages')
      .select(['member_id', (eb) => eb.fn.max<number>('id').as('last_id')])
      .where('official_id', '=', officialId)
      .groupBy('member_id');
    if (before !== null) q = q.having((eb) => eb.fn.max('id'), '<', before);
    const heads = await q.orderBy('last_id', 'desc').limit(take).execute();
    const lastIds = heads.map((h) => Number(h.last_id));
    const lastRows = lastIds.length ? await db.selectFrom('official_messages').selectAll().where('id', 'in', lastIds).execute() : [];
    const byId = new Map(lastRows.map((r) => [r.id, r]));
    const people = await accounts.getAccounts(heads.map((h) => h.member_id));
    return {
      threads: heads.map((h) => {
        const person = people.get(h.member_id);
        const last = byId.get(Number(h.last_id));
        return { member: person ? presentAccount(person) : null, lastMessage: last ? presentOfficialMessage(last) : null };
      }),
      nextCursor: heads.length === take ? String(lastIds[lastIds.length - 1]) : null,
    };
  }

  // Statistics ------------------------------------------------------------------------------------
  /** Per UTC day over the last `days` days: followers at day end, new follows, unfollows, reads, shares and revenue. */
  async function stats(adminId: number, officialId: number, days = 30) {
    const account = await requireAdmin(officialId, adminId);
    const span = Math.min(Math.max(days, 1), officialLimits.statsDaysMax);
    const now = clock();
    const todayStart = Date.parse(`${dayOf(now)}T00:00:00.000Z`);
    const from = todayStart - (span - 1) * DAY_MS;
    const buckets = new Map<string, { follows: number; unfollows: number; reads: number; shares: number; revenueMinor: number; tipsMinor: number }>();
    for (let i = 0; i < span; i += 1) buckets.set(dayOf(from + i * DAY_MS), { follows: 0, unfollows: 0, reads: 0, shares: 0, revenueMinor: 0, tipsMinor: 0 });
    const before = await db
      .selectFrom('official_follow_log')
      .select((eb) => eb.fn.sum<number>('delta').as('n'))
      .where('official_id', '=', officialId)
      .where('created_at', '<', from)
      .executeTakeFirst();
    const daily = async (table: 'official_reads' | 'official_shares', field: 'reads' | 'shares') => {
      const rows = await db
        .selectFrom(table)
        .select('created_at')
        .where('official_id', '=', officialId)
        .where('created_at', '>=', from)
        .limit(200_000)
        .execute();
      for (const r of rows) {
        const b = buckets.get(dayOf(r.created_at));
        if (b) b[field] += 1;
      }
    };
    await daily('official_reads', 'reads');
    await daily('official_shares', 'shares');
    const log = await db
      .selectFrom('official_follow_log')
      .select(['delta', 'created_at'])
      .where('official_id', '=', officialId)
      .where('created_at', '>=', from)
      .limit(200_000)
      .execute();
    for (const r of log) {
      const b = buckets.get(dayOf(r.created_at));
      if (b && r.delta > 0) b.follows += 1;
      if (b && r.delta < 0) b.unfollows += 1;
    }
    const purchases = await db
      .selectFrom('official_purchases')
      .select(['price_minor', 'fee_minor', 'created_at'])
      .where('official_id', '=', officialId)
      .where('status', '=', 'paid')
      .where('created_at', '>=', from)
      .limit(200_000)
      .execute();
    for (const p of purchases) {
      const b = buckets.get(dayOf(p.created_at));
      if (b) b.revenueMinor += p.price_minor - p.fee_minor;
    }
    const tips = await db
      .selectFrom('official_tips')
      .select(['amount_minor', 'created_at'])
      .where('official_id', '=', officialId)
      .where('created_at', '>=', from)
      .limit(200_000)
      .execute();
    for (const t of tips) {
      const b = buckets.get(dayOf(t.created_at));
      if (b) b.tipsMinor += t.amount_minor;
    }
    let followers = Number(before?.n ?? 0);
    const series = [...buckets].map(([day, b]) => {
      followers += b.follows - b.unfollows;
      return {
        day,
        followers,
        follows: b.follows,
        unfollows: b.unfollows,
        reads: b.reads,
        shares: b.shares,
        revenueMinor: String(b.revenueMinor),
        tipsMinor: String(b.tipsMinor),
      };
    });
    return {
      officialAccountId: idString(officialId),
      asset: ASSET,
      followerCount: account.follower_count,
      days: series,
    };
  }

  // Avatars, covers and article images stay while an account or article shows them.
  media.addReferenceCheck(async (mediaId) => {
    const avatar = await db.selectFrom('official_accounts').select('id').where('avatar_media_id', '=', mediaId).limit(1).executeTakeFirst();
    const cover = await db.selectFrom('official_articles').select('id').where('cover_media_id', '=', mediaId).limit(1).executeTakeFirst();
    const inText = await db.selectFrom('official_article_media').select('article_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    return avatar !== undefined || cover !== undefined || inText !== undefined;
  });

  // An image in an article's preview is readable by whoever may open the article; one in the paid
  // part only by those who may read the whole text (buyers, admins; everyone for free articles).
  media.setAccessCheck(async (accountId, mediaId) => {
    const uses = await db
      .selectFrom('official_article_media')
      .select(['article_id', 'in_preview'])
      .where('media_id', '=', mediaId)
      .limit(officialLimits.pageMax)
      .execute();
    for (const use of uses) {
      const article = await db.selectFrom('official_articles').selectAll().where('id', '=', use.article_id).executeTakeFirst();
      if (!article) continue;
      const account = await loadAccount(article.official_id);
      const admin = await isAdmin(account, accountId);
      if (account.status !== 'verified' && !admin) continue;
      if (use.in_preview === 1 || article.price_minor === 0 || admin) return true;
      if ((await purchaseOf(article.id, accountId))?.status === 'paid') return true;
    }
    return false;
  });

  return {
    settings,
    register,
    update,
    get,
    mine,
    search,
    follow,
    unfollow,
    following,
    reviewQueue,
    review,
    listAdmins,
    addAdmin,
    removeAdmin,
    publish,
    listArticles,
    readArticle,
    share,
    comment,
    listComments,
    deleteComment,
    unlock,
    refund,
    tip,
    listPurchases,
    listAutoReplies,
    addAutoReply,
    removeAutoReply,
    sendToAccount,
    pressMenu,
    replyToMember,
    myThread,
    memberThread,
    threads,
    stats,
    broadcastsDelivered,
    resumeBroadcasts,
    start() {
      track(resumeBroadcasts().then(() => undefined));
    },
    async close() {
      stopping = true;
      await broadcastsDelivered();
    },
    setClock(fn: () => number) {
      clock = fn;
    },
  };
}

export type OfficialService = ReturnType<typeof createOfficialService>;
export type { Database, OfficialDatabase };
