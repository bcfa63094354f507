import type { Kysely } from 'kysely';
import { addToCounters } from '../../db/counters.js';
import type { Database } from '../../db/schema.js';
import { invariant } from '../../lib/errors.js';
import { limits } from '../../limits.js';
import type { Delivery, InboxService, NewInboxEvent } from '../inbox/index.js';
import { type MessageRow, presentMessage } from './presenter.js';
import { inChunks } from '../../lib/chunks.js';

export interface SendCommand {
  conversationId: number;
  senderId: number;
  clientMsgId: string;
  type: string;
  body: string;
  mediaId: number | null;
  createdAt: number;
}

export interface WriteResult {
  row: MessageRow;
  /** false when a message with the same (conversation, sender, clientMsgId) was already stored. */
  created: boolean;
}

interface Pending {
  command: SendCommand;
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for messages: commands that arrive while a transaction is being written wait for
 * the next one, so under load each transaction (and each fsync) carries many messages. A caller is
 * answered only after the transaction holding its message has committed.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  private idle: (() => void)[] = [];
  batches = 0;
  commands = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly inbox: InboxService,
    private readonly onCommitted: (rows: MessageRow[]) => void,
  ) {}

  submit(command: SendCommand): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('message writer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, limits.writerBatchMax);
      try {
        await this.writeBatch(batch);
      } catch {
        // One bad command must not fail its neighbours: write each alone, so only it is rejected.
        for (const pending of batch) {
          try {
            await this.writeBatch([pending]);
          } catch (error) {
            pending.reject(error);
          }
        }
      }
    }
    this.running = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async writeBatch(all: Pending[]): Promise<void> {
    // Idempotency for the whole batch in one read: a clientMsgId already stored (or repeated
    // within the batch) answers with the stored message and takes no sequence number.
    const keyOf = (c: SendCommand) => `${c.conversationId}:${c.senderId}:${c.clientMsgId}`;
    const stored = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', 'in', [...new Set(all.map((p) => p.command.conversationId))])
      .where('client_msg_id', 'in', [...new Set(all.map((p) => p.command.clientMsgId))])
      .execute();
    const existing = new Map(stored.map((r) => [`${r.conversation_id}:${r.sender_id}:${r.client_msg_id}`, r]));
    const firstByKey = new Map<string, Pending>();
    const duplicates: Pending[] = [];
    const batch: Pending[] = [];
    for (const pending of all) {
      const key = keyOf(pending.command);
      const row = existing.get(key);
      if (row) pending.resolve({ row, created: false });
      else if (firstByKey.has(key)) duplicates.push(pending);
      else {
        firstByKey.set(key, pending);
        batch.push(pending);
      }
    }
    if (batch.length === 0) return;
    const { rows, deliveries } = await this.db.transaction().execute(async (trx) => {
      // 1. Sequence numbers: lock each conversation once, in id order (no deadlocks across nodes).
      const countByConversation = new Map<number, number>();
      for (const { command } of batch) countByConversation.set(command.conversationId, (countByConversation.get(command.conversationId) ?? 0) + 1);
      const now = Date.now();
      const lastSeq = await addToCounters(
        trx,
        { table: 'conversations', key: 'id', counter: 'last_seq', alsoSet: { column: 'last_message_at', value: now } },
        countByConversation,
      );
      const nextSeq = new Map<number, number>();
      for (const [conversationId, count] of countByConversation) nextSeq.set(conversationId, (lastSeq.get(conversationId) ?? 0) - count + 1);
      // 2. The messages, in arrival order within each conversation.
      const values = batch.map(({ command }) => {
        const seq = nextSeq.get(command.conversationId) ?? 0;
        nextSeq.set(command.conversationId, seq + 1);
        return {
          conversation_id: command.conversationId,
          seq,
          sender_id: command.senderId,
          client_msg_id: command.clientMsgId,
          type: command.type,
          body: command.body,
          media_id: command.mediaId,
          created_at: command.createdAt,
          recalled_at: null,
        };
      });
      const inserted = await inChunks(values, limits.insertChunkRows, (chunk) => trx.insertInto('messages').values(chunk).returningAll().execute());
      const bySeqKey = new Map(inserted.map((r) => [`${r.conversation_id}:${r.seq}`, r]));
      const rows = values.map((v) => bySeqKey.get(`${v.conversation_id}:${v.seq}`) as MessageRow);
      invariant(rows.every(Boolean), 'every inserted message came back');
      // 3. Media shared into the conversation becomes readable by its members.
      for (const row of rows) {
        if (row.media_id !== null) {
          const linked = await trx
            .selectFrom('media_links')
            .select('media_id')
            .where('media_id', '=', row.media_id)
            .where('conversation_id', '=', row.conversation_id)
            .executeTakeFirst();
          if (!linked) await trx.insertInto('media_links').values({ media_id: row.media_id, conversation_id: row.conversation_id }).execute();
        }
      }
      // 4. Fan-out: one small pointer per member; the message is serialised once and shared.
      const conversationIds = [...countByConversation.keys()];
      const members = await trx
        .selectFrom('conversation_members')
        .select(['conversation_id', 'account_id'])
        .where('conversation_id', 'in', conversationIds)
        .execute();
      const membersByConversation = new Map<number, number[]>();
      for (const m of members) {
        const list = membersByConversation.get(m.conversation_id) ?? [];
        list.push(m.account_id);
        membersByConversation.set(m.conversation_id, list);
      }
      const events: NewInboxEvent[] = [];
      const bodies: string[] = [];
      for (const row of rows) {
        const body = JSON.stringify({ type: 'message.new', message: presentMessage(row) });
        for (const accountId of membersByConversation.get(row.conversation_id) ?? []) {
          events.push({ accountId, type: 'message.new', conversationId: row.conversation_id, messageSeq: row.seq });
          bodies.push(body);
        }
      }
      const deliveries: Delivery[] = await this.inbox.appendEvents(trx, events, bodies);
      return { rows, deliveries };
    });
    this.batches += 1;
    this.commands += batch.length;
    this.inbox.publish(deliveries);
    this.onCommitted(rows);
    const written = new Map<string, MessageRow>();
    for (const [index, pending] of batch.entries()) {
      const row = rows[index] as MessageRow;
      written.set(keyOf(pending.command), row);
      pending.resolve({ row, created: true });
    }
    for (const pending of duplicates) {
      const row = written.get(keyOf(pending.command));
      if (row) pending.resolve({ row, created: false });
      else pending.reject(new Error('duplicate of a message that was not written'));
    }
  }

  /** Resolves when every submitted command has been written (or rejected). */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
