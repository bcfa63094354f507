import { createHash, randomBytes } from 'node:crypto';
import type { Selectable, Updateable } from 'kysely';
import type { ForwardBody, SendMessageBody } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import { limits } from '../../limits.js';
import { type AccountRow, type AccountsService, isUniqueViolation, presentAccount } from '../accounts/index.js';
import type { ContactsService } from '../contacts/index.js';
import { type Delivery, type InboxService, type NewInboxEvent, pointerKey } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';
import { type ConversationRow, type MessageRow, presentMessage, previewOf } from './presenter.js';
import { MessageWriter, type WriteResult } from './writer.js';
import { inChunks } from '../../lib/chunks.js';

type MemberRow = Selectable<Database['conversation_members']>;
type Role = MemberRow['role'];

const MEMBERSHIP_INVALIDATE_TOPIC = 'chat.membership.invalidate';
const MEDIA_KINDS: Record<string, string[]> = { image: ['image'], voice: ['voice'], video: ['video'], file: ['file', 'image', 'video', 'voice'] };

function derivedClientMsgId(base: string, ...parts: (string | number)[]): string {
  return `fw_${createHash('sha256')
    .update([base, ...parts].join('|'))
    .digest('base64url')
    .slice(0, 40)}`;
}

export function createChatService(ctx: AppContext, deps: { accounts: AccountsService; contacts: ContactsService; inbox: InboxService; media: MediaService }) {
  const { db } = ctx;
  const { accounts, contacts, inbox, media } = deps;
  const inFlight = new Map<string, Promise<WriteResult>>();
  const writer = new MessageWriter(db, inbox, () => {});

  inbox.setMessageMaterializer(async (executor, _viewerId, pointers) => {
    const map = new Map<string, Record<string, unknown>>();
    const byConversation = new Map<number, number[]>();
    for (const p of pointers) byConversation.set(p.conversationId, [...(byConversation.get(p.conversationId) ?? []), p.messageSeq]);
    for (const [conversationId, seqs] of byConversation) {
      const rows = await executor.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).where('seq', 'in', seqs).execute();
      for (const row of rows) map.set(pointerKey(row.conversation_id, row.seq), presentMessage(row));
    }
    return map;
  });

  // Membership ------------------------------------------------------------------------------------
  // The send path checks membership on every message; it reads it from this cache. Every change of
  // members or roles invalidates the entry here and, through the bus, on every other node.
  const membershipCache = new Map<number, { conversation: ConversationRow; members: Map<number, MemberRow> }>();
  const membershipGeneration = new Map<number, number>();
  const MEMBERSHIP_CACHE_MAX = 20_000;
  ctx.bus.subscribe(MEMBERSHIP_INVALIDATE_TOPIC, (payload) => dropMembership(Number(payload)));

  function dropMembership(conversationId: number): void {
    membershipCache.delete(conversationId);
    membershipGeneration.set(conversationId, (membershipGeneration.get(conversationId) ?? 0) + 1);
  }

  function invalidateMembership(conversationId: number): void {
    dropMembership(conversationId);
    ctx.bus.publish(MEMBERSHIP_INVALIDATE_TOPIC, String(conversationId));
  }

  async function cachedMembership(conversationId: number) {
    const cached = membershipCache.get(conversationId);
    if (cached) return cached;
    const generation = membershipGeneration.get(conversationId) ?? 0;
    const conversation = await loadConversation(conversationId);
    const rows = await db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversationId).execute();
    const entry = { conversation, members: new Map(rows.map((r) => [r.account_id, r])) };
    // Only a load that no invalidation overtook may be cached.
    if ((membershipGeneration.get(conversationId) ?? 0) === generation) {
      if (membershipCache.size >= MEMBERSHIP_CACHE_MAX) {
        const oldest = membershipCache.keys().next().value;
        if (oldest !== undefined) membershipCache.delete(oldest);
      }
      membershipCache.set(conversationId, entry);
    }
    return entry;
  }

  async function loadConversation(conversationId: number): Promise<ConversationRow> {
    const row = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
    if (!row) fail('CHAT_CONVERSATION_NOT_FOUND');
    return row;
  }

  async function findMember(conversationId: number, accountId: number): Promise<MemberRow | undefined> {
    return db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  /** The caller's membership, or a 404 when the conversation does not exist and 403 when they are not in it. */
  async function requireMember(conversationId: number, accountId: number): Promise<{ conversation: ConversationRow; membership: MemberRow }> {
    const conversation = await loadConversation(conversationId);
    const membership = await findMember(conversationId, accountId);
    if (!membership) fail('CHAT_NOT_A_MEMBER');
    return { conversation, membership };
  }

  function requireAdmin(membership: MemberRow): void {
    if (membership.role !== 'owner' && membership.role !== 'admin') fail('CHAT_NOT_ADMIN');
  }

  async function memberIds(conversationId: number): Promise<number[]> {
    const rows = await db.selectFrom('conversation_members').select('account_id').where('conversation_id', '=', conversationId).execute();
    return rows.map((r) => r.account_id);
  }

  // Presentation ----------------------------------------------------------------------------------
  async function presentConversations(viewerId: number, pairs: { conversation: ConversationRow; membership: MemberRow }[]) {
    const directPeers = new Map<number, number>();
    if (pairs.some((p) => p.conversation.kind === 'direct')) {
      const directIds = pairs.filter((p) => p.conversation.kind === 'direct').map((p) => p.conversation.id);
      const rows = await db
        .selectFrom('conversation_members')
        .select(['conversation_id', 'account_id'])
        .where('conversation_id', 'in', directIds)
        .where('account_id', '!=', viewerId)
        .execute();
      for (const r of rows) directPeers.set(r.conversation_id, r.account_id);
    }
    const people = await accounts.getAccounts([...directPeers.values()]);
    const remarks = new Map<number, string>();
    if (directPeers.size) {
      const rows = await db
        .selectFrom('contacts')
        .select(['peer_id', 'remark'])
        .where('owner_id', '=', viewerId)
        .where('peer_id', 'in', [...directPeers.values()])
        .execute();
      for (const r of rows) remarks.set(r.peer_id, r.remark);
    }
    const result = [];
    for (const { conversation: c, membership: m } of pairs) {
      const last =
        c.last_seq > m.joined_seq
          ? await db.selectFrom('messages').selectAll().where('conversation_id', '=', c.id).where('seq', '=', c.last_seq).executeTakeFirst()
          : undefined;
      const unread =
        c.last_seq > m.last_read_seq
          ? await db
              .selectFrom('messages')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('conversation_id', '=', c.id)
              .where('seq', '>', Math.max(m.last_read_seq, m.joined_seq))
              .where('sender_id', '!=', viewerId)
              .where('type', 'not in', ['system', 'recalled'])
              .executeTakeFirst()
          : undefined;
      const peerId = directPeers.get(c.id);
      const peer = peerId !== undefined ? people.get(peerId) : undefined;
      let lastMessage = null;
      if (last) {
        const presented = presentMessage(last);
        const sender = last.sender_id === viewerId ? null : (people.get(last.sender_id) ?? (await accounts.getAccounts([last.sender_id])).get(last.sender_id));
        lastMessage = { ...presented, preview: previewOf(last.type, presented.content), senderName: sender?.display_name ?? null };
      }
      result.push({
        id: idString(c.id),
        kind: c.kind,
        title: c.kind === 'direct' ? (peerId !== undefined && remarks.get(peerId)) || peer?.display_name || '' : c.title,
        notice: c.notice,
        ownerId: c.owner_id === null ? null : idString(c.owner_id),
        memberCount: c.member_count,
        lastSeq: c.last_seq,
        lastMessage,
        unreadCount: Number(unread?.n ?? 0),
        mentionedMe: false,
        muted: m.muted === 1,
        pinned: m.pinned === 1,
        role: m.role,
        peer: peer ? presentAccount(peer) : null,
        createdAt: toIso(c.created_at),
        lastMessageAt: toIso(c.last_message_at),
      });
    }
    return result;
  }

  async function presentOne(viewerId: number, conversationId: number) {
    const { conversation, membership } = await requireMember(conversationId, viewerId);
    const [presented] = await presentConversations(viewerId, [{ conversation, membership }]);
    return presented as NonNullable<typeof presented>;
  }

  async function listConversations(viewerId: number) {
    const rows = await db
      .selectFrom('conversation_members as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .selectAll('c')
      .select(['m.role', 'm.muted', 'm.pinned', 'm.last_read_seq', 'm.joined_seq', 'm.joined_at', 'm.account_id', 'm.conversation_id'])
      .where('m.account_id', '=', viewerId)
      .orderBy('m.pinned', 'desc')
      .orderBy('c.last_message_at', 'desc')
      .limit(500)
      .execute();
    const pairs = rows.map((r) => ({
      conversation: {
        id: r.id,
        kind: r.kind,
        direct_key: r.direct_key,
        title: r.title,
        notice: r.notice,
        owner_id: r.owner_id,
        last_seq: r.last_seq,
        last_message_at: r.last_message_at,
        member_count: r.member_count,
        created_at: r.created_at,
      },
      membership: {
        conversation_id: r.conversation_id,
        account_id: r.account_id,
        role: r.role,
        muted: r.muted,
        pinned: r.pinned,
        last_read_seq: r.last_read_seq,
        joined_seq: r.joined_seq,
        joined_at: r.joined_at,
      },
    }));
    return presentConversations(viewerId, pairs);
  }

  async function getConversation(viewerId: number, conversationId: number) {
    const conversation = await presentOne(viewerId, conversationId);
    const rows = await db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('joined_at')
      .limit(limits.groupMembersMax)
      .execute();
    const people = await accounts.getAccounts(rows.map((r) => r.account_id));
    const remarks = new Map(
      (await db.selectFrom('contacts').select(['peer_id', 'remark']).where('owner_id', '=', viewerId).execute()).map((r) => [r.peer_id, r.remark]),
    );
    const members = rows
      .filter((r) => people.has(r.account_id))
      .map((r) => ({
        account: presentAccount(people.get(r.account_id) as AccountRow),
        role: r.role,
        remark: remarks.get(r.account_id) ?? '',
        joinedAt: toIso(r.joined_at),
      }));
    return { conversation, members };
  }

  // Events ----------------------------------------------------------------------------------------
  async function notifyUpdated(conversationId: number, accountIds: number[], extra: NewInboxEvent[] = []): Promise<void> {
    invalidateMembership(conversationId);
    const deliveries: Delivery[] = await db
      .transaction()
      .execute((trx) =>
        inbox.appendEvents(trx, [
          ...accountIds.map((accountId) => ({ accountId, type: 'conversation.updated' as const, payload: { conversationId: idString(conversationId) } })),
          ...extra,
        ]),
      );
    inbox.publish(deliveries);
  }

  async function systemMessage(conversationId: number, actorId: number, text: string): Promise<void> {
    await writer.submit({
      conversationId,
      senderId: actorId,
      clientMsgId: `sys_${randomBytes(12).toString('base64url')}`,
      type: 'system',
      body: JSON.stringify({ text }),
      mediaId: null,
      createdAt: Date.now(),
    });
  }

  function names(people: Map<number, AccountRow>, ids: number[]): string {
    return ids.map((id) => people.get(id)?.display_name ?? 'someone').join(', ');
  }

  // Conversations ---------------------------------------------------------------------------------
  async function createDirect(viewerId: number, peerId: number) {
    if (peerId === viewerId) fail('CONTACTS_SELF');
    await accounts.getAccount(peerId);
    if (!(await contacts.areFriends(viewerId, peerId))) fail('CHAT_NOT_FRIENDS');
    const directKey = `${Math.min(viewerId, peerId)}:${Math.max(viewerId, peerId)}`;
    const existing = await db.selectFrom('conversations').select('id').where('direct_key', '=', directKey).executeTakeFirst();
    if (existing) return { conversation: await presentOne(viewerId, existing.id), created: false };
    const now = Date.now();
    try {
      const id = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('conversations')
          .values({
            kind: 'direct',
            direct_key: directKey,
            title: '',
            notice: '',
            owner_id: null,
            last_seq: 0,
            last_message_at: now,
            member_count: 2,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('conversation_members')
          .values(
            [viewerId, peerId].map((accountId) => ({
              conversation_id: row.id,
              account_id: accountId,
              role: 'member' as Role,
              muted: 0,
              pinned: 0,
              last_read_seq: 0,
              joined_seq: 0,
              joined_at: now,
            })),
          )
          .execute();
        return row.id;
      });
      return { conversation: await presentOne(viewerId, id), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const row = await db.selectFrom('conversations').select('id').where('direct_key', '=', directKey).executeTakeFirstOrThrow();
      return { conversation: await presentOne(viewerId, row.id), created: false };
    }
  }

  async function requireFriendsOf(viewerId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await db.selectFrom('contacts').select('peer_id').where('owner_id', '=', viewerId).where('peer_id', 'in', ids).execute();
    const friends = new Set(rows.map((r) => r.peer_id));
    const missing = ids.filter((id) => !friends.has(id));
    if (missing.length) fail('CHAT_NOT_FRIENDS', `You can only add your contacts; not contacts: ${missing.join(', ')}`);
  }

  async function createGroup(viewerId: number, title: string | undefined, rawMemberIds: (string | number)[]) {
    const ids = [...new Set(rawMemberIds.map((id) => parseId(id, 'memberIds')))].filter((id) => id !== viewerId);
    if (ids.length + 1 > limits.groupMembersMax) fail('CHAT_GROUP_FULL');
    await requireFriendsOf(viewerId, ids);
    const people = await accounts.getAccounts([viewerId, ...ids]);
    const groupTitle = (title ?? '').trim() || names(people, [viewerId, ...ids]).slice(0, limits.groupTitleMaxChars);
    const now = Date.now();
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('conversations')
        .values({
          kind: 'group',
          direct_key: null,
          title: groupTitle,
          notice: '',
          owner_id: viewerId,
          last_seq: 0,
          last_message_at: now,
          member_count: ids.length + 1,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const members = [viewerId, ...ids].map((accountId) => ({
        conversation_id: row.id,
        account_id: accountId,
        role: (accountId === viewerId ? 'owner' : 'member') as Role,
        muted: 0,
        pinned: 0,
        last_read_seq: 0,
        joined_seq: 0,
        joined_at: now,
      }));
      await inChunks(members, limits.insertChunkRows, (chunk) => trx.insertInto('conversation_members').values(chunk).execute());
      return row.id;
    });
    await systemMessage(id, viewerId, `${names(people, [viewerId])} created the group with ${names(people, ids) || 'no one yet'}`);
    return presentOne(viewerId, id);
  }

  async function updateConversation(viewerId: number, conversationId: number, patch: { title?: string; notice?: string }) {
    const { conversation, membership } = await requireMember(conversationId, viewerId);
    if (conversation.kind !== 'group') fail('CHAT_INVALID_MESSAGE', 'Only groups have a title and notice.');
    requireAdmin(membership);
    const set: Updateable<Database['conversations']> = {};
    if (patch.title !== undefined) set.title = patch.title.trim() || conversation.title;
    if (patch.notice !== undefined) set.notice = patch.notice;
    if (Object.keys(set).length) await db.updateTable('conversations').set(set).where('id', '=', conversationId).execute();
    const actor = await accounts.getAccount(viewerId);
    if (patch.title !== undefined) await systemMessage(conversationId, viewerId, `${actor.display_name} renamed the group to "${set.title}"`);
    if (patch.notice !== undefined && patch.notice) await systemMessage(conversationId, viewerId, `Group notice: ${patch.notice}`);
    await notifyUpdated(conversationId, await memberIds(conversationId));
    return presentOne(viewerId, conversationId);
  }

  async function updateSettings(viewerId: number, conversationId: number, patch: { muted?: boolean; pinned?: boolean }) {
    await requireMember(conversationId, viewerId);
    const set: Updateable<Database['conversation_members']> = {};
    if (patch.muted !== undefined) set.muted = patch.muted ? 1 : 0;
    if (patch.pinned !== undefined) set.pinned = patch.pinned ? 1 : 0;
    if (Object.keys(set).length)
      await db.updateTable('conversation_members').set(set).where('conversation_id', '=', conversationId).where('account_id', '=', viewerId).execute();
    await notifyUpdated(conversationId, [viewerId]);
    return presentOne(viewerId, conversationId);
  }

  async function insertMembers(conversationId: number, ids: number[]): Promise<void> {
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      const conversation = await trx
        .selectFrom('conversations')
        .select(['last_seq', 'member_count'])
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow();
      const existing = new Set(
        (
          await trx
            .selectFrom('conversation_members')
            .select('account_id')
            .where('conversation_id', '=', conversationId)
            .where('account_id', 'in', ids)
            .execute()
        ).map((r) => r.account_id),
      );
      const fresh = ids.filter((id) => !existing.has(id));
      if (fresh.length === 0) return;
      // Counted under the row's write, so two concurrent invites cannot pass the limit together.
      const updated = await trx
        .updateTable('conversations')
        .set((eb) => ({ member_count: eb('member_count', '+', fresh.length) }))
        .where('id', '=', conversationId)
        .where('member_count', '<=', limits.groupMembersMax - fresh.length)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) fail('CHAT_GROUP_FULL');
      // New members see messages from the moment they join, as in WeChat.
      const rows = fresh.map((accountId) => ({
        conversation_id: conversationId,
        account_id: accountId,
        role: 'member' as Role,
        muted: 0,
        pinned: 0,
        last_read_seq: conversation.last_seq,
        joined_seq: conversation.last_seq,
        joined_at: now,
      }));
      await inChunks(rows, limits.insertChunkRows, (chunk) => trx.insertInto('conversation_members').values(chunk).execute());
    });
    invalidateMembership(conversationId);
  }

  async function addMembers(viewerId: number, conversationId: number, rawIds: (string | number)[]) {
    const { conversation } = await requireMember(conversationId, viewerId);
    if (conversation.kind !== 'group') fail('CHAT_INVALID_MESSAGE', 'Members can only be added to groups.');
    const ids = [...new Set(rawIds.map((id) => parseId(id, 'accountIds')))].filter((id) => id !== viewerId);
    await requireFriendsOf(viewerId, ids);
    await insertMembers(conversationId, ids);
    const people = await accounts.getAccounts([viewerId, ...ids]);
    await systemMessage(conversationId, viewerId, `${names(people, [viewerId])} invited ${names(people, ids)} to the group`);
    await notifyUpdated(conversationId, await memberIds(conversationId));
    return getConversation(viewerId, conversationId);
  }

  async function deleteMember(conversationId: number, accountId: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('conversation_members')
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 1)
        await trx
          .updateTable('conversations')
          .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
          .where('id', '=', conversationId)
          .execute();
    });
    invalidateMembership(conversationId);
  }

  async function removeMember(viewerId: number, conversationId: number, targetId: number) {
    if (targetId === viewerId) return leave(viewerId, conversationId);
    const { conversation, membership } = await requireMember(conversationId, viewerId);
    if (conversation.kind !== 'group') fail('CHAT_INVALID_MESSAGE', 'Members can only be removed from groups.');
    requireAdmin(membership);
    const target = await findMember(conversationId, targetId);
    if (!target) fail('CHAT_NOT_A_MEMBER', 'That member is not in this group.');
    if (target.role === 'owner' || (target.role === 'admin' && membership.role !== 'owner')) fail('CHAT_NOT_OWNER');
    await deleteMember(conversationId, targetId);
    const people = await accounts.getAccounts([viewerId, targetId]);
    await systemMessage(conversationId, viewerId, `${names(people, [viewerId])} removed ${names(people, [targetId])} from the group`);
    await notifyUpdated(conversationId, await memberIds(conversationId), [
      { accountId: targetId, type: 'conversation.removed', payload: { conversationId: idString(conversationId) } },
    ]);
  }

  async function leave(viewerId: number, conversationId: number) {
    const { conversation, membership } = await requireMember(conversationId, viewerId);
    if (conversation.kind !== 'group') fail('CHAT_INVALID_MESSAGE', 'You can only leave groups.');
    if (membership.role === 'owner') {
      // The owner hands the group to the longest-standing admin, else the longest-standing member.
      const successor = await db
        .selectFrom('conversation_members')
        .select('account_id')
        .where('conversation_id', '=', conversationId)
        .where('account_id', '!=', viewerId)
        .orderBy((eb) => eb.case().when('role', '=', 'admin').then(0).else(1).end())
        .orderBy('joined_at')
        .executeTakeFirst();
      if (successor) {
        await db
          .updateTable('conversation_members')
          .set({ role: 'owner' })
          .where('conversation_id', '=', conversationId)
          .where('account_id', '=', successor.account_id)
          .execute();
        await db.updateTable('conversations').set({ owner_id: successor.account_id }).where('id', '=', conversationId).execute();
      }
    }
    await deleteMember(conversationId, viewerId);
    const actor = await accounts.getAccount(viewerId);
    await systemMessage(conversationId, viewerId, `${actor.display_name} left the group`);
    await notifyUpdated(conversationId, await memberIds(conversationId), [
      { accountId: viewerId, type: 'conversation.removed', payload: { conversationId: idString(conversationId) } },
    ]);
  }

  async function setRole(viewerId: number, conversationId: number, targetId: number, role: 'admin' | 'member') {
    const { membership } = await requireMember(conversationId, viewerId);
    if (membership.role !== 'owner') fail('CHAT_NOT_OWNER');
    const target = await findMember(conversationId, targetId);
    if (!target || target.role === 'owner') fail('CHAT_NOT_A_MEMBER', 'That member is not a non-owner member of this group.');
    await db.updateTable('conversation_members').set({ role }).where('conversation_id', '=', conversationId).where('account_id', '=', targetId).execute();
    await notifyUpdated(conversationId, await memberIds(conversationId));
    return getConversation(viewerId, conversationId);
  }

  async function transferOwner(viewerId: number, conversationId: number, targetId: number) {
    const { membership } = await requireMember(conversationId, viewerId);
    if (membership.role !== 'owner') fail('CHAT_NOT_OWNER');
    if (!(await findMember(conversationId, targetId))) fail('CHAT_NOT_A_MEMBER', 'That member is not in this group.');
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('conversation_members')
        .set({ role: 'admin' })
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', viewerId)
        .execute();
      await trx
        .updateTable('conversation_members')
        .set({ role: 'owner' })
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', targetId)
        .execute();
      await trx.updateTable('conversations').set({ owner_id: targetId }).where('id', '=', conversationId).execute();
    });
    const people = await accounts.getAccounts([viewerId, targetId]);
    await systemMessage(conversationId, viewerId, `${names(people, [targetId])} is now the group owner`);
    await notifyUpdated(conversationId, await memberIds(conversationId));
    return getConversation(viewerId, conversationId);
  }

  async function markRead(viewerId: number, conversationId: number, seq: number) {
    const { conversation } = await requireMember(conversationId, viewerId);
    const target = Math.min(seq, conversation.last_seq);
    await db
      .updateTable('conversation_members')
      .set({ last_read_seq: target })
      .where('conversation_id', '=', conversationId)
      .where('account_id', '=', viewerId)
      .where('last_read_seq', '<', target)
      .execute();
    return presentOne(viewerId, conversationId);
  }

  // Invites ---------------------------------------------------------------------------------------
  async function createInvite(viewerId: number, conversationId: number) {
    const { conversation } = await requireMember(conversationId, viewerId);
    if (conversation.kind !== 'group') fail('CHAT_INVALID_MESSAGE', 'Only groups have invite codes.');
    const code = randomBytes(15).toString('base64url');
    const now = Date.now();
    await db
      .insertInto('group_invites')
      .values({ code, conversation_id: conversationId, created_by: viewerId, created_at: now, expires_at: now + limits.groupInviteTtlMs })
      .execute();
    return { code, qrText: `plaza://group/${code}`, conversationId: idString(conversationId), expiresAt: toIso(now + limits.groupInviteTtlMs) };
  }

  async function loadInvite(code: string) {
    const invite = await db.selectFrom('group_invites').selectAll().where('code', '=', code).executeTakeFirst();
    if (!invite || invite.expires_at < Date.now()) fail('CHAT_INVITE_NOT_FOUND');
    // The invite dies with its inviter's membership, as a shared QR code does in WeChat.
    if (!(await findMember(invite.conversation_id, invite.created_by))) fail('CHAT_INVITE_NOT_FOUND');
    return invite;
  }

  async function previewInvite(code: string) {
    const invite = await loadInvite(code);
    const conversation = await loadConversation(invite.conversation_id);
    const inviter = await accounts.getAccount(invite.created_by);
    return {
      code,
      conversationId: idString(conversation.id),
      title: conversation.title,
      memberCount: conversation.member_count,
      invitedBy: presentAccount(inviter),
      expiresAt: toIso(invite.expires_at),
    };
  }

  async function joinByInvite(viewerId: number, code: string) {
    const invite = await loadInvite(code);
    if (!(await findMember(invite.conversation_id, viewerId))) {
      await insertMembers(invite.conversation_id, [viewerId]);
      const people = await accounts.getAccounts([viewerId, invite.created_by]);
      await systemMessage(
        invite.conversation_id,
        viewerId,
        `${names(people, [viewerId])} joined the group via ${names(people, [invite.created_by])}'s QR code`,
      );
      await notifyUpdated(invite.conversation_id, await memberIds(invite.conversation_id));
    }
    return presentOne(viewerId, invite.conversation_id);
  }

  // Messages --------------------------------------------------------------------------------------
  /** Checks that the sender may post here right now (from the membership cache: the send path). */
  async function requireCanSend(senderId: number, conversationId: number) {
    const { conversation, members } = await cachedMembership(conversationId);
    const membership = members.get(senderId);
    if (!membership) fail('CHAT_NOT_A_MEMBER');
    if (conversation.kind === 'direct') {
      const peerId = [...members.keys()].find((id) => id !== senderId);
      if (peerId !== undefined) {
        if (await contacts.hasBlocked(peerId, senderId)) fail('CHAT_BLOCKED');
        if (!(await contacts.areFriends(senderId, peerId))) fail('CHAT_NOT_FRIENDS');
      }
    }
    // The conversation row may lag on counters (last_seq); members and roles are current.
    return { conversation, membership };
  }

  async function buildContent(
    senderId: number,
    conversationId: number,
    membership: MemberRow,
    input: SendMessageBody,
  ): Promise<{ body: Record<string, unknown>; mediaId: number | null }> {
    switch (input.type) {
      case 'text': {
        const text = input.text;
        if (!text.trim()) fail('CHAT_INVALID_MESSAGE', 'A text message cannot be blank.');
        let mentions: string[] | 'all' = [];
        if (input.mentions === 'all') {
          if (membership.role !== 'owner' && membership.role !== 'admin') fail('CHAT_MENTION_ALL_FORBIDDEN');
          mentions = 'all';
        } else if (input.mentions?.length) {
          const ids = [...new Set(input.mentions.map((id) => parseId(id, 'mentions')))];
          const present = await db
            .selectFrom('conversation_members')
            .select('account_id')
            .where('conversation_id', '=', conversationId)
            .where('account_id', 'in', ids)
            .execute();
          mentions = present.map((r) => idString(r.account_id));
        }
        let quote: Record<string, unknown> | undefined;
        if (input.quote) {
          const quoted = await db.selectFrom('messages').selectAll().where('id', '=', parseId(input.quote.messageId, 'quote.messageId')).executeTakeFirst();
          if (!quoted || quoted.conversation_id !== conversationId || quoted.seq <= membership.joined_seq)
            fail('CHAT_MESSAGE_NOT_FOUND', 'The quoted message is not in this conversation.');
          const sender = await accounts.getAccount(quoted.sender_id);
          quote = {
            messageId: idString(quoted.id),
            senderId: idString(quoted.sender_id),
            senderName: sender.display_name,
            type: quoted.type,
            preview: previewOf(quoted.type, JSON.parse(quoted.body)),
          };
        }
        return { body: { text, mentions, ...(quote ? { quote } : {}) }, mediaId: null };
      }
      case 'image':
      case 'voice':
      case 'video':
      case 'file': {
        const row = await media.requireOwnUpload(senderId, parseId(input.mediaId, 'mediaId'), MEDIA_KINDS[input.type] ?? []);
        if (input.type === 'voice' && (row.duration_ms ?? input.durationMs ?? 0) > limits.voiceDurationMaxMs)
          fail('CHAT_INVALID_MESSAGE', 'Voice messages are at most 60 seconds.');
        const presented = media.present(row);
        if (input.type === 'voice' && input.durationMs && !presented.durationMs) presented.durationMs = input.durationMs;
        return { body: { media: presented }, mediaId: row.id };
      }
      case 'location':
        return { body: { latitude: input.latitude, longitude: input.longitude, name: input.name ?? '', address: input.address ?? '' }, mediaId: null };
      case 'contact_card': {
        const account = await accounts.getAccount(parseId(input.accountId, 'accountId'));
        return { body: { account: presentAccount(account) }, mediaId: null };
      }
    }
  }

  async function existingMessage(conversationId: number, senderId: number, clientMsgId: string) {
    return db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('sender_id', '=', senderId)
      .where('client_msg_id', '=', clientMsgId)
      .executeTakeFirst();
  }

  /**
   * Sends once per clientMsgId: a retry, even while the first attempt is still being written,
   * returns the first message.
   */
  async function sendMessage(
    senderId: number,
    conversationId: number,
    input: SendMessageBody,
  ): Promise<{ message: ReturnType<typeof presentMessage>; created: boolean }> {
    const key = `${conversationId}:${senderId}:${input.clientMsgId}`;
    const pending = inFlight.get(key);
    if (pending) return { message: presentMessage((await pending).row), created: false };
    const { membership } = await requireCanSend(senderId, conversationId);
    const { body, mediaId } = await buildContent(senderId, conversationId, membership, input);
    // A retry that arrived while this one was being checked joins it; the writer answers one
    // whose first attempt is already stored with the stored message.
    const racing = inFlight.get(key);
    if (racing) return { message: presentMessage((await racing).row), created: false };
    const promise = writer.submit({
      conversationId,
      senderId,
      clientMsgId: input.clientMsgId,
      type: input.type,
      body: JSON.stringify(body),
      mediaId,
      createdAt: Date.now(),
    });
    inFlight.set(key, promise);
    try {
      const { row, created } = await promise;
      return { message: presentMessage(row), created };
    } catch (error) {
      // Another node stored the same clientMsgId first: that one is the answer.
      if (isUniqueViolation(error)) {
        const winner = await existingMessage(conversationId, senderId, input.clientMsgId);
        if (winner) return { message: presentMessage(winner), created: false };
      }
      throw error;
    } finally {
      inFlight.delete(key);
    }
  }

  /**
   * For other modules (wallet cards, official-account articles, …): posts a message of their own
   * type, with the same membership, friendship and idempotency rules as a member's message.
   */
  async function postCard(senderId: number, conversationId: number, card: { type: string; clientMsgId: string; content: Record<string, unknown> }) {
    if (['text', 'image', 'voice', 'video', 'file', 'location', 'contact_card', 'system', 'recalled', 'chat_history'].includes(card.type)) {
      fail('CHAT_INVALID_MESSAGE', `postCard is for module cards, not ${card.type}`);
    }
    await requireCanSend(senderId, conversationId);
    const { row } = await writer.submit({
      conversationId,
      senderId,
      clientMsgId: card.clientMsgId,
      type: card.type,
      body: JSON.stringify(card.content),
      mediaId: null,
      createdAt: Date.now(),
    });
    return presentMessage(row);
  }

  /** Members of a conversation (for modules that must check, e.g. who may claim a red packet). */
  async function isMember(conversationId: number, accountId: number): Promise<boolean> {
    return (await findMember(conversationId, accountId)) !== undefined;
  }

  async function conversationInfo(conversationId: number) {
    const conversation = await loadConversation(conversationId);
    return { id: conversation.id, kind: conversation.kind, memberCount: conversation.member_count };
  }

  async function listMessages(viewerId: number, conversationId: number, query: { afterSeq?: number; beforeSeq?: number; limit?: number }) {
    const { membership } = await requireMember(conversationId, viewerId);
    const limit = Math.min(query.limit ?? 50, limits.messagePageMax);
    let q = db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', Math.max(query.afterSeq ?? 0, membership.joined_seq))
      .where('id', 'not in', db.selectFrom('message_hidden').select('message_id').where('account_id', '=', viewerId));
    if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
    // Without afterSeq, a page is the newest `limit` messages (or those just before beforeSeq).
    const newestFirst = query.afterSeq === undefined;
    const rows = await q
      .orderBy('seq', newestFirst ? 'desc' : 'asc')
      .limit(limit)
      .execute();
    if (newestFirst) rows.reverse();
    return rows.map(presentMessage);
  }

  async function loadMessage(conversationId: number, messageId: number): Promise<MessageRow> {
    const row = await db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (!row || row.conversation_id !== conversationId) fail('CHAT_MESSAGE_NOT_FOUND');
    return row;
  }

  /** The sender takes a message back within 2 minutes: its content is erased on the server. */
  async function recall(viewerId: number, conversationId: number, messageId: number) {
    await requireMember(conversationId, viewerId);
    const row = await loadMessage(conversationId, messageId);
    if (row.sender_id !== viewerId || row.type === 'system') fail('CHAT_RECALL_FORBIDDEN');
    if (row.recalled_at !== null) return presentMessage(row);
    if (Date.now() - row.created_at > limits.messageRecallWindowMs) fail('CHAT_RECALL_EXPIRED');
    const actor = await accounts.getAccount(viewerId);
    const now = Date.now();
    const { updated, deliveries } = await db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable('messages')
        .set({
          type: 'recalled',
          body: JSON.stringify({ recalledBy: { id: idString(viewerId), displayName: actor.display_name } }),
          media_id: null,
          recalled_at: now,
        })
        .where('id', '=', messageId)
        .where('recalled_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!changed) return { updated: undefined, deliveries: [] };
      const members = await trx.selectFrom('conversation_members').select('account_id').where('conversation_id', '=', conversationId).execute();
      const payload = { conversationId: idString(conversationId), messageId: idString(messageId), seq: row.seq, recalledBy: presentAccount(actor) };
      const deliveries = await inbox.appendEvents(
        trx,
        members.map((m) => ({ accountId: m.account_id, type: 'message.recalled' as const, payload })),
      );
      return { updated: changed, deliveries };
    });
    inbox.publish(deliveries);
    if (row.media_id !== null) await media.deleteIfUnreferenced(row.media_id);
    return presentMessage(updated ?? (await loadMessage(conversationId, messageId)));
  }

  async function hideForMe(viewerId: number, conversationId: number, messageId: number) {
    await requireMember(conversationId, viewerId);
    await loadMessage(conversationId, messageId);
    const exists = await db
      .selectFrom('message_hidden')
      .select('message_id')
      .where('account_id', '=', viewerId)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (!exists) await db.insertInto('message_hidden').values({ account_id: viewerId, message_id: messageId }).execute();
  }

  async function forward(viewerId: number, input: ForwardBody) {
    const fromId = parseId(input.fromConversationId, 'fromConversationId');
    const { membership } = await requireMember(fromId, viewerId);
    const ids = [...new Set(input.messageIds.map((id) => parseId(id, 'messageIds')))];
    const rows = await db.selectFrom('messages').selectAll().where('conversation_id', '=', fromId).where('id', 'in', ids).orderBy('seq').execute();
    const usable = rows.filter((r) => r.seq > membership.joined_seq && r.recalled_at === null && r.type !== 'system');
    if (usable.length !== ids.length) fail('CHAT_MESSAGE_NOT_FOUND', 'Some messages cannot be forwarded (recalled, system, or not in that chat).');
    const targets = [...new Set(input.toConversationIds.map((id) => parseId(id, 'toConversationIds')))];
    for (const target of targets) await requireCanSend(viewerId, target);
    const results = [];
    for (const target of targets) {
      if (input.mode === 'combined') {
        const people = await accounts.getAccounts(usable.map((r) => r.sender_id));
        const fromConversation = await presentOne(viewerId, fromId);
        const items = usable.map((r) => ({
          senderName: people.get(r.sender_id)?.display_name ?? '',
          type: r.type,
          preview: previewOf(r.type, JSON.parse(r.body)),
          createdAt: toIso(r.created_at),
        }));
        const clientMsgId = derivedClientMsgId(input.clientMsgId, target);
        const prior = await existingMessage(target, viewerId, clientMsgId);
        const row =
          prior ??
          (
            await writer.submit({
              conversationId: target,
              senderId: viewerId,
              clientMsgId,
              type: 'chat_history',
              body: JSON.stringify({ title: `Chat history: ${fromConversation.title}`, items }),
              mediaId: null,
              createdAt: Date.now(),
            })
          ).row;
        results.push(presentMessage(row));
        continue;
      }
      for (const [index, source] of usable.entries()) {
        const clientMsgId = derivedClientMsgId(input.clientMsgId, target, index);
        const prior = await existingMessage(target, viewerId, clientMsgId);
        if (prior) {
          results.push(presentMessage(prior));
          continue;
        }
        const content = JSON.parse(source.body) as Record<string, unknown>;
        // A forwarded text loses its quote and mentions: they belong to the original chat.
        const body = source.type === 'text' ? { text: content.text, mentions: [], forwarded: true } : { ...content, forwarded: true };
        const { row } = await writer.submit({
          conversationId: target,
          senderId: viewerId,
          clientMsgId,
          type: source.type,
          body: JSON.stringify(body),
          mediaId: source.media_id,
          createdAt: Date.now(),
        });
        results.push(presentMessage(row));
      }
    }
    return results;
  }

  /** Media of a conversation may be fetched by its members (the media module asks). */
  media.setAccessCheck(async (accountId, mediaId) => {
    const row = await db
      .selectFrom('media_links as l')
      .innerJoin('conversation_members as m', 'm.conversation_id', 'l.conversation_id')
      .select('l.media_id')
      .where('l.media_id', '=', mediaId)
      .where('m.account_id', '=', accountId)
      .executeTakeFirst();
    return row !== undefined;
  });

  return {
    createDirect,
    createGroup,
    listConversations,
    getConversation,
    updateConversation,
    updateSettings,
    addMembers,
    removeMember,
    leave,
    setRole,
    transferOwner,
    markRead,
    createInvite,
    previewInvite,
    joinByInvite,
    sendMessage,
    listMessages,
    recall,
    hideForMe,
    forward,
    postCard,
    isMember,
    conversationInfo,
    memberIds,
    requireCanSend,
    writerStats: () => ({ batches: writer.batches, commands: writer.commands }),
    close: () => writer.close(),
  };
}

export type ChatService = ReturnType<typeof createChatService>;
