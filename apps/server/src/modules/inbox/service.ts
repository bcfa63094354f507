import type { Kysely, Transaction } from 'kysely';
import type { InboxEventType } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { addToCounters } from '../../db/counters.js';
import type { Database } from '../../db/schema.js';
import { invariant } from '../../lib/errors.js';
import { limits } from '../../limits.js';
import { inChunks } from '../../lib/chunks.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface NewInboxEvent {
  accountId: number;
  type: InboxEventType;
  /** For message.new: a pointer to the message instead of a copy of it. */
  conversationId?: number;
  messageSeq?: number;
  /** Small JSON payload for every other event type. */
  payload?: Record<string, unknown>;
}

/** One event for one member, ready to go out: `body` is the event JSON without its seq. */
export interface Delivery {
  accountId: number;
  seq: number;
  body: string;
}

export const DELIVERIES_TOPIC = 'inbox.deliveries';

/** Turns stored message.new pointers into full events; the chat module provides it. */
export type MessageMaterializer = (
  db: Executor,
  viewerId: number,
  pointers: { conversationId: number; messageSeq: number }[],
) => Promise<Map<string, Record<string, unknown>>>;

export function pointerKey(conversationId: number, messageSeq: number): string {
  return `${conversationId}:${messageSeq}`;
}

export function createInboxService(ctx: AppContext) {
  let materializeMessages: MessageMaterializer | undefined;

  /**
   * Gives each event the next sequence numbers of its member's inbox and stores it, inside the
   * caller's transaction. Heads are locked in account order so concurrent writers cannot deadlock.
   * `bodies` lets a caller pass one serialised body shared by many recipients (fan-out).
   */
  async function appendEvents(trx: Transaction<Database>, events: NewInboxEvent[], bodies?: string[]): Promise<Delivery[]> {
    if (events.length === 0) return [];
    const countByAccount = new Map<number, number>();
    for (const event of events) countByAccount.set(event.accountId, (countByAccount.get(event.accountId) ?? 0) + 1);
    const lastSeqByAccount = await addToCounters(trx, { table: 'inbox_heads', key: 'account_id', counter: 'last_seq' }, countByAccount);
    const nextSeqByAccount = new Map<number, number>();
    for (const [accountId, count] of countByAccount) nextSeqByAccount.set(accountId, (lastSeqByAccount.get(accountId) ?? 0) - count + 1);
    const now = Date.now();
    const deliveries: Delivery[] = [];
    const rows: Database['inbox_events'][] = [];
    events.forEach((event, index) => {
      const seq = nextSeqByAccount.get(event.accountId) ?? 0;
      nextSeqByAccount.set(event.accountId, seq + 1);
      rows.push({
        account_id: event.accountId,
        seq,
        type: event.type,
        conversation_id: event.conversationId ?? null,
        message_seq: event.messageSeq ?? null,
        payload: event.payload ? JSON.stringify(event.payload) : null,
        created_at: now,
      });
      const body = bodies?.[index] ?? JSON.stringify({ type: event.type, ...event.payload });
      deliveries.push({ accountId: event.accountId, seq, body });
    });
    await inChunks(rows, limits.insertChunkRows, (chunk) => trx.insertInto('inbox_events').values(chunk).execute());
    return deliveries;
  }

  /** Sends committed deliveries to every node; call only after the transaction committed. */
  function publish(deliveries: Delivery[]): void {
    if (deliveries.length === 0) return;
    // Bodies shared by many recipients are sent once per bus message, not once per recipient.
    const bodyIndex = new Map<string, number>();
    const bodies: string[] = [];
    const items: [number, number, number][] = [];
    for (const d of deliveries) {
      let index = bodyIndex.get(d.body);
      if (index === undefined) {
        index = bodies.length;
        bodies.push(d.body);
        bodyIndex.set(d.body, index);
      }
      items.push([d.accountId, d.seq, index]);
    }
    ctx.bus.publish(DELIVERIES_TOPIC, JSON.stringify({ bodies, items }));
  }

  async function createHead(trx: Executor, accountId: number): Promise<void> {
    await trx.insertInto('inbox_heads').values({ account_id: accountId, last_seq: 0 }).execute();
  }

  async function lastSeq(accountId: number): Promise<number> {
    const row = await ctx.db.selectFrom('inbox_heads').select('last_seq').where('account_id', '=', accountId).executeTakeFirst();
    return row?.last_seq ?? 0;
  }

  /** Events after `afterSeq`, in order, materialised as clients see them. */
  async function readEvents(accountId: number, afterSeq: number, limit: number): Promise<{ seq: number; event: Record<string, unknown> }[]> {
    const rows = await ctx.db
      .selectFrom('inbox_events')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(Math.min(limit, limits.syncPageMax))
      .execute();
    const pointers = rows
      .filter((r) => r.type === 'message.new' && r.conversation_id !== null && r.message_seq !== null)
      .map((r) => ({ conversationId: r.conversation_id as number, messageSeq: r.message_seq as number }));
    invariant(pointers.length === 0 || materializeMessages, 'a message materializer is registered');
    const messages = pointers.length && materializeMessages ? await materializeMessages(ctx.db, accountId, pointers) : new Map();
    return rows.map((r) => {
      if (r.type === 'message.new') {
        const message = messages.get(pointerKey(r.conversation_id ?? 0, r.message_seq ?? 0));
        return { seq: r.seq, event: { seq: r.seq, type: r.type, message: message ?? null } };
      }
      const payload = r.payload ? (JSON.parse(r.payload) as Record<string, unknown>) : {};
      return { seq: r.seq, event: { seq: r.seq, type: r.type, ...payload } };
    });
  }

  return {
    appendEvents,
    publish,
    createHead,
    lastSeq,
    readEvents,
    setMessageMaterializer(fn: MessageMaterializer) {
      materializeMessages = fn;
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
