import type { Selectable, Updateable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail } from '../../lib/errors.js';
import { idString, toIso } from '../../lib/ids.js';
import { limits } from '../../limits.js';
import { type AccountRow, type AccountsService, presentAccount } from '../accounts/index.js';
import type { Delivery, InboxService } from '../inbox/index.js';

type RequestRow = Selectable<Database['friend_requests']>;
type ContactRow = Selectable<Database['contacts']>;

function presentRequest(row: RequestRow, from: AccountRow | undefined, to: AccountRow | undefined) {
  return {
    id: idString(row.id),
    status: row.status,
    message: row.message,
    from: from ? presentAccount(from) : null,
    to: to ? presentAccount(to) : null,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function presentContact(row: ContactRow, account: AccountRow) {
  return { account: presentAccount(account), remark: row.remark, tags: JSON.parse(row.tags) as string[], since: toIso(row.created_at) };
}

const RELATION_INVALIDATE_TOPIC = 'contacts.relation.invalidate';

export function createContactsService(ctx: AppContext, deps: { accounts: AccountsService; inbox: InboxService }) {
  const { db } = ctx;
  const { accounts, inbox } = deps;

  async function hasContact(ownerId: number, peerId: number): Promise<boolean> {
    const row = await db.selectFrom('contacts').select('owner_id').where('owner_id', '=', ownerId).where('peer_id', '=', peerId).executeTakeFirst();
    return row !== undefined;
  }

  // Every message in a direct chat asks "friends?" and "blocked?"; the answers are cached per pair
  // and dropped on every change (here and, through the bus, on the other nodes).
  interface Relation {
    contactAB: boolean;
    contactBA: boolean;
    blockAB: boolean;
    blockBA: boolean;
  }
  const relationCache = new Map<string, Relation>();
  const relationGeneration = new Map<string, number>();
  const RELATION_CACHE_MAX = 100_000;
  const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
  ctx.bus.subscribe(RELATION_INVALIDATE_TOPIC, (payload) => dropRelation(payload));

  function dropRelation(key: string): void {
    relationCache.delete(key);
    relationGeneration.set(key, (relationGeneration.get(key) ?? 0) + 1);
  }

  function invalidateRelation(a: number, b: number): void {
    dropRelation(pairKey(a, b));
    ctx.bus.publish(RELATION_INVALIDATE_TOPIC, pairKey(a, b));
  }

  /** The relation between a (the smaller id) and b, seen from both sides. */
  async function relation(x: number, y: number): Promise<Relation> {
    const key = pairKey(x, y);
    const cached = relationCache.get(key);
    if (cached) return cached;
    const [a, b] = x < y ? [x, y] : [y, x];
    const generation = relationGeneration.get(key) ?? 0;
    const pair = (eb: any) => eb.or([eb.and([eb('owner_id', '=', a), eb('peer_id', '=', b)]), eb.and([eb('owner_id', '=', b), eb('peer_id', '=', a)])]);
    const contactRows = await db.selectFrom('contacts').select('owner_id').where(pair).execute();
    const blockRows = await db.selectFrom('blocks').select('owner_id').where(pair).execute();
    const value: Relation = {
      contactAB: contactRows.some((r) => r.owner_id === a),
      contactBA: contactRows.some((r) => r.owner_id === b),
      blockAB: blockRows.some((r) => r.owner_id === a),
      blockBA: blockRows.some((r) => r.owner_id === b),
    };
    if ((relationGeneration.get(key) ?? 0) === generation) {
      if (relationCache.size >= RELATION_CACHE_MAX) relationCache.clear();
      relationCache.set(key, value);
    }
    return value;
  }

  /** Friends as WeChat means it: each has the other in their contacts. */
  async function areFriends(a: number, b: number): Promise<boolean> {
    const r = await relation(a, b);
    return r.contactAB && r.contactBA;
  }

  async function hasBlocked(ownerId: number, peerId: number): Promise<boolean> {
    const r = await relation(ownerId, peerId);
    return ownerId < peerId ? r.blockAB : r.blockBA;
  }

  async function sendRequest(fromId: number, target: { handle?: string; accountId?: number }, message: string | undefined) {
    const to =
      target.accountId !== undefined
        ? await accounts.getAccount(target.accountId)
        : target.handle
          ? await accounts.findByHandle(target.handle)
          : fail('VALIDATION_FAILED', 'Give the handle or accountId of the member to add.');
    if (!to) fail('ACCOUNTS_NOT_FOUND');
    if (to.id === fromId) fail('CONTACTS_SELF');
    if (await areFriends(fromId, to.id)) fail('CONTACTS_ALREADY_FRIENDS');
    if (await hasBlocked(to.id, fromId)) fail('CONTACTS_REQUEST_REFUSED');
    const now = Date.now();
    const greeting = (message ?? '').slice(0, limits.friendRequestMessageMaxChars);

    // They already asked us: asking back is saying yes.
    const reverse = await db
      .selectFrom('friend_requests')
      .selectAll()
      .where('from_id', '=', to.id)
      .where('to_id', '=', fromId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (reverse) return { request: (await accept(fromId, reverse.id)).request };

    const fromAccount = await accounts.getAccount(fromId);
    // Inside a transaction only `trx` may be used: SQLite has one connection, so `db` would wait forever.
    const { row, deliveries } = await db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('friend_requests')
        .selectAll()
        .where('from_id', '=', fromId)
        .where('to_id', '=', to.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const saved = existing
        ? await trx
            .updateTable('friend_requests')
            .set({ message: greeting, updated_at: now })
            .where('id', '=', existing.id)
            .returningAll()
            .executeTakeFirstOrThrow()
        : await trx
            .insertInto('friend_requests')
            .values({ from_id: fromId, to_id: to.id, message: greeting, status: 'pending', created_at: now, updated_at: now })
            .returningAll()
            .executeTakeFirstOrThrow();
      const deliveries = await inbox.appendEvents(trx, [
        { accountId: to.id, type: 'friend_request.received', payload: { request: presentRequest(saved, fromAccount, to) } },
      ]);
      return { row: saved, deliveries };
    });
    inbox.publish(deliveries);
    return { request: presentRequest(row, fromAccount, to) };
  }

  async function listRequests(accountId: number) {
    const rows = await db
      .selectFrom('friend_requests')
      .selectAll()
      .where((eb) => eb.or([eb('to_id', '=', accountId), eb('from_id', '=', accountId)]))
      .orderBy('updated_at', 'desc')
      .limit(200)
      .execute();
    const people = await accounts.getAccounts(rows.flatMap((r) => [r.from_id, r.to_id]));
    return rows.map((r) => ({ ...presentRequest(r, people.get(r.from_id), people.get(r.to_id)), direction: r.to_id === accountId ? 'incoming' : 'outgoing' }));
  }

  async function loadRequestFor(accountId: number, requestId: number) {
    const row = await db.selectFrom('friend_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
    if (!row || row.to_id !== accountId) fail('CONTACTS_REQUEST_NOT_FOUND');
    return row;
  }

  async function accept(accountId: number, requestId: number) {
    const row = await loadRequestFor(accountId, requestId);
    if (row.status === 'declined') fail('CONTACTS_REQUEST_CLOSED');
    const now = Date.now();
    const people = await accounts.getAccounts([row.from_id, row.to_id]);
    const deliveries: Delivery[] = await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('friend_requests')
        .set({ status: 'accepted', updated_at: now })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return []; // accepted before: accepting again changes nothing
      for (const [owner, peer] of [
        [row.from_id, row.to_id],
        [row.to_id, row.from_id],
      ] as const) {
        const exists = await trx.selectFrom('contacts').select('owner_id').where('owner_id', '=', owner).where('peer_id', '=', peer).executeTakeFirst();
        if (!exists) await trx.insertInto('contacts').values({ owner_id: owner, peer_id: peer, remark: '', tags: '[]', created_at: now }).execute();
      }
      // Whoever accepts lifts their own block on the requester.
      await trx.deleteFrom('blocks').where('owner_id', '=', row.to_id).where('peer_id', '=', row.from_id).execute();
      const request = presentRequest({ ...row, status: 'accepted', updated_at: now }, people.get(row.from_id), people.get(row.to_id));
      return inbox.appendEvents(trx, [
        { accountId: row.from_id, type: 'friend_request.accepted', payload: { request, contact: presentAccount(people.get(row.to_id) as AccountRow) } },
        { accountId: row.to_id, type: 'friend_request.accepted', payload: { request, contact: presentAccount(people.get(row.from_id) as AccountRow) } },
      ]);
    });
    invalidateRelation(row.from_id, row.to_id);
    inbox.publish(deliveries);
    return { request: presentRequest({ ...row, status: 'accepted', updated_at: now }, people.get(row.from_id), people.get(row.to_id)) };
  }

  async function decline(accountId: number, requestId: number) {
    const row = await loadRequestFor(accountId, requestId);
    if (row.status === 'accepted') fail('CONTACTS_REQUEST_CLOSED');
    await db.updateTable('friend_requests').set({ status: 'declined', updated_at: Date.now() }).where('id', '=', row.id).execute();
    return { request: { id: idString(row.id), status: 'declined' as const } };
  }

  async function listContacts(accountId: number) {
    const rows = await db.selectFrom('contacts').selectAll().where('owner_id', '=', accountId).limit(limits.contactsPageMax).execute();
    const people = await accounts.getAccounts(rows.map((r) => r.peer_id));
    return rows.filter((r) => people.has(r.peer_id)).map((r) => presentContact(r, people.get(r.peer_id) as AccountRow));
  }

  async function getContact(ownerId: number, peerId: number) {
    const row = await db.selectFrom('contacts').selectAll().where('owner_id', '=', ownerId).where('peer_id', '=', peerId).executeTakeFirst();
    if (!row) fail('CONTACTS_NOT_A_CONTACT');
    return presentContact(row, await accounts.getAccount(peerId));
  }

  async function updateContact(ownerId: number, peerId: number, patch: { remark?: string; tags?: string[] }) {
    await getContact(ownerId, peerId);
    const set: Updateable<Database['contacts']> = {};
    if (patch.remark !== undefined) set.remark = patch.remark.trim();
    if (patch.tags !== undefined) set.tags = JSON.stringify([...new Set(patch.tags.map((t) => t.trim()).filter(Boolean))]);
    const deliveries = await db.transaction().execute(async (trx) => {
      if (Object.keys(set).length) await trx.updateTable('contacts').set(set).where('owner_id', '=', ownerId).where('peer_id', '=', peerId).execute();
      const row = await trx.selectFrom('contacts').selectAll().where('owner_id', '=', ownerId).where('peer_id', '=', peerId).executeTakeFirstOrThrow();
      return inbox.appendEvents(trx, [
        { accountId: ownerId, type: 'contact.updated', payload: { contact: { accountId: idString(peerId), remark: row.remark, tags: JSON.parse(row.tags) } } },
      ]);
    });
    inbox.publish(deliveries);
    return getContact(ownerId, peerId);
  }

  /** Removes the peer from my contacts only (as WeChat: they keep me until they delete me too). */
  async function deleteContact(ownerId: number, peerId: number) {
    await getContact(ownerId, peerId);
    const deliveries = await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('contacts').where('owner_id', '=', ownerId).where('peer_id', '=', peerId).execute();
      return inbox.appendEvents(trx, [{ accountId: ownerId, type: 'contact.removed', payload: { accountId: idString(peerId) } }]);
    });
    invalidateRelation(ownerId, peerId);
    inbox.publish(deliveries);
  }

  async function block(ownerId: number, peerId: number) {
    if (ownerId === peerId) fail('CONTACTS_SELF');
    await accounts.getAccount(peerId);
    if (!(await hasBlocked(ownerId, peerId))) {
      try {
        await db.insertInto('blocks').values({ owner_id: ownerId, peer_id: peerId, created_at: Date.now() }).execute();
      } catch {
        // a concurrent block of the same peer: the row is there, which is what was asked
      }
    }
    invalidateRelation(ownerId, peerId);
  }

  async function unblock(ownerId: number, peerId: number) {
    await db.deleteFrom('blocks').where('owner_id', '=', ownerId).where('peer_id', '=', peerId).execute();
    invalidateRelation(ownerId, peerId);
  }

  async function listBlocks(ownerId: number) {
    const rows = await db.selectFrom('blocks').select('peer_id').where('owner_id', '=', ownerId).limit(limits.contactsPageMax).execute();
    const people = await accounts.getAccounts(rows.map((r) => r.peer_id));
    return [...people.values()].map(presentAccount);
  }

  return {
    areFriends,
    hasContact,
    hasBlocked,
    sendRequest,
    listRequests,
    accept,
    decline,
    listContacts,
    getContact,
    updateContact,
    deleteContact,
    block,
    unblock,
    listBlocks,
  };
}

export type ContactsService = ReturnType<typeof createContactsService>;
