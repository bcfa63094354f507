import type { CoverClaimBody, CoverDecisionBody, CoverDocumentsBody, CoverProgramBody } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { AppError, fail, invariant } from '../../lib/errors.js';
import { idString, parseDay, parseId, toIso } from '../../lib/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { MediaService } from '../media/index.js';
import { type LedgerPort, type LedgerResult, type MoneyResponse, OPERATOR_OWNER_ID } from '../wallet/index.js';
import type { MerchantActor } from './service.js';
import type { CoverClaimRow, CoverProgramRow, MerchantDb, MerchantTrx } from './tables.js';

const DAY_MS = 24 * 3600 * 1000;
const CNY = 'CNY';
const EXTENSION = 'merchants.cover';

function dayNumber(date: string): number {
  const ms = parseDay(date);
  if (ms === undefined) fail('COVER_CLAIM_INVALID', `${date} is not a date.`);
  return Math.floor(ms / DAY_MS);
}

function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function presentProgram(row: CoverProgramRow) {
  return {
    id: idString(row.id),
    name: row.name,
    dailyBenefitMinor: String(row.daily_benefit_minor),
    maxDays: row.max_days,
    minPoints: row.min_points,
    pointsWindowDays: row.points_window_days,
    poolMinor: String(row.pool_minor),
    enrolUntil: toIso(row.enrol_until),
    endsAt: toIso(row.ends_at),
    status: row.status,
  };
}

function presentClaim(row: CoverClaimRow) {
  return {
    id: idString(row.id),
    programId: idString(row.program_id),
    merchantId: idString(row.merchant_id),
    startDate: dayString(row.start_day),
    endDate: dayString(row.end_day),
    days: row.end_day - row.start_day + 1,
    mediaIds: (JSON.parse(row.media_ids) as number[]).map(idString),
    status: row.status,
    note: row.note,
    coveredDays: row.covered_days,
    payoutMinor: String(row.payout_minor),
    createdAt: toIso(row.created_at),
    decidedAt: row.decided_at === null ? null : toIso(row.decided_at),
  };
}

/** The payout of a claim: the daily benefit for each covered day, never past the program's maximum days. */
export function coverPayout(program: { dailyBenefitMinor: number; maxDays: number }, claimDays: number, daysAlreadyPaid: number) {
  const coveredDays = Math.max(0, Math.min(claimDays, program.maxDays - daysAlreadyPaid));
  return { coveredDays, payoutMinor: coveredDays * program.dailyBenefitMinor };
}

type ApprovePayload = { claimId: number; operatorId: number; coveredDays: number; payoutMinor: number; note: string };

/** Relief cover: the operator funds a pool, eligible merchants enrol and claim, operators decide; every step is audited. */
export function createReliefCover(ctx: AppContext, deps: { ledger: LedgerPort; media: MediaService; accounts: AccountsService }) {
  const db = ctx.db as unknown as MerchantDb;
  const { ledger, media, accounts } = deps;

  async function audit(trx: MerchantTrx, claimId: number, actorId: number, action: string, note: string) {
    await trx.insertInto('cover_claim_audit').values({ claim_id: claimId, actor_id: actorId, action, note, created_at: Date.now() }).execute();
  }

  ledger.registerExtension<ApprovePayload, CoverClaimRow>(EXTENSION, {
    async apply(walletTrx, items) {
      const trx = walletTrx as unknown as MerchantTrx;
      const out: CoverClaimRow[] = [];
      for (const { payload } of items) {
        const row = await trx
          .updateTable('cover_claims')
          .set({ status: 'approved', covered_days: payload.coveredDays, payout_minor: payload.payoutMinor, note: payload.note, decided_at: Date.now() })
          .where('id', '=', payload.claimId)
          .where('status', '=', 'submitted')
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new AppError('COVER_CLAIM_CLOSED');
        await audit(trx, payload.claimId, payload.operatorId, 'approve', `${payload.coveredDays} days, ${payload.payoutMinor} fen. ${payload.note}`.trim());
        out.push(row);
      }
      return out;
    },
  });

  // Operators may open the documents of claims they review.
  media.setAccessCheck(async (accountId, mediaId) => {
    const rows = await db.selectFrom('cover_claims').select('media_ids').where('media_ids', 'like', `%${mediaId}%`).limit(50).execute();
    if (!rows.some((r) => (JSON.parse(r.media_ids) as number[]).includes(mediaId))) return false;
    return (await accounts.getAccount(accountId)).is_operator === 1;
  });

  async function loadProgram(programId: number): Promise<CoverProgramRow> {
    const row = await db.selectFrom('cover_programs').selectAll().where('id', '=', programId).executeTakeFirst();
    if (!row) fail('COVER_PROGRAM_NOT_FOUND');
    if (row.status !== 'active') fail('COVER_PROGRAM_NOT_FOUND');
    return row;
  }

  async function createProgram(operatorId: number, input: CoverProgramBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(operatorId, key, { required: true, route: 'cover-program', body: { body: JSON.stringify(input) } }, async (run) => {
      const name = input.name.trim();
      if (!name) fail('VALIDATION_FAILED', 'Give the program a name.');
      const daily = ledger.parseAmount(input.dailyBenefitMinor ?? 100_000);
      const pool = ledger.parseAmount(input.poolMinor, 1e13);
      const enrolUntil = Date.parse(input.enrolUntil);
      const endsAt = Date.parse(input.endsAt);
      const now = ledger.now();
      if (!(enrolUntil > now && endsAt >= enrolUntil) || pool < daily) fail('COVER_PROGRAM_INVALID');
      const program = await db
        .insertInto('cover_programs')
        .values({
          name,
          daily_benefit_minor: daily,
          max_days: input.maxDays ?? 30,
          min_points: input.minPoints ?? 1,
          points_window_days: input.pointsWindowDays ?? 90,
          pool_minor: pool,
          enrol_until: enrolUntil,
          ends_at: endsAt,
          status: 'draft',
          created_by: operatorId,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const fees = await ledger.account(OPERATOR_OWNER_ID, 'fees', CNY);
      const poolAccount = await ledger.account(program.id, 'cover_pool', CNY);
      const respond = (): MoneyResponse => ({ statusCode: 201, body: { program: presentProgram({ ...program, status: 'active' }) } });
      const result = await ledger.submit(
        {
          transfers: [{ debit: fees, credit: poolAccount, asset: CNY, amount: pool, kind: 'cover_pool', status: 'posted', reference: `cover:${program.id}` }],
          idempotency: ledger.idempotencyRecord(operatorId, run, respond),
        },
        run.ticket,
      );
      // The pool is funded; only now may merchants see and enrol in the program.
      await db.updateTable('cover_programs').set({ status: 'active' }).where('id', '=', program.id).execute();
      return result.response ?? respond();
    });
  }

  async function listPrograms() {
    const rows = await db.selectFrom('cover_programs').selectAll().where('status', '=', 'active').orderBy('id', 'desc').limit(100).execute();
    const out = [];
    for (const row of rows) {
      const pool = await ledger.balance(await ledger.account(row.id, 'cover_pool', CNY));
      out.push({ ...presentProgram(row), poolLeftMinor: String(pool.balanceMinor - pool.heldMinor) });
    }
    return out;
  }

  async function enrol(actor: MerchantActor, programId: number) {
    const program = await loadProgram(programId);
    if (actor.merchant.status !== 'approved') fail('MERCHANT_NOT_APPROVED');
    const now = ledger.now();
    if (now > program.enrol_until) fail('COVER_ENROLMENT_CLOSED');
    const earned = await db
      .selectFrom('merchant_payments')
      .select((eb) => eb.fn.sum<string | number>('points').as('total'))
      .where('merchant_id', '=', actor.merchant.id)
      .where('status', '=', 'paid')
      .where('paid_at', '>=', now - program.points_window_days * DAY_MS)
      .executeTakeFirst();
    if (Number(earned?.total ?? 0) < program.min_points) fail('COVER_NOT_ELIGIBLE');
    await db
      .insertInto('cover_enrolments')
      .values({ program_id: programId, merchant_id: actor.merchant.id, created_at: now })
      .onConflict((oc) => oc.columns(['program_id', 'merchant_id']).doNothing())
      .execute();
    return { programId: idString(programId), merchantId: idString(actor.merchant.id), enrolled: true };
  }

  async function requireDocuments(ownerId: number, mediaIds: (string | number)[]): Promise<number[]> {
    const ids = [...new Set(mediaIds.map((id) => parseId(id, 'mediaIds')))];
    for (const id of ids) await media.requireOwnUpload(ownerId, id, ['image', 'file']);
    return ids;
  }

  async function fileClaim(actor: MerchantActor, input: CoverClaimBody) {
    const programId = parseId(input.programId, 'programId');
    const program = await loadProgram(programId);
    const enrolment = await db
      .selectFrom('cover_enrolments')
      .selectAll()
      .where('program_id', '=', programId)
      .where('merchant_id', '=', actor.merchant.id)
      .executeTakeFirst();
    if (!enrolment) fail('COVER_NOT_ENROLLED');
    const start = dayNumber(input.startDate);
    const end = dayNumber(input.endDate);
    const today = Math.floor(ledger.now() / DAY_MS);
    if (end < start || start < Math.floor(enrolment.created_at / DAY_MS) || end > today || end > Math.floor(program.ends_at / DAY_MS))
      fail('COVER_CLAIM_INVALID');
    const mediaIds = await requireDocuments(actor.merchant.owner_id, input.mediaIds);
    return db.transaction().execute(async (trx) => {
      // Serialise a merchant's claims on its enrolment row, so two overlapping claims cannot both pass.
      await trx
        .updateTable('cover_enrolments')
        .set({ created_at: enrolment.created_at })
        .where('program_id', '=', programId)
        .where('merchant_id', '=', actor.merchant.id)
        .execute();
      const overlap = await trx
        .selectFrom('cover_claims')
        .select('id')
        .where('program_id', '=', programId)
        .where('merchant_id', '=', actor.merchant.id)
        .where('status', '!=', 'rejected')
        .where('start_day', '<=', end)
        .where('end_day', '>=', start)
        .executeTakeFirst();
      if (overlap) fail('COVER_CLAIM_OVERLAP');
      const row = await trx
        .insertInto('cover_claims')
        .values({
          program_id: programId,
          merchant_id: actor.merchant.id,
          start_day: start,
          end_day: end,
          media_ids: JSON.stringify(mediaIds),
          status: 'submitted',
          note: input.note ?? '',
          covered_days: 0,
          payout_minor: 0,
          created_at: ledger.now(),
          decided_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, row.id, actor.idempotencyActor, 'file', input.note ?? '');
      return presentClaim(row);
    });
  }

  async function addDocuments(actor: MerchantActor, claimId: number, input: CoverDocumentsBody) {
    const claim = await db.selectFrom('cover_claims').selectAll().where('id', '=', claimId).where('merchant_id', '=', actor.merchant.id).executeTakeFirst();
    if (!claim) fail('COVER_CLAIM_NOT_FOUND');
    if (claim.status !== 'more_info') fail('COVER_CLAIM_CLOSED');
    const added = await requireDocuments(actor.merchant.owner_id, input.mediaIds);
    const mediaIds = [...new Set([...(JSON.parse(claim.media_ids) as number[]), ...added])].slice(0, 30);
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('cover_claims')
        .set({ media_ids: JSON.stringify(mediaIds), status: 'submitted' })
        .where('id', '=', claimId)
        .where('status', '=', 'more_info')
        .returningAll()
        .executeTakeFirst();
      if (!row) fail('COVER_CLAIM_CLOSED');
      await audit(trx, claimId, actor.idempotencyActor, 'documents', input.note ?? '');
      return presentClaim(row);
    });
  }

  async function merchantClaims(actor: MerchantActor) {
    const rows = await db.selectFrom('cover_claims').selectAll().where('merchant_id', '=', actor.merchant.id).orderBy('id', 'desc').limit(100).execute();
    const enrolments = await db.selectFrom('cover_enrolments').select('program_id').where('merchant_id', '=', actor.merchant.id).execute();
    return { claims: rows.map(presentClaim), enrolledProgramIds: enrolments.map((e) => idString(e.program_id)) };
  }

  async function reviewQueue(status: CoverClaimRow['status'], cursor: string | undefined, limit = 50) {
    const max = Math.min(limit, 200);
    let q = db.selectFrom('cover_claims').selectAll().where('status', '=', status).orderBy('id', 'desc').limit(max);
    if (cursor) q = q.where('id', '<', parseId(cursor, 'cursor'));
    const rows = await q.execute();
    return { claims: rows.map(presentClaim), nextCursor: rows.length === max ? idString((rows[rows.length - 1] as CoverClaimRow).id) : null };
  }

  async function claimWithAudit(claimId: number) {
    const claim = await db.selectFrom('cover_claims').selectAll().where('id', '=', claimId).executeTakeFirst();
    if (!claim) fail('COVER_CLAIM_NOT_FOUND');
    const trail = await db.selectFrom('cover_claim_audit').selectAll().where('claim_id', '=', claimId).orderBy('id').limit(200).execute();
    return {
      claim: presentClaim(claim),
      audit: trail.map((a) => ({ actorId: idString(Math.abs(a.actor_id)), action: a.action, note: a.note, createdAt: toIso(a.created_at) })),
    };
  }

  async function decide(operatorId: number, claimId: number, input: CoverDecisionBody, key: string | undefined): Promise<MoneyResponse> {
    const claim = await db.selectFrom('cover_claims').selectAll().where('id', '=', claimId).executeTakeFirst();
    if (!claim) fail('COVER_CLAIM_NOT_FOUND');
    const note = (input.note ?? '').trim();
    if (input.decision !== 'approve') {
      if (claim.status !== 'submitted') fail('COVER_CLAIM_CLOSED');
      if (input.decision === 'reject' && !note) fail('VALIDATION_FAILED', 'Give the merchant a reason.');
      const status = input.decision === 'reject' ? 'rejected' : 'more_info';
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('cover_claims')
          .set({ status, note, decided_at: status === 'rejected' ? ledger.now() : null })
          .where('id', '=', claimId)
          .where('status', '=', 'submitted')
          .returningAll()
          .executeTakeFirst();
        if (!updated) fail('COVER_CLAIM_CLOSED');
        await audit(trx, claimId, operatorId, input.decision, note);
        return updated;
      });
      return { statusCode: 200, body: { claim: presentClaim(row) } };
    }
    return ledger.idempotent(operatorId, key, { required: true, route: `cover-approve:${claimId}`, body: { claimId } }, async (run) => {
      if (claim.status !== 'submitted') fail('COVER_CLAIM_CLOSED');
      const program = await loadProgram(claim.program_id);
      const paid = await db
        .selectFrom('cover_claims')
        .select((eb) => eb.fn.sum<string | number>('covered_days').as('days'))
        .where('program_id', '=', claim.program_id)
        .where('merchant_id', '=', claim.merchant_id)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      const { coveredDays, payoutMinor } = coverPayout(
        { dailyBenefitMinor: program.daily_benefit_minor, maxDays: program.max_days },
        claim.end_day - claim.start_day + 1,
        Number(paid?.days ?? 0),
      );
      const pool = await ledger.account(program.id, 'cover_pool', CNY);
      const merchantAccount = await ledger.account(claim.merchant_id, 'merchant', CNY);
      const respond = (result: LedgerResult): MoneyResponse => {
        const row = result.extension as CoverClaimRow | undefined;
        invariant(row, 'an approval returns its claim');
        return { statusCode: 200, body: { claim: presentClaim(row) } };
      };
      const result = await ledger.submit(
        {
          transfers:
            payoutMinor > 0
              ? [
                  {
                    debit: pool,
                    credit: merchantAccount,
                    asset: CNY,
                    amount: payoutMinor,
                    kind: 'cover_payout',
                    status: 'posted',
                    reference: `cover-claim:${claimId}`,
                  },
                ]
              : [],
          extension: { name: EXTENSION, payload: { claimId, operatorId, coveredDays, payoutMinor, note } satisfies ApprovePayload },
          idempotency: ledger.idempotencyRecord(operatorId, run, respond),
        },
        run.ticket,
      );
      return result.response ?? respond(result);
    });
  }

  return { createProgram, listPrograms, enrol, fileClaim, addDocuments, merchantClaims, reviewQueue, claimWithAudit, decide };
}

export type ReliefCover = ReturnType<typeof createReliefCover>;
