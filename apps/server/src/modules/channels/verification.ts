import type { Kysely, Transaction } from 'kysely';
import { socialLimits, type VerificationBody } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { InboxService } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';
import type { ChannelRow, ChannelsDatabase, VerificationRow } from './store.js';

interface StoredProof {
  links: string[];
  followerCounts: { platform: string; count: number }[];
  documentMediaIds: string[];
  statement: string;
}

/**
 * Creator verification: a channel with enough followers (CHANNELS_VERIFY_MIN_FOLLOWERS, 1,000 by
 * default) submits proof of influence; an operator approves or rejects it; an approved channel
 * is verified from then on and shows a badge on the channel and its posts.
 */
export function createChannelVerification(ctx: AppContext, deps: { accounts: AccountsService; media: MediaService; inbox: InboxService; nowMs: () => number }) {
  const db = ctx.db as unknown as Kysely<ChannelsDatabase>;
  const { accounts, media, inbox } = deps;
  const minFollowers = ctx.config.channels.verifyMinFollowers;

  async function ownChannel(accountId: number): Promise<ChannelRow> {
    const row = await db.selectFrom('channels').selectAll().where('owner_id', '=', accountId).executeTakeFirst();
    if (!row) fail('CHANNELS_NO_CHANNEL');
    return row;
  }

  async function present(rows: VerificationRow[]) {
    const channelIds = [...new Set(rows.map((r) => r.channel_id))];
    const channels = channelIds.length ? await db.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute() : [];
    const byId = new Map(channels.map((c) => [c.id, c]));
    const result = [];
    for (const row of rows) {
      const proof = JSON.parse(row.proof) as StoredProof;
      const documents = [];
      for (const id of proof.documentMediaIds) {
        const found = await db.selectFrom('media').selectAll().where('id', '=', Number(id)).executeTakeFirst();
        if (found) documents.push(media.present(found));
      }
      const channel = byId.get(row.channel_id);
      result.push({
        id: idString(row.id),
        channel: channel ? { id: idString(channel.id), name: channel.name, followerCount: channel.follower_count } : null,
        applicantId: idString(row.applicant_id),
        status: row.status,
        proof: { ...proof, documents },
        followerCountAtApply: row.follower_count_at_apply,
        note: row.note,
        createdAt: toIso(row.created_at),
        reviewedAt: row.reviewed_at === null ? null : toIso(row.reviewed_at),
      });
    }
    return result;
  }

  async function latestOf(channelId: number): Promise<VerificationRow | undefined> {
    return db.selectFrom('channel_verifications').selectAll().where('channel_id', '=', channelId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** My channel's standing: the rule, how far it is met, and my latest application. */
  async function mine(accountId: number) {
    const channel = await ownChannel(accountId);
    const latest = await latestOf(channel.id);
    return {
      eligibility: { minFollowers, followerCount: channel.follower_count, eligible: channel.follower_count >= minFollowers },
      verified: channel.verified_at !== null,
      application: latest ? (await present([latest]))[0] : null,
    };
  }

  async function apply(accountId: number, body: VerificationBody) {
    const channel = await ownChannel(accountId);
    if (channel.verified_at !== null) fail('CHANNELS_ALREADY_VERIFIED');
    if (channel.follower_count < minFollowers)
      fail('CHANNELS_NOT_ELIGIBLE', `A channel needs at least ${minFollowers} followers to apply; this one has ${channel.follower_count}.`);
    const proof: StoredProof = {
      links: body.links ?? [],
      followerCounts: (body.followerCounts ?? []).map((f) => ({ platform: f.platform.trim(), count: f.count })),
      documentMediaIds: [...new Set((body.documentMediaIds ?? []).map((id) => idString(parseId(id, 'documentMediaIds'))))],
      statement: (body.statement ?? '').trim(),
    };
    if (proof.links.length + proof.followerCounts.length + proof.documentMediaIds.length === 0) fail('CHANNELS_INVALID_PROOF');
    for (const id of proof.documentMediaIds) {
      const row = await media.load(Number(id));
      if (row.owner_id !== accountId) fail('MEDIA_FORBIDDEN');
      if (row.kind !== 'image' && row.kind !== 'file') fail('CHANNELS_INVALID_PROOF', 'A document is an image or file upload.');
    }
    const saved = await db.transaction().execute(async (trx) => {
      const pending = await trx
        .selectFrom('channel_verifications')
        .select('id')
        .where('channel_id', '=', channel.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (pending) fail('CHANNELS_VERIFICATION_PENDING');
      const row = await trx
        .insertInto('channel_verifications')
        .values({
          channel_id: channel.id,
          applicant_id: accountId,
          status: 'pending',
          proof: JSON.stringify(proof),
          follower_count_at_apply: channel.follower_count,
          note: null,
          reviewer_id: null,
          created_at: deps.nowMs(),
          reviewed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (proof.documentMediaIds.length)
        await trx
          .insertInto('channel_verification_documents')
          .values(proof.documentMediaIds.map((id) => ({ media_id: Number(id), verification_id: row.id })))
          .execute();
      return row;
    });
    return (await present([saved]))[0];
  }

  /** The operators' queue: oldest first for pending (first come, first reviewed), newest first otherwise. */
  async function queue(status: VerificationRow['status'], cursorText: string | undefined, limitWanted: number | undefined) {
    const limit = Math.min(Math.max(limitWanted ?? 20, 1), socialLimits.verificationPageMax);
    const cursor = cursorText === undefined ? null : parseId(cursorText, 'cursor');
    const oldestFirst = status === 'pending';
    let query = db.selectFrom('channel_verifications').selectAll().where('status', '=', status);
    if (cursor !== null) query = query.where('id', oldestFirst ? '>' : '<', cursor);
    const rows = await query
      .orderBy('id', oldestFirst ? 'asc' : 'desc')
      .limit(limit)
      .execute();
    const last = rows[rows.length - 1];
    return { applications: await present(rows), nextCursor: rows.length === limit && last ? idString(last.id) : null };
  }

  async function decide(operatorId: number, applicationId: number, approve: boolean, note: string | undefined) {
    const at = deps.nowMs();
    const { row, deliveries } = await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('channel_verifications').selectAll().where('id', '=', applicationId).executeTakeFirst();
      if (!current) fail('CHANNELS_VERIFICATION_NOT_FOUND');
      if (current.status !== 'pending') fail('CHANNELS_VERIFICATION_CLOSED');
      const row = await trx
        .updateTable('channel_verifications')
        .set({ status: approve ? 'approved' : 'rejected', note: note?.trim() || null, reviewer_id: operatorId, reviewed_at: at })
        .where('id', '=', applicationId)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirstOrThrow();
      if (approve) await trx.updateTable('channels').set({ verified_at: at }).where('id', '=', current.channel_id).execute();
      const deliveries = await inbox.appendEvents(trx as unknown as Transaction<Database>, [
        {
          accountId: current.applicant_id,
          type: 'channel.verification',
          payload: { applicationId: idString(applicationId), status: row.status, note: row.note },
        },
      ]);
      return { row, deliveries };
    });
    inbox.publish(deliveries);
    return (await present([row]))[0];
  }

  /** Operators may open the documents of any application; nobody else but their owner. */
  media.setAccessCheck(async (accountId, mediaId) => {
    const linked = await db.selectFrom('channel_verification_documents').select('verification_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    if (!linked) return false;
    return (await accounts.getAccount(accountId)).is_operator === 1;
  });
  media.addReferenceCheck(async (mediaId) => {
    const row = await db.selectFrom('channel_verification_documents').select('verification_id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    return row !== undefined;
  });

  return { mine, apply, queue, decide };
}

export type ChannelVerification = ReturnType<typeof createChannelVerification>;
