import type { CouponIssuerBody, CouponIssuerFundingBody } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { fail } from '../../lib/errors.js';
import { idString, toIso } from '../../lib/ids.js';
import { limits } from '../../limits.js';
import { type AccountsService, presentAccount } from '../accounts/index.js';
import { type AccountRef, type LedgerPort, type LedgerResult, type MoneyResponse, OPERATOR_OWNER_ID } from '../wallet/index.js';
import type { CouponIssuerRow, MerchantDb } from './tables.js';

const CNY = 'CNY';

export function presentIssuer(row: CouponIssuerRow) {
  return { id: idString(row.id), name: row.name, region: row.region, status: row.status, createdAt: toIso(row.created_at) };
}

/**
 * Coupon issuers other than the operator: a town registered by an operator, with the members who
 * act for it and its own CNY ledger account (`coupon_issuer`, owner = issuer id). The account is
 * funded from an acting member's wallet (PIN, Idempotency-Key, daily limit) or by the operator
 * from its fee account; campaigns the issuer creates draw their budget from it (service.ts).
 */
export function createCouponIssuers(ctx: AppContext, deps: { ledger: LedgerPort; accounts: AccountsService }) {
  const db = ctx.db as unknown as MerchantDb;
  const { ledger, accounts } = deps;

  async function load(issuerId: number): Promise<CouponIssuerRow> {
    const row = await db.selectFrom('coupon_issuers').selectAll().where('id', '=', issuerId).executeTakeFirst();
    if (!row) fail('COUPON_ISSUER_NOT_FOUND');
    return row;
  }

  function account(issuerId: number): Promise<AccountRef> {
    return ledger.account(issuerId, 'coupon_issuer', CNY);
  }

  async function memberIds(issuerId: number): Promise<number[]> {
    const rows = await db
      .selectFrom('coupon_issuer_members')
      .select('account_id')
      .where('issuer_id', '=', issuerId)
      .orderBy('created_at')
      .limit(limits.couponIssuerMembersMax)
      .execute();
    return rows.map((r) => r.account_id);
  }

  async function accountIdsFor(handles: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const handle of handles) {
      const found = await accounts.findByHandle(handle.trim());
      if (!found) fail('ACCOUNTS_NOT_FOUND', `No member with the Plaza ID ${handle}.`);
      if (!ids.includes(found.id)) ids.push(found.id);
    }
    return ids;
  }

  /** The issuer as the operator console and the issuer console see it: balance and members. */
  async function details(row: CouponIssuerRow) {
    const { balanceMinor, heldMinor } = await ledger.balance(await account(row.id));
    const members = await accounts.getAccounts(await memberIds(row.id));
    return {
      ...presentIssuer(row),
      balanceMinor: String(balanceMinor - heldMinor),
      members: [...members.values()].map(presentAccount),
    };
  }

  // Operators ----------------------------------------------------------------------------------------
  async function register(operatorId: number, input: CouponIssuerBody) {
    const ids = await accountIdsFor(input.memberHandles ?? []);
    if (ids.length > limits.couponIssuerMembersMax) fail('COUPON_ISSUER_MEMBERS_MAX');
    const now = Date.now();
    const row = await db.transaction().execute(async (trx) => {
      const issuer = await trx
        .insertInto('coupon_issuers')
        .values({ name: input.name.trim(), region: input.region.trim(), status: 'active', created_by: operatorId, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (ids.length > 0)
        await trx
          .insertInto('coupon_issuer_members')
          .values(ids.map((accountId) => ({ issuer_id: issuer.id, account_id: accountId, created_at: now })))
          .execute();
      return issuer;
    });
    return details(row);
  }

  async function list() {
    const rows = await db.selectFrom('coupon_issuers').selectAll().orderBy('id', 'desc').limit(limits.couponIssuersListMax).execute();
    const out = [];
    for (const row of rows) out.push(await details(row));
    return out;
  }

  async function addMember(issuerId: number, handle: string) {
    const issuer = await load(issuerId);
    const [accountId] = await accountIdsFor([handle]);
    const current = await memberIds(issuerId);
    if (accountId !== undefined && !current.includes(accountId)) {
      if (current.length >= limits.couponIssuerMembersMax) fail('COUPON_ISSUER_MEMBERS_MAX');
      // A concurrent add of the same member hits the primary key; both end with the member listed.
      await db
        .insertInto('coupon_issuer_members')
        .values({ issuer_id: issuerId, account_id: accountId, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['issuer_id', 'account_id']).doNothing())
        .execute();
    }
    return details(issuer);
  }

  async function removeMember(issuerId: number, accountId: number) {
    const issuer = await load(issuerId);
    await db.deleteFrom('coupon_issuer_members').where('issuer_id', '=', issuerId).where('account_id', '=', accountId).execute();
    return details(issuer);
  }

  /** A suspended issuer keeps its money and running campaigns, but may not fund, create or be funded. */
  async function setStatus(issuerId: number, status: CouponIssuerRow['status']) {
    await load(issuerId);
    await db.updateTable('coupon_issuers').set({ status }).where('id', '=', issuerId).execute();
    return details(await load(issuerId));
  }

  async function fundFromOperator(operatorId: number, issuerId: number, amountMinor: string | number, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      operatorId,
      key,
      { required: true, route: `coupon-issuer-fund:${issuerId}`, body: { amountMinor: String(amountMinor) } },
      async (run) => {
        const issuer = await load(issuerId);
        if (issuer.status !== 'active') fail('COUPON_ISSUER_SUSPENDED');
        const amount = ledger.parseAmount(amountMinor, 1e13);
        const fees = await ledger.account(OPERATOR_OWNER_ID, 'fees', CNY);
        return move(fees, issuer, amount, operatorId, run);
      },
    );
  }

  // Members acting for an issuer ---------------------------------------------------------------------
  /** The issuer a member acts for; someone else gets COUPON_ISSUER_FORBIDDEN (an unknown id, NOT_FOUND). */
  async function actorFor(memberId: number, issuerId: number): Promise<CouponIssuerRow> {
    const issuer = await load(issuerId);
    const row = await db
      .selectFrom('coupon_issuer_members')
      .select('account_id')
      .where('issuer_id', '=', issuerId)
      .where('account_id', '=', memberId)
      .executeTakeFirst();
    if (!row) fail('COUPON_ISSUER_FORBIDDEN');
    return issuer;
  }

  async function mine(memberId: number) {
    const rows = await db
      .selectFrom('coupon_issuers')
      .innerJoin('coupon_issuer_members', 'coupon_issuer_members.issuer_id', 'coupon_issuers.id')
      .selectAll('coupon_issuers')
      .where('coupon_issuer_members.account_id', '=', memberId)
      .orderBy('coupon_issuers.id')
      .limit(limits.couponIssuersListMax)
      .execute();
    return rows.map(presentIssuer);
  }

  async function fundFromWallet(memberId: number, issuer: CouponIssuerRow, input: CouponIssuerFundingBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      memberId,
      key,
      { required: true, route: `coupon-issuer-fund:${issuer.id}`, body: { amountMinor: String(input.amountMinor) } },
      async (run) => {
        if (issuer.status !== 'active') fail('COUPON_ISSUER_SUSPENDED');
        await ledger.verifyPin(memberId, input.pin);
        const amount = ledger.parseAmount(input.amountMinor, 1e12);
        const wallet = await ledger.account(memberId, 'wallet', CNY);
        return ledger.withDailyReservation(memberId, CNY, amount, () => move(wallet, issuer, amount, memberId, run));
      },
    );
  }

  async function move(from: AccountRef, issuer: CouponIssuerRow, amount: number, actorId: number, run: Parameters<Parameters<LedgerPort['idempotent']>[3]>[0]) {
    const to = await account(issuer.id);
    const respond = (result: LedgerResult): MoneyResponse => ({
      statusCode: 201,
      body: { funding: { transferId: idString((result.transfers[0] as { id: number }).id), issuerId: idString(issuer.id), amountMinor: String(amount) } },
    });
    const result = await ledger.submit(
      {
        transfers: [
          {
            debit: from,
            credit: to,
            asset: CNY,
            amount,
            kind: 'coupon_issuer_funding',
            status: 'posted',
            reference: `coupon-issuer:${issuer.id}`,
            note: issuer.name,
          },
        ],
        idempotency: ledger.idempotencyRecord(actorId, run, respond),
      },
      run.ticket,
    );
    return result.response ?? respond(result);
  }

  return { load, account, details, register, list, addMember, removeMember, setStatus, fundFromOperator, actorFor, mine, fundFromWallet };
}

export type CouponIssuers = ReturnType<typeof createCouponIssuers>;
