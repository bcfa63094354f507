import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type {
  AddStaffBody,
  ChargeCodeBody,
  CouponCampaignBody,
  CreateOrderBody,
  MerchantApplicationBody,
  MerchantReviewBody,
  MerchantSearchQuery,
  MerchantPageQuery,
  PayCodeBody,
  PointsRulesBody,
  RedeemPointsBody,
  RefundBody,
  SettlementBody,
} from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { BulkInsert } from '../../db/bulk-insert.js';
import type { Database } from '../../db/schema.js';
import { AppError, fail, invariant } from '../../lib/errors.js';
import { idString, parseDay, parseId, toIso } from '../../lib/ids.js';
import { type AccountsService, isUniqueViolation } from '../accounts/index.js';
import type { ContactsService } from '../contacts/index.js';
import type { MediaService } from '../media/index.js';
import type { Delivery, InboxService, NewInboxEvent } from '../inbox/index.js';
import { type AccountRef, type LedgerResult, type MoneyResponse, type NewTransfer, OPERATOR_OWNER_ID, type WalletService } from '../wallet/index.js';
import { createReliefCover } from './cover.js';
import { createCouponIssuers } from './issuers.js';
import { defaultPointsRules, loadMerchantSettings, type MerchantSettings, type PointsRules } from './settings.js';
import type { CampaignRow, CouponIssuerRow, CouponRow, MerchantDb, MerchantRow, MerchantTrx, PaymentRow, RefundRow } from './tables.js';

const DAY_MS = 24 * 3600 * 1000;
const paymentColumns = [
  'merchant_id',
  'channel',
  'out_trade_no',
  'description',
  'qr_token',
  'amount_minor',
  'status',
  'payer_id',
  'coupon_id',
  'subsidy_minor',
  'paid_minor',
  'fee_minor',
  'points',
  'refunded_minor',
  'refund_count',
  'transfer_id',
  'expires_at',
  'created_at',
  'paid_at',
] as const satisfies readonly Exclude<keyof PaymentRow, 'id'>[];
const paymentInsert = new BulkInsert<PaymentRow, 'id' | 'transfer_id'>('merchant_payments', paymentColumns, ['id', 'transfer_id']);
const CNY = 'CNY';
const POINTS = 'PTS';

/** Who acts for a merchant: a member in the console (with a role) or the merchant's own system (API key). */
export interface MerchantActor {
  merchant: MerchantRow;
  role: 'owner' | 'manager' | 'cashier' | 'api';
  /** Idempotency keys are stored per actor: members by their id, API keys as the negated merchant id. */
  idempotencyActor: number;
}

type Role = MerchantActor['role'];

export function presentMerchant(row: MerchantRow) {
  return {
    id: idString(row.id),
    ownerId: idString(row.owner_id),
    businessName: row.business_name,
    category: row.category,
    licenceNumber: row.licence_number,
    address: row.address,
    lat: row.lat_e6 / 1e6,
    lng: row.lng_e6 / 1e6,
    status: row.status,
    reviewNote: row.review_note,
    reviewedAt: row.reviewed_at === null ? null : toIso(row.reviewed_at),
    createdAt: toIso(row.created_at),
  };
}

export function presentPayment(row: PaymentRow, now = Date.now()) {
  const expired = row.status === 'open' && row.expires_at !== null && row.expires_at <= now;
  return {
    id: idString(row.id),
    merchantId: idString(row.merchant_id),
    channel: row.channel,
    outTradeNo: row.out_trade_no,
    description: row.description,
    amountMinor: String(row.amount_minor),
    status: expired ? 'expired' : row.status,
    payerId: row.payer_id === null ? null : idString(row.payer_id),
    couponId: row.coupon_id === null ? null : idString(row.coupon_id),
    subsidyMinor: String(row.subsidy_minor),
    paidMinor: String(row.paid_minor),
    feeMinor: String(row.fee_minor),
    points: String(row.points),
    refundedMinor: String(row.refunded_minor),
    refundCount: row.refund_count,
    qrContent: row.qr_token ? `plaza://pay/${row.qr_token}` : null,
    expiresAt: row.expires_at === null ? null : toIso(row.expires_at),
    createdAt: toIso(row.created_at),
    paidAt: row.paid_at === null ? null : toIso(row.paid_at),
  };
}

export function presentRefund(row: RefundRow) {
  return {
    id: idString(row.id),
    merchantId: idString(row.merchant_id),
    paymentId: idString(row.payment_id),
    refundNo: row.refund_no,
    amountMinor: String(row.amount_minor),
    reason: row.reason,
    createdAt: toIso(row.created_at),
  };
}

function presentCampaign(row: CampaignRow, batches: { id: number; release_at: number; quota: number; issued: number }[]) {
  return {
    id: idString(row.id),
    name: row.name,
    budgetMinor: String(row.budget_minor),
    faceMinor: String(row.face_minor),
    thresholdMinor: String(row.threshold_minor),
    perMemberCap: row.per_member_cap,
    categories: JSON.parse(row.categories) as string[],
    merchantIds: (JSON.parse(row.merchant_ids) as number[]).map(idString),
    validFrom: toIso(row.valid_from),
    validUntil: toIso(row.valid_until),
    status: row.status,
    issuerId: row.coupon_issuer_id === null ? null : idString(row.coupon_issuer_id),
    batches: batches.map((b) => ({ id: idString(b.id), releaseAt: toIso(b.release_at), quota: b.quota, issued: b.issued })),
  };
}

function presentCoupon(row: CouponRow, campaign?: CampaignRow) {
  return {
    id: idString(row.id),
    campaignId: idString(row.campaign_id),
    status: row.status,
    faceMinor: campaign ? String(campaign.face_minor) : undefined,
    thresholdMinor: campaign ? String(campaign.threshold_minor) : undefined,
    name: campaign?.name,
    expiresAt: toIso(row.expires_at),
    createdAt: toIso(row.created_at),
    usedAt: row.used_at === null ? null : toIso(row.used_at),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function token(prefix: string): string {
  return `${prefix}${randomBytes(15).toString('base64url')}`;
}

/** Signs a webhook body: hex HMAC-SHA256 with the merchant's secret, sent as `X-Plaza-Signature: sha256=<hex>`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

/** A URL the webhook sender can post to: http(s) with a host, as the URL parser reads it. */
function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function parseIso(value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) fail('VALIDATION_FAILED', `${value} is not a time`);
  return ms;
}

// Ledger extension payloads: the merchant rows that commit with each money movement.
type PaymentPayload = {
  op: 'pay';
  paymentId: number | null;
  insert: Omit<PaymentRow, 'id' | 'transfer_id' | 'paid_at' | 'status'> | null;
  payerId: number;
  amount: number;
  couponId: number | null;
  subsidy: number;
  paid: number;
  fee: number;
  points: number;
  codeToUse: string | null;
  merchant: MerchantRow;
  recipients: number[];
};
type RefundPayload = { op: 'refund'; payment: PaymentRow; refundNo: string; amount: number; reason: string; merchant: MerchantRow; recipients: number[] };
type RedeemPayload = { op: 'redeem'; merchantId: number; target: 'fees' | 'cash'; points: number; value: number };
type CampaignPayload = { op: 'campaign-open' | 'campaign-close'; campaignId: number };
type Payload = PaymentPayload | RefundPayload | RedeemPayload | CampaignPayload;
type Output = { payment?: PaymentRow; refund?: RefundRow; deliveries: Delivery[]; webhook: boolean };

interface GrabState {
  campaign: CampaignRow;
  /** `issued` as last read from SQL: it only grows, so a batch seen full is full. */
  batches: { id: number; release_at: number; quota: number; issued: number }[];
  /** Coupons of the campaign this node has seen, by `member:key`. */
  coupons: Map<string, CouponRow>;
  /** How many of the coupons in `coupons` each member holds. */
  held: Map<number, number>;
  inFlight: Map<string, Promise<CouponRow>>;
  /** Until then `coupons` holds every coupon of the campaign (its released batches are full). */
  completeUntil: number;
  refreshing: Promise<void> | undefined;
  refreshedAt: number;
}

interface PendingGrab {
  state: GrabState;
  memberId: number;
  key: string;
  /** When the grab arrived: the batches released then are the ones it may take. */
  at: number;
  resolve(row: CouponRow): void;
  reject(error: unknown): void;
}

export function createMerchantsService(
  ctx: AppContext,
  deps: { accounts: AccountsService; contacts: ContactsService; inbox: InboxService; media: MediaService; wallet: WalletService },
) {
  const db = ctx.db as unknown as MerchantDb;
  const { accounts, contacts, inbox } = deps;
  const ledger = deps.wallet.ledger;
  const settings: MerchantSettings = loadMerchantSettings(process.env);
  let pointsRules: PointsRules | undefined;
  const couponsInUse = new Set<number>();
  const staticTokens = new Map<string, number>();
  const merchantCache = new Map<number, { row: MerchantRow; staff: Map<number, Role>; at: number }>();
  const EXTENSION = 'merchants';
  const issuers = createCouponIssuers(ctx, { ledger, accounts });

  // Presentation and lookups ------------------------------------------------------------------------
  async function loadMerchant(merchantId: number): Promise<MerchantRow> {
    const row = await db.selectFrom('merchants').selectAll().where('id', '=', merchantId).executeTakeFirst();
    if (!row) fail('MERCHANT_NOT_FOUND');
    return row;
  }

  // A merchant and its staff are read on every payment; a few seconds of cache keeps that off the
  // hot path, and every change here evicts it.
  async function merchantWithStaff(merchantId: number) {
    const cached = merchantCache.get(merchantId);
    if (cached && Date.now() - cached.at < 5_000) return cached;
    const row = await loadMerchant(merchantId);
    const staffRows = await db.selectFrom('merchant_staff').select(['account_id', 'role']).where('merchant_id', '=', merchantId).execute();
    const staff = new Map<number, Role>([[row.owner_id, 'owner'], ...staffRows.map((s) => [s.account_id, s.role] as [number, Role])]);
    const entry = { row, staff, at: Date.now() };
    if (merchantCache.size > 50_000) merchantCache.clear();
    merchantCache.set(merchantId, entry);
    return entry;
  }

  async function actorFor(memberId: number, merchantId: number, allowed: Role[]): Promise<MerchantActor> {
    const { row, staff } = await merchantWithStaff(merchantId);
    const role = staff.get(memberId);
    if (!role || !allowed.includes(role)) fail('MERCHANT_FORBIDDEN');
    return { merchant: row, role, idempotencyActor: memberId };
  }

  async function actorForApiKey(apiKey: string | undefined): Promise<MerchantActor> {
    if (!apiKey || apiKey.length > 200) fail('MERCHANT_API_KEY_INVALID');
    const row = await db
      .selectFrom('merchant_api_keys')
      .select(['merchant_id'])
      .where('key_hash', '=', sha256(apiKey))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) fail('MERCHANT_API_KEY_INVALID');
    const { row: merchant } = await merchantWithStaff(row.merchant_id);
    return { merchant, role: 'api', idempotencyActor: -merchant.id };
  }

  function requireApproved(merchant: MerchantRow): void {
    if (merchant.status !== 'approved') fail('MERCHANT_NOT_APPROVED');
  }

  // Applications and review --------------------------------------------------------------------------
  async function apply(ownerId: number, input: MerchantApplicationBody) {
    const businessName = input.businessName.trim();
    const address = input.address.trim();
    if (!businessName) fail('VALIDATION_FAILED', 'Give the business a name.');
    if (!address) fail('VALIDATION_FAILED', 'Give the business an address.');
    try {
      const row = await db
        .insertInto('merchants')
        .values({
          owner_id: ownerId,
          business_name: businessName,
          category: input.category,
          licence_number: input.licenceNumber,
          address,
          lat_e6: Math.round(input.lat * 1e6),
          lng_e6: Math.round(input.lng * 1e6),
          status: 'pending',
          review_note: '',
          reviewed_by: null,
          reviewed_at: null,
          static_token: token('s'),
          webhook_url: null,
          webhook_secret: null,
          created_at: ledger.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return presentMerchant(row);
    } catch (error) {
      if (isUniqueViolation(error)) fail('MERCHANT_ALREADY_APPLIED');
      throw error;
    }
  }

  async function listForReview(status: 'pending' | 'approved' | 'rejected', cursor: string | undefined, limit = 50) {
    const max = Math.min(limit, settings.pageMax);
    let q = db.selectFrom('merchants').selectAll().where('status', '=', status).orderBy('id', 'desc').limit(max);
    if (cursor) q = q.where('id', '<', parseId(cursor, 'cursor'));
    const rows = await q.execute();
    const owners = await accounts.getAccounts(rows.map((r) => r.owner_id));
    return {
      merchants: rows.map((r) => ({ ...presentMerchant(r), ownerName: owners.get(r.owner_id)?.display_name ?? '' })),
      nextCursor: rows.length === max ? idString((rows[rows.length - 1] as MerchantRow).id) : null,
    };
  }

  async function review(operatorId: number, merchantId: number, input: MerchantReviewBody) {
    const result = await db
      .updateTable('merchants')
      .set({
        status: input.decision === 'approve' ? 'approved' : 'rejected',
        review_note: input.note ?? '',
        reviewed_by: operatorId,
        reviewed_at: ledger.now(),
      })
      .where('id', '=', merchantId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      await loadMerchant(merchantId);
      fail('MERCHANT_REVIEW_CLOSED');
    }
    merchantCache.delete(merchantId);
    return presentMerchant(await loadMerchant(merchantId));
  }

  async function mine(memberId: number) {
    const owned = await db.selectFrom('merchants').selectAll().where('owner_id', '=', memberId).execute();
    const staffed = await db
      .selectFrom('merchant_staff')
      .innerJoin('merchants', 'merchants.id', 'merchant_staff.merchant_id')
      .selectAll('merchants')
      .select('merchant_staff.role')
      .where('merchant_staff.account_id', '=', memberId)
      .execute();
    return [...owned.map((r) => ({ ...presentMerchant(r), role: 'owner' as Role })), ...staffed.map((r) => ({ ...presentMerchant(r), role: r.role as Role }))];
  }

  async function details(actor: MerchantActor) {
    const m = actor.merchant;
    const cash = await ledger.balance(await ledger.account(m.id, 'merchant', CNY));
    const points = await ledger.balance(await ledger.account(m.id, 'merchant_points', POINTS));
    const staffRows = await db.selectFrom('merchant_staff').selectAll().where('merchant_id', '=', m.id).orderBy('created_at').execute();
    const people = await accounts.getAccounts(staffRows.map((s) => s.account_id));
    return {
      merchant: presentMerchant(m),
      role: actor.role,
      staticQrContent: `plaza://pay/${m.static_token}`,
      balanceMinor: String(cash.balanceMinor - cash.heldMinor),
      points: String(points.balanceMinor),
      webhookUrl: m.webhook_url,
      staff: staffRows.map((s) => ({ accountId: idString(s.account_id), displayName: people.get(s.account_id)?.display_name ?? '', role: s.role })),
    };
  }

  async function addStaff(actor: MerchantActor, input: AddStaffBody) {
    const accountId = parseId(input.accountId, 'accountId');
    if (accountId === actor.merchant.owner_id) fail('VALIDATION_FAILED', 'The owner is not staff.');
    if (!(await contacts.hasContact(actor.merchant.owner_id, accountId))) fail('MERCHANT_STAFF_NOT_CONTACT');
    await db
      .insertInto('merchant_staff')
      .values({ merchant_id: actor.merchant.id, account_id: accountId, role: input.role, created_at: ledger.now() })
      .onConflict((oc) => oc.columns(['merchant_id', 'account_id']).doUpdateSet({ role: input.role }))
      .execute();
    merchantCache.delete(actor.merchant.id);
    return (await details(actor)).staff;
  }

  async function removeStaff(actor: MerchantActor, accountId: number) {
    const removed = await db.deleteFrom('merchant_staff').where('merchant_id', '=', actor.merchant.id).where('account_id', '=', accountId).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) fail('MERCHANT_STAFF_NOT_FOUND');
    merchantCache.delete(actor.merchant.id);
  }

  async function createApiKey(actor: MerchantActor) {
    requireApproved(actor.merchant);
    const secret = `mk_${actor.merchant.id}_${randomBytes(24).toString('base64url')}`;
    const row = await db
      .insertInto('merchant_api_keys')
      .values({ merchant_id: actor.merchant.id, key_hash: sha256(secret), prefix: secret.slice(0, 12), created_at: ledger.now(), revoked_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: idString(row.id), prefix: row.prefix, key: secret, createdAt: toIso(row.created_at) };
  }

  async function listApiKeys(actor: MerchantActor) {
    const rows = await db
      .selectFrom('merchant_api_keys')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: idString(r.id), prefix: r.prefix, createdAt: toIso(r.created_at) }));
  }

  /** Revoking a key twice is a no-op; a key of another merchant is as unknown as no key at all. */
  async function revokeApiKey(actor: MerchantActor, keyId: number) {
    const row = await db
      .selectFrom('merchant_api_keys')
      .select(['revoked_at'])
      .where('id', '=', keyId)
      .where('merchant_id', '=', actor.merchant.id)
      .executeTakeFirst();
    if (!row) fail('MERCHANT_API_KEY_NOT_FOUND');
    if (row.revoked_at !== null) return;
    await db
      .updateTable('merchant_api_keys')
      .set({ revoked_at: ledger.now() })
      .where('id', '=', keyId)
      .where('merchant_id', '=', actor.merchant.id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async function setWebhook(actor: MerchantActor, url: string | null) {
    if (url !== null && !isWebhookUrl(url)) fail('MERCHANT_WEBHOOK_URL_INVALID');
    const secret = url ? `whsec_${randomBytes(24).toString('base64url')}` : null;
    await db.updateTable('merchants').set({ webhook_url: url, webhook_secret: secret }).where('id', '=', actor.merchant.id).execute();
    merchantCache.delete(actor.merchant.id);
    return { url, secret };
  }

  // Points rules -------------------------------------------------------------------------------------
  async function getPointsRules(): Promise<PointsRules> {
    if (pointsRules) return pointsRules;
    const row = await db.selectFrom('merchant_settings').select('value').where('name', '=', 'points_rules').executeTakeFirst();
    pointsRules = row ? { ...defaultPointsRules, ...(JSON.parse(row.value) as Partial<PointsRules>) } : defaultPointsRules;
    return pointsRules;
  }

  async function setPointsRules(input: PointsRulesBody) {
    const value = JSON.stringify(input);
    await db
      .insertInto('merchant_settings')
      .values({ name: 'points_rules', value, updated_at: ledger.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: ledger.now() }))
      .execute();
    pointsRules = { ...input };
    return pointsRules;
  }

  // The ledger extension: merchant rows that commit with the money --------------------------------
  /**
   * The payments of one ledger batch, set-wise: one multi-row insert for code and static-QR
   * payments, one guarded update for the coupons they use, one inbox append for all their events.
   * A guard that fails throws, and the writer retries the batch one command at a time, so only
   * the command at fault is refused.
   */
  async function applyPayments(trx: MerchantTrx, list: { p: PaymentPayload; transferId: number }[]): Promise<Output[]> {
    const now = Date.now();
    const setOf = (p: PaymentPayload, transferId: number) => ({
      status: 'paid' as const,
      payer_id: p.payerId,
      coupon_id: p.couponId,
      subsidy_minor: p.subsidy,
      paid_minor: p.paid,
      fee_minor: p.fee,
      points: p.points,
      transfer_id: transferId,
      paid_at: now,
    });
    const rows = new Map<number, PaymentRow>();
    const inserts: PaymentRow[] = [];
    for (const { p, transferId } of list) {
      if (p.insert) inserts.push({ id: 0, ...p.insert, ...setOf(p, transferId) });
    }
    // Only the ids come back (and the transfer ids that prove the order); the rest is what was written.
    const written = await paymentInsert.execute(
      trx,
      inserts.map((r) => paymentColumns.map((column) => r[column])),
    );
    inserts.forEach((row, i) => {
      const back = written[i] as { id: number; transfer_id: number | null };
      invariant(Number(back.transfer_id) === row.transfer_id, 'inserted payments keep their order');
      row.id = Number(back.id);
      rows.set(row.transfer_id as number, row);
    });
    for (const { p, transferId } of list) {
      if (p.insert) continue;
      invariant(p.paymentId !== null, 'a payment of an order names the order');
      const row = await trx
        .updateTable('merchant_payments')
        .set(setOf(p, transferId))
        .where('id', '=', p.paymentId)
        .where('status', 'in', ['open', 'awaiting_pin'])
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('MERCHANT_ORDER_CLOSED');
      rows.set(transferId, row);
    }
    invariant(rows.size === list.length, 'every payment of the batch has its row');
    const couponIds = list.flatMap(({ p }) => (p.couponId === null ? [] : [p.couponId]));
    for (let start = 0; start < couponIds.length; start += 400) {
      const part = couponIds.slice(start, start + 400);
      const used = await trx
        .updateTable('coupons')
        .set({ status: 'used', used_at: now })
        .where('id', 'in', part)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== part.length) throw new AppError('COUPON_ALREADY_USED');
    }
    for (const { p } of list) {
      if (p.codeToUse === null) continue;
      const used = await trx.updateTable('payment_codes').set({ used_at: now }).where('code', '=', p.codeToUse).where('used_at', 'is', null).executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new AppError('MERCHANT_PAYMENT_CODE_INVALID');
    }
    const events: NewInboxEvent[] = [];
    const counts: number[] = [];
    const presented = list.map(({ p, transferId }) => {
      const payment = presentPayment(rows.get(transferId) as PaymentRow, now);
      for (const accountId of p.recipients) events.push({ accountId, type: 'merchant.payment', payload: { payment } });
      events.push({ accountId: p.payerId, type: 'merchant.payment', payload: { payment, merchantName: p.merchant.business_name } });
      counts.push(p.recipients.length + 1);
      return payment;
    });
    const deliveries = await inbox.appendEvents(trx as unknown as Transaction<Database>, events);
    const outputs: Output[] = [];
    let cursor = 0;
    for (const [i, { p, transferId }] of list.entries()) {
      const count = counts[i] as number;
      const webhook = await queueWebhook(trx, p.merchant, 'payment.succeeded', { payment: presented[i] });
      outputs.push({ payment: rows.get(transferId), deliveries: deliveries.slice(cursor, cursor + count), webhook });
      cursor += count;
    }
    return outputs;
  }

  async function applyRefund(trx: MerchantTrx, p: RefundPayload, transferId: number): Promise<Output> {
    const now = Date.now();
    const updated = await trx
      .updateTable('merchant_payments')
      .set((eb) => ({ refunded_minor: eb('refunded_minor', '+', p.amount), refund_count: eb('refund_count', '+', 1) }))
      .where('id', '=', p.payment.id)
      .where('status', '=', 'paid')
      .where((eb) => eb(eb('refunded_minor', '+', p.amount), '<=', eb.ref('paid_minor')))
      .where('refund_count', '<', settings.refundsPerPaymentMax)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError('MERCHANT_REFUND_EXCEEDS');
    const refund = await trx
      .insertInto('merchant_refunds')
      .values({
        merchant_id: p.merchant.id,
        payment_id: p.payment.id,
        refund_no: p.refundNo,
        amount_minor: p.amount,
        reason: p.reason,
        transfer_id: transferId,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const body = { refund: presentRefund(refund), payment: presentPayment(updated, now) };
    const events: NewInboxEvent[] = p.recipients.map((accountId) => ({ accountId, type: 'merchant.refund', payload: body }));
    if (updated.payer_id !== null)
      events.push({ accountId: updated.payer_id, type: 'merchant.refund', payload: { ...body, merchantName: p.merchant.business_name } });
    const deliveries = await inbox.appendEvents(trx as unknown as Transaction<Database>, events);
    const webhook = await queueWebhook(trx, p.merchant, 'refund.succeeded', body);
    return { payment: updated, refund, deliveries, webhook };
  }

  ledger.registerExtension<Payload, Output>(EXTENSION, {
    async apply(walletTrx, items) {
      const trx = walletTrx as unknown as MerchantTrx;
      const outputs: Output[] = new Array(items.length);
      const payments: { p: PaymentPayload; transferId: number; index: number }[] = [];
      for (const [index, { payload, transfers }] of items.entries()) {
        const first = transfers[0];
        if (payload.op === 'pay') {
          invariant(first, 'a payment moves money');
          payments.push({ p: payload, transferId: first.id, index });
        } else if (payload.op === 'refund') {
          invariant(first, 'a refund moves money');
          outputs[index] = await applyRefund(trx, payload, first.id);
        } else if (payload.op === 'redeem') {
          await trx
            .insertInto('merchant_point_redemptions')
            .values({ merchant_id: payload.merchantId, target: payload.target, points: payload.points, value_minor: payload.value, created_at: Date.now() })
            .execute();
          outputs[index] = { deliveries: [], webhook: false };
        } else {
          await trx
            .updateTable('coupon_campaigns')
            .set({ status: payload.op === 'campaign-open' ? 'active' : 'closed' })
            .where('id', '=', payload.campaignId)
            .execute();
          outputs[index] = { deliveries: [], webhook: false };
        }
      }
      if (payments.length > 0) {
        const paid = await applyPayments(trx, payments);
        for (const [i, { index }] of payments.entries()) outputs[index] = paid[i] as Output;
      }
      return outputs;
    },
  });

  async function submit(command: Parameters<typeof ledger.submit>[0], ticket?: { done(): void }): Promise<LedgerResult> {
    const result = await ledger.submit(command, ticket);
    const output = result.extension as Output | undefined;
    if (output) {
      inbox.publish(output.deliveries);
      if (output.webhook) kickWebhooks();
    }
    return result;
  }

  // Coupons applied at payment -----------------------------------------------------------------------
  const campaignCache = new Map<number, { row: CampaignRow; at: number }>();
  async function campaignById(id: number): Promise<CampaignRow> {
    const cached = campaignCache.get(id);
    if (cached && Date.now() - cached.at < 5_000) return cached.row;
    const row = await db.selectFrom('coupon_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) fail('COUPON_CAMPAIGN_NOT_FOUND');
    campaignCache.set(id, { row, at: Date.now() });
    return row;
  }

  // A campaign row is immutable once cached (a change replaces the row), so its parsed scope is kept with it.
  const campaignScopes = new WeakMap<CampaignRow, { categories: string[]; ids: number[] }>();
  function eligible(campaign: CampaignRow, merchant: MerchantRow): boolean {
    let scope = campaignScopes.get(campaign);
    if (!scope) {
      scope = { categories: JSON.parse(campaign.categories) as string[], ids: JSON.parse(campaign.merchant_ids) as number[] };
      campaignScopes.set(campaign, scope);
    }
    if (scope.categories.length === 0 && scope.ids.length === 0) return true;
    return scope.categories.includes(merchant.category) || scope.ids.includes(merchant.id);
  }

  /**
   * The coupon worth most to this payment: the highest face value, then the one expiring first.
   * Reads only what the index coupons_member_usable holds (this runs on every payment).
   */
  async function bestCoupon(memberId: number, merchant: MerchantRow, amount: number): Promise<{ couponId: number; campaign: CampaignRow } | undefined> {
    const now = ledger.now();
    const rows = await db
      .selectFrom('coupons')
      .select(['id', 'campaign_id'])
      .where('account_id', '=', memberId)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .orderBy('expires_at')
      .limit(100)
      .execute();
    let best: { couponId: number; campaign: CampaignRow } | undefined;
    for (const coupon of rows) {
      if (couponsInUse.has(coupon.id)) continue;
      const campaign = await campaignById(coupon.campaign_id);
      if (campaign.status !== 'active' || campaign.valid_from > now || campaign.threshold_minor > amount || !eligible(campaign, merchant)) continue;
      if (!best || campaign.face_minor > best.campaign.face_minor) best = { couponId: coupon.id, campaign };
    }
    return best;
  }

  // Payments -----------------------------------------------------------------------------------------
  async function recipientsOf(merchantId: number): Promise<number[]> {
    const { staff } = await merchantWithStaff(merchantId);
    return [...staff.keys()];
  }

  /**
   * Moves one payment: member → merchant (less any coupon), coupon budget → merchant (the subsidy),
   * merchant → operator fees, and points to the merchant, all in one ledger command with the
   * payment row, the coupon's use and the events.
   */
  async function settle(input: {
    merchant: MerchantRow;
    payerId: number;
    amount: number;
    order: PaymentRow | null;
    insert: PaymentPayload['insert'];
    codeToUse: string | null;
    run: { record: { key: string; requestHash: string } | undefined; ticket: { done(): void } };
    idempotencyActor: number;
    statusCode: number;
  }): Promise<MoneyResponse> {
    const { merchant, payerId, amount } = input;
    requireApproved(merchant);
    if (merchant.owner_id === payerId) fail('MERCHANT_SELF_PAYMENT');
    const rules = await getPointsRules();
    const best = await bestCoupon(payerId, merchant, amount);
    const subsidy = best ? Math.min(best.campaign.face_minor, amount - 1) : 0;
    const paid = amount - subsidy;
    const fee = Math.floor((amount * settings.feeBasisPoints) / 10_000);
    const [payerWallet, merchantAccount, fees, issuance, merchantPoints] = await Promise.all([
      ledger.account(payerId, 'wallet', CNY),
      ledger.account(merchant.id, 'merchant', CNY),
      ledger.account(OPERATOR_OWNER_ID, 'fees', CNY),
      ledger.account(OPERATOR_OWNER_ID, 'points_issuance', POINTS),
      ledger.account(merchant.id, 'merchant_points', POINTS),
    ]);
    const reference = `merchant:${merchant.id}`;
    const transfers: NewTransfer[] = [
      {
        debit: payerWallet,
        credit: merchantAccount,
        asset: CNY,
        amount: paid,
        kind: 'merchant_payment',
        status: 'posted',
        reference,
        note: merchant.business_name.slice(0, 100),
      },
    ];
    if (best && subsidy > 0) {
      const budget = await ledger.account(best.campaign.id, 'coupon_budget', CNY);
      transfers.push({
        debit: budget,
        credit: merchantAccount,
        asset: CNY,
        amount: subsidy,
        kind: 'coupon_subsidy',
        status: 'posted',
        reference: `coupon:${best.couponId}`,
      });
    }
    if (fee > 0) transfers.push({ debit: merchantAccount, credit: fees, asset: CNY, amount: fee, kind: 'merchant_fee', status: 'posted', reference });
    if (rules.pointsPerPayment > 0) {
      transfers.push({
        debit: issuance,
        credit: merchantPoints,
        asset: POINTS,
        amount: rules.pointsPerPayment,
        kind: 'payment_points',
        status: 'posted',
        reference,
      });
    }
    const payload: PaymentPayload = {
      op: 'pay',
      paymentId: input.order?.id ?? null,
      insert: input.insert,
      payerId,
      amount,
      couponId: best?.couponId ?? null,
      subsidy,
      paid,
      fee,
      points: rules.pointsPerPayment,
      codeToUse: input.codeToUse,
      merchant,
      recipients: await recipientsOf(merchant.id),
    };
    const respond = (result: LedgerResult): MoneyResponse => {
      const output = result.extension as Output;
      invariant(output.payment, 'a payment returns its row');
      return { statusCode: input.statusCode, body: { payment: presentPayment(output.payment) } };
    };
    if (best) couponsInUse.add(best.couponId);
    try {
      return await ledger.withDailyReservation(payerId, CNY, paid, async () => {
        const result = await submit(
          { transfers, extension: { name: EXTENSION, payload }, idempotency: ledger.idempotencyRecord(input.idempotencyActor, input.run, respond) },
          input.run.ticket,
        );
        return result.response ?? respond(result);
      });
    } finally {
      if (best) couponsInUse.delete(best.couponId);
    }
  }

  async function resolvePayToken(payToken: string) {
    if (payToken.startsWith('s')) {
      let merchantId = staticTokens.get(payToken);
      if (merchantId === undefined) {
        const row = await db.selectFrom('merchants').select('id').where('static_token', '=', payToken).executeTakeFirst();
        if (!row) fail('MERCHANT_ORDER_NOT_FOUND');
        merchantId = row.id;
        if (staticTokens.size > 50_000) staticTokens.clear();
        staticTokens.set(payToken, merchantId);
      }
      return { merchant: (await merchantWithStaff(merchantId)).row, order: null };
    }
    const order = await db.selectFrom('merchant_payments').selectAll().where('qr_token', '=', payToken).executeTakeFirst();
    if (!order) fail('MERCHANT_ORDER_NOT_FOUND');
    return { merchant: (await merchantWithStaff(order.merchant_id)).row, order };
  }

  /** What the payer sees after scanning: the merchant, the order (if dynamic), the coupon that would apply. */
  async function previewPay(memberId: number, payToken: string, amountMinor?: number) {
    const { merchant, order } = await resolvePayToken(payToken);
    const amount = order ? order.amount_minor : amountMinor;
    const best = amount ? await bestCoupon(memberId, merchant, amount) : undefined;
    const coupon = best ? await db.selectFrom('coupons').selectAll().where('id', '=', best.couponId).executeTakeFirst() : undefined;
    return {
      merchant: { id: idString(merchant.id), businessName: merchant.business_name, category: merchant.category, status: merchant.status },
      order: order ? presentPayment(order, ledger.now()) : null,
      coupon: best && coupon ? { ...presentCoupon(coupon, best.campaign), subsidyMinor: String(Math.min(best.campaign.face_minor, (amount ?? 1) - 1)) } : null,
    };
  }

  async function payByQr(memberId: number, payToken: string, input: PayCodeBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      memberId,
      key,
      { required: true, route: 'merchant-pay', body: { token: payToken, amountMinor: input.amountMinor ?? '' } },
      async (run) => {
        await ledger.verifyPin(memberId, input.pin);
        const { merchant, order } = await resolvePayToken(payToken);
        const now = ledger.now();
        if (order) {
          if (order.status !== 'open' || (order.expires_at !== null && order.expires_at <= now)) fail('MERCHANT_ORDER_CLOSED');
          return settle({
            merchant,
            payerId: memberId,
            amount: order.amount_minor,
            order,
            insert: null,
            codeToUse: null,
            run,
            idempotencyActor: memberId,
            statusCode: 201,
          });
        }
        if (input.amountMinor === undefined) fail('WALLET_INVALID_AMOUNT', 'Enter the amount to pay.');
        const amount = ledger.parseAmount(input.amountMinor);
        return settle({
          merchant,
          payerId: memberId,
          amount,
          order: null,
          insert: staticRow(merchant.id, 'static', amount, '', null, now),
          codeToUse: null,
          run,
          idempotencyActor: memberId,
          statusCode: 201,
        });
      },
    );
  }

  function staticRow(merchantId: number, channel: 'static' | 'code', amount: number, description: string, outTradeNo: string | null, now: number) {
    return {
      merchant_id: merchantId,
      channel,
      out_trade_no: outTradeNo,
      description,
      qr_token: null,
      amount_minor: amount,
      payer_id: null,
      coupon_id: null,
      subsidy_minor: 0,
      paid_minor: 0,
      fee_minor: 0,
      points: 0,
      refunded_minor: 0,
      refund_count: 0,
      expires_at: null,
      created_at: now,
    };
  }

  async function createOrder(actor: MerchantActor, input: CreateOrderBody) {
    requireApproved(actor.merchant);
    const amount = ledger.parseAmount(input.amountMinor);
    const now = ledger.now();
    const description = input.description ?? '';
    if (input.outTradeNo) {
      const existing = await db
        .selectFrom('merchant_payments')
        .selectAll()
        .where('merchant_id', '=', actor.merchant.id)
        .where('out_trade_no', '=', input.outTradeNo)
        .executeTakeFirst();
      if (existing) {
        if (existing.amount_minor !== amount || existing.description !== description || existing.channel !== 'dynamic') fail('MERCHANT_ORDER_EXISTS');
        return { statusCode: 200, order: presentPayment(existing, now) };
      }
    }
    try {
      const row = await db
        .insertInto('merchant_payments')
        .values({
          ...staticRow(actor.merchant.id, 'code', amount, description, input.outTradeNo ?? null, now),
          channel: 'dynamic',
          qr_token: token('o'),
          status: 'open',
          transfer_id: null,
          paid_at: null,
          expires_at: now + (input.expiresInSeconds ? input.expiresInSeconds * 1000 : settings.orderTtlMs),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { statusCode: 201, order: presentPayment(row, now) };
    } catch (error) {
      if (isUniqueViolation(error)) fail('MERCHANT_ORDER_EXISTS');
      throw error;
    }
  }

  async function findPayment(actor: MerchantActor, ref: { paymentId?: number; outTradeNo?: string }): Promise<PaymentRow> {
    let q = db.selectFrom('merchant_payments').selectAll().where('merchant_id', '=', actor.merchant.id);
    if (ref.paymentId !== undefined) q = q.where('id', '=', ref.paymentId);
    else if (ref.outTradeNo !== undefined) q = q.where('out_trade_no', '=', ref.outTradeNo);
    else fail('VALIDATION_FAILED', 'Name the payment by paymentId or outTradeNo.');
    const row = await q.executeTakeFirst();
    if (!row) fail('MERCHANT_ORDER_NOT_FOUND');
    return row;
  }

  async function getPayment(actor: MerchantActor, ref: { paymentId?: number; outTradeNo?: string }) {
    return presentPayment(await findPayment(actor, ref), ledger.now());
  }

  async function listPayments(actor: MerchantActor, query: MerchantPageQuery) {
    const max = Math.min(query.limit ?? 50, settings.pageMax);
    let q = db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .where('status', '=', 'paid')
      .orderBy('id', 'desc')
      .limit(max);
    if (query.cursor) q = q.where('id', '<', parseId(query.cursor, 'cursor'));
    const rows = await q.execute();
    return { payments: rows.map((r) => presentPayment(r)), nextCursor: rows.length === max ? idString((rows[rows.length - 1] as PaymentRow).id) : null };
  }

  // Member payment codes -----------------------------------------------------------------------------
  async function issuePaymentCode(memberId: number) {
    const now = ledger.now();
    // One live code per member: a fresh code retires the previous one.
    await db.updateTable('payment_codes').set({ used_at: now }).where('account_id', '=', memberId).where('used_at', 'is', null).execute();
    await db
      .deleteFrom('payment_codes')
      .where('expires_at', '<', now - DAY_MS)
      .execute();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      let code = '28';
      for (let i = 0; i < 16; i += 1) code += String(randomInt(10));
      try {
        await db
          .insertInto('payment_codes')
          .values({ code, account_id: memberId, expires_at: now + settings.paymentCodeTtlMs, used_at: null })
          .execute();
        return { code, expiresAt: toIso(now + settings.paymentCodeTtlMs), refreshInMs: Math.min(60_000, settings.paymentCodeTtlMs) };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    fail('SERVICE_UNAVAILABLE');
  }

  /** A cashier charges a member's code; above the PIN threshold the payment waits for the member's PIN. */
  async function chargeCode(actor: MerchantActor, input: ChargeCodeBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      actor.idempotencyActor,
      key,
      { required: true, route: `merchant-charge:${actor.merchant.id}`, body: { ...input } },
      async (run) => {
        requireApproved(actor.merchant);
        const amount = ledger.parseAmount(input.amountMinor);
        const now = ledger.now();
        const code = await db.selectFrom('payment_codes').selectAll().where('code', '=', input.code).executeTakeFirst();
        if (!code || code.used_at !== null || code.expires_at <= now) fail('MERCHANT_PAYMENT_CODE_INVALID');
        if (code.account_id === actor.merchant.owner_id) fail('MERCHANT_SELF_PAYMENT');
        const row = { ...staticRow(actor.merchant.id, 'code', amount, input.description ?? '', input.outTradeNo ?? null, now), payer_id: code.account_id };
        if (amount > settings.codePinAboveMinor) {
          const pending = await db.transaction().execute(async (trx) => {
            const used = await trx
              .updateTable('payment_codes')
              .set({ used_at: now })
              .where('code', '=', input.code)
              .where('used_at', 'is', null)
              .executeTakeFirst();
            if (Number(used.numUpdatedRows) !== 1) fail('MERCHANT_PAYMENT_CODE_INVALID');
            const inserted = await trx
              .insertInto('merchant_payments')
              .values({ ...row, status: 'awaiting_pin', transfer_id: null, paid_at: null, expires_at: now + 5 * 60_000 })
              .returningAll()
              .executeTakeFirstOrThrow();
            const deliveries = await inbox.appendEvents(trx as unknown as Transaction<Database>, [
              {
                accountId: code.account_id,
                type: 'merchant.payment',
                payload: { payment: presentPayment(inserted, now), merchantName: actor.merchant.business_name },
              },
            ]);
            return { inserted, deliveries };
          });
          inbox.publish(pending.deliveries);
          return { statusCode: 202, body: { payment: presentPayment(pending.inserted, now) } };
        }
        return settle({
          merchant: actor.merchant,
          payerId: code.account_id,
          amount,
          order: null,
          insert: row,
          codeToUse: input.code,
          run,
          idempotencyActor: actor.idempotencyActor,
          statusCode: 201,
        });
      },
    );
  }

  async function confirmCharge(memberId: number, paymentId: number, pin: string, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(memberId, key, { required: true, route: 'merchant-confirm', body: { paymentId } }, async (run) => {
      await ledger.verifyPin(memberId, pin);
      const order = await db.selectFrom('merchant_payments').selectAll().where('id', '=', paymentId).where('payer_id', '=', memberId).executeTakeFirst();
      if (!order) fail('MERCHANT_ORDER_NOT_FOUND');
      if (order.status !== 'awaiting_pin' || (order.expires_at !== null && order.expires_at <= ledger.now())) fail('MERCHANT_ORDER_CLOSED');
      const merchant = (await merchantWithStaff(order.merchant_id)).row;
      return settle({
        merchant,
        payerId: memberId,
        amount: order.amount_minor,
        order,
        insert: null,
        codeToUse: null,
        run,
        idempotencyActor: memberId,
        statusCode: 201,
      });
    });
  }

  // Refunds ------------------------------------------------------------------------------------------
  async function refund(actor: MerchantActor, input: RefundBody): Promise<MoneyResponse> {
    const payment = await findPayment(actor, {
      paymentId: input.paymentId === undefined ? undefined : parseId(input.paymentId, 'paymentId'),
      outTradeNo: input.outTradeNo,
    });
    const amount = ledger.parseAmount(input.amountMinor);
    // The merchant's refund number is the idempotency key: a retry returns the first refund.
    return ledger.idempotent(
      -actor.merchant.id,
      `refund:${input.refundNo}`,
      { required: true, route: 'merchant-refund', body: { paymentId: payment.id, amountMinor: amount } },
      async (run) => {
        if (payment.status !== 'paid' || payment.payer_id === null || payment.paid_at === null)
          fail('MERCHANT_ORDER_CLOSED', 'Only paid payments can be refunded.');
        if (ledger.now() - payment.paid_at > settings.refundWindowMs) fail('MERCHANT_REFUND_WINDOW');
        if (payment.refund_count >= settings.refundsPerPaymentMax) fail('MERCHANT_REFUND_LIMIT');
        if (payment.refunded_minor + amount > payment.paid_minor) fail('MERCHANT_REFUND_EXCEEDS');
        const merchantAccount = await ledger.account(actor.merchant.id, 'merchant', CNY);
        const payerWallet = await ledger.account(payment.payer_id, 'wallet', CNY);
        const transfers: NewTransfer[] = [
          { debit: merchantAccount, credit: payerWallet, asset: CNY, amount, kind: 'merchant_refund', status: 'posted', reference: `payment:${payment.id}` },
        ];
        // A payment refunded in full gives the coupon's subsidy back to its campaign's budget, or,
        // once the campaign's validity is over (the sweeper returns the budget then), straight to
        // whoever funded it: the issuer's account or the operator's fees.
        if (payment.refunded_minor + amount === payment.paid_minor && payment.subsidy_minor > 0 && payment.coupon_id !== null) {
          const coupon = await db.selectFrom('coupons').select('campaign_id').where('id', '=', payment.coupon_id).executeTakeFirstOrThrow();
          const campaign = await campaignById(coupon.campaign_id);
          const returnTo =
            campaign.status === 'active' && ledger.now() < campaign.valid_until
              ? await ledger.account(campaign.id, 'coupon_budget', CNY)
              : await funderAccount(campaign);
          transfers.push({
            debit: merchantAccount,
            credit: returnTo,
            asset: CNY,
            amount: payment.subsidy_minor,
            kind: 'coupon_subsidy_return',
            status: 'posted',
            reference: `payment:${payment.id}`,
          });
        }
        const payload: RefundPayload = {
          op: 'refund',
          payment,
          refundNo: input.refundNo,
          amount,
          reason: input.reason ?? '',
          merchant: actor.merchant,
          recipients: await recipientsOf(actor.merchant.id),
        };
        const respond = (result: LedgerResult): MoneyResponse => {
          const output = result.extension as Output;
          invariant(output.refund && output.payment, 'a refund returns its rows');
          return { statusCode: 201, body: { refund: presentRefund(output.refund), payment: presentPayment(output.payment) } };
        };
        const result = await submit(
          { transfers, extension: { name: EXTENSION, payload }, idempotency: ledger.idempotencyRecord(-actor.merchant.id, run, respond) },
          run.ticket,
        );
        return result.response ?? respond(result);
      },
    );
  }

  async function getRefund(actor: MerchantActor, refundNo: string) {
    const row = await db
      .selectFrom('merchant_refunds')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .where('refund_no', '=', refundNo)
      .executeTakeFirst();
    if (!row) fail('MERCHANT_REFUND_NOT_FOUND');
    return presentRefund(row);
  }

  async function listRefunds(actor: MerchantActor, paymentId: number) {
    await findPayment(actor, { paymentId });
    const rows = await db
      .selectFrom('merchant_refunds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .orderBy('id')
      .limit(settings.refundsPerPaymentMax)
      .execute();
    return rows.map(presentRefund);
  }

  // Reports ------------------------------------------------------------------------------------------
  async function dailyReport(actor: MerchantActor, days = 14) {
    const now = ledger.now();
    const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
    const buckets = new Map<string, { count: number; grossMinor: number; subsidyMinor: number; feeMinor: number; refundedMinor: number }>();
    for (let i = 0; i < days; i += 1)
      buckets.set(new Date(since + i * DAY_MS).toISOString().slice(0, 10), { count: 0, grossMinor: 0, subsidyMinor: 0, feeMinor: 0, refundedMinor: 0 });
    const rows = await db
      .selectFrom('merchant_payments')
      .select(['amount_minor', 'subsidy_minor', 'fee_minor', 'paid_at'])
      .where('merchant_id', '=', actor.merchant.id)
      .where('status', '=', 'paid')
      .where('paid_at', '>=', since)
      .limit(200_000)
      .execute();
    for (const r of rows) {
      const b = buckets.get(new Date(r.paid_at ?? 0).toISOString().slice(0, 10));
      if (!b) continue;
      b.count += 1;
      b.grossMinor += r.amount_minor;
      b.subsidyMinor += r.subsidy_minor;
      b.feeMinor += r.fee_minor;
    }
    const refunds = await db
      .selectFrom('merchant_refunds')
      .select(['amount_minor', 'created_at'])
      .where('merchant_id', '=', actor.merchant.id)
      .where('created_at', '>=', since)
      .limit(200_000)
      .execute();
    for (const r of refunds) {
      const b = buckets.get(new Date(r.created_at).toISOString().slice(0, 10));
      if (b) b.refundedMinor += r.amount_minor;
    }
    return {
      days: [...buckets].map(([day, b]) => ({
        day,
        count: b.count,
        grossMinor: String(b.grossMinor),
        subsidyMinor: String(b.subsidyMinor),
        feeMinor: String(b.feeMinor),
        refundedMinor: String(b.refundedMinor),
      })),
    };
  }

  /** Moves takings from the merchant account to the owner's wallet (from there to a bank card as any withdrawal). */
  async function settleToWallet(actor: MerchantActor, input: SettlementBody, key: string | undefined): Promise<MoneyResponse> {
    const ownerId = actor.merchant.owner_id;
    return ledger.idempotent(
      ownerId,
      key,
      { required: true, route: `merchant-settle:${actor.merchant.id}`, body: { amountMinor: input.amountMinor } },
      async (run) => {
        await ledger.verifyPin(ownerId, input.pin);
        const amount = ledger.parseAmount(input.amountMinor, 1e12);
        const merchantAccount = await ledger.account(actor.merchant.id, 'merchant', CNY);
        const wallet = await ledger.account(ownerId, 'wallet', CNY);
        const respond = (result: LedgerResult): MoneyResponse => ({
          statusCode: 201,
          body: { settlement: { transferId: idString((result.transfers[0] as { id: number }).id), amountMinor: String(amount) } },
        });
        const result = await submit(
          {
            transfers: [
              {
                debit: merchantAccount,
                credit: wallet,
                asset: CNY,
                amount,
                kind: 'merchant_settlement',
                status: 'posted',
                reference: `merchant:${actor.merchant.id}`,
              },
            ],
            idempotency: ledger.idempotencyRecord(ownerId, run, respond),
          },
          run.ticket,
        );
        return result.response ?? respond(result);
      },
    );
  }

  /** One UTC day's payments and refunds as CSV, with the day's totals on the last line. */
  async function statementCsv(actor: MerchantActor, day: string): Promise<string> {
    const from = parseDay(day);
    if (from === undefined) fail('VALIDATION_FAILED', 'day must be a calendar date, YYYY-MM-DD');
    const to = from + DAY_MS;
    const payments = await db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .where('status', '=', 'paid')
      .where('paid_at', '>=', from)
      .where('paid_at', '<', to)
      .orderBy('id')
      .limit(100_000)
      .execute();
    const refunds = await db
      .selectFrom('merchant_refunds')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .orderBy('id')
      .limit(100_000)
      .execute();
    const lines = ['type,id,time,channel,out_trade_no,amount_minor,paid_by_member_minor,coupon_subsidy_minor,fee_minor,refund_no'];
    const totals = { gross: 0, subsidy: 0, fee: 0, refunded: 0 };
    for (const p of payments) {
      totals.gross += p.amount_minor;
      totals.subsidy += p.subsidy_minor;
      totals.fee += p.fee_minor;
      lines.push(
        [
          'payment',
          p.id,
          toIso(p.paid_at ?? p.created_at),
          p.channel,
          p.out_trade_no ?? '',
          p.amount_minor,
          p.paid_minor,
          p.subsidy_minor,
          p.fee_minor,
          '',
        ].join(','),
      );
    }
    for (const r of refunds) {
      totals.refunded += r.amount_minor;
      lines.push(['refund', r.id, toIso(r.created_at), '', '', -r.amount_minor, '', '', '', r.refund_no].join(','));
    }
    lines.push(['total', '', day, '', '', totals.gross - totals.refunded, '', totals.subsidy, totals.fee, ''].join(','));
    lines.push(['net', '', day, '', '', totals.gross - totals.refunded - totals.fee, '', '', '', ''].join(','));
    return `${lines.join('\n')}\n`;
  }

  // Payment points -----------------------------------------------------------------------------------
  async function pointsSummary(actor: MerchantActor) {
    const rules = await getPointsRules();
    const balance = await ledger.balance(await ledger.account(actor.merchant.id, 'merchant_points', POINTS));
    const fees = await feesPaidAndRebated(actor.merchant.id);
    const redemptions = await db
      .selectFrom('merchant_point_redemptions')
      .selectAll()
      .where('merchant_id', '=', actor.merchant.id)
      .orderBy('id', 'desc')
      .limit(50)
      .execute();
    return {
      points: String(balance.balanceMinor),
      rules,
      feesPaidMinor: String(fees.paid),
      feesRebatedMinor: String(fees.rebated),
      redemptions: redemptions.map((r) => ({
        id: idString(r.id),
        target: r.target,
        points: String(r.points),
        valueMinor: String(r.value_minor),
        createdAt: toIso(r.created_at),
      })),
    };
  }

  async function feesPaidAndRebated(merchantId: number) {
    const paid = await db
      .selectFrom('merchant_payments')
      .select((eb) => eb.fn.sum<string | number>('fee_minor').as('total'))
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'paid')
      .executeTakeFirst();
    const rebated = await db
      .selectFrom('merchant_point_redemptions')
      .select((eb) => eb.fn.sum<string | number>('value_minor').as('total'))
      .where('merchant_id', '=', merchantId)
      .where('target', '=', 'fees')
      .executeTakeFirst();
    return { paid: Number(paid?.total ?? 0), rebated: Number(rebated?.total ?? 0) };
  }

  /** Points go back to the operator; their value comes from the operator's fee account (a fee rebate, or cash). */
  async function redeemPoints(actor: MerchantActor, input: RedeemPointsBody, key: string | undefined): Promise<MoneyResponse> {
    return ledger.idempotent(
      actor.idempotencyActor,
      key,
      { required: true, route: `merchant-redeem:${actor.merchant.id}`, body: { ...input } },
      async (run) => {
        const rules = await getPointsRules();
        const points = ledger.parseAmount(input.points, 1_000_000_000);
        const value = points * rules.pointValueMinor;
        if (value <= 0) fail('MERCHANT_POINTS_RULE', 'Points have no value under the current rules.');
        if (input.target === 'fees') {
          const fees = await feesPaidAndRebated(actor.merchant.id);
          if (fees.rebated + value > fees.paid) fail('MERCHANT_POINTS_RULE', 'Points against fees cover at most the fees paid.');
        } else {
          if (!rules.cashEnabled) fail('MERCHANT_POINTS_RULE', 'Points cannot be redeemed for cash now.');
          const today = Math.floor(ledger.now() / DAY_MS) * DAY_MS;
          const row = await db
            .selectFrom('merchant_point_redemptions')
            .select((eb) => eb.fn.sum<string | number>('points').as('total'))
            .where('merchant_id', '=', actor.merchant.id)
            .where('target', '=', 'cash')
            .where('created_at', '>=', today)
            .executeTakeFirst();
          if (Number(row?.total ?? 0) + points > rules.cashMaxPointsPerDay)
            fail('MERCHANT_POINTS_RULE', `At most ${rules.cashMaxPointsPerDay} points a day for cash.`);
        }
        const merchantPoints = await ledger.account(actor.merchant.id, 'merchant_points', POINTS);
        const issuance = await ledger.account(OPERATOR_OWNER_ID, 'points_issuance', POINTS);
        const fees = await ledger.account(OPERATOR_OWNER_ID, 'fees', CNY);
        const merchantAccount = await ledger.account(actor.merchant.id, 'merchant', CNY);
        const respond = (): MoneyResponse => ({
          statusCode: 201,
          body: { redemption: { target: input.target, points: String(points), valueMinor: String(value) } },
        });
        const result = await submit(
          {
            transfers: [
              { debit: merchantPoints, credit: issuance, asset: POINTS, amount: points, kind: 'points_redeemed', status: 'posted' },
              {
                debit: fees,
                credit: merchantAccount,
                asset: CNY,
                amount: value,
                kind: input.target === 'fees' ? 'points_fee_rebate' : 'points_cash',
                status: 'posted',
              },
            ],
            extension: {
              name: EXTENSION,
              payload: { op: 'redeem', merchantId: actor.merchant.id, target: input.target, points, value } satisfies RedeemPayload,
            },
            idempotency: ledger.idempotencyRecord(actor.idempotencyActor, run, respond),
          },
          run.ticket,
        );
        return result.response ?? respond();
      },
    );
  }

  // Webhooks -----------------------------------------------------------------------------------------
  async function queueWebhook(trx: MerchantTrx, merchant: MerchantRow, type: string, data: Record<string, unknown>): Promise<boolean> {
    // The merchant row comes from the few-seconds cache; setWebhook evicts it on this node.
    const current = merchant.webhook_url;
    if (!current) return false;
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ id: eventId, type, merchantId: idString(merchant.id), createdAt: toIso(Date.now()), data });
    await trx
      .insertInto('merchant_webhooks')
      .values({
        merchant_id: merchant.id,
        event_id: eventId,
        url: current,
        body,
        attempts: 0,
        next_attempt_at: Date.now(),
        delivered_at: null,
        last_status: null,
        created_at: Date.now(),
      })
      .execute();
    return true;
  }

  let delivering: Promise<void> | undefined;
  let deliverAgain = false;
  let closed = false;
  function kickWebhooks(): void {
    if (closed) return;
    if (delivering) {
      deliverAgain = true;
      return;
    }
    delivering = (async () => {
      try {
        do {
          deliverAgain = false;
          await deliverDue();
        } while (deliverAgain && !closed);
      } catch (error) {
        ctx.log.warn({ err: error }, 'merchant webhooks not delivered');
      } finally {
        delivering = undefined;
      }
    })();
  }

  /** Sends every due webhook once; a failure is retried after a doubling backoff, up to the attempt limit. */
  async function deliverDue(): Promise<number> {
    const now = Date.now();
    const due = await db
      .selectFrom('merchant_webhooks')
      .innerJoin('merchants', 'merchants.id', 'merchant_webhooks.merchant_id')
      .select([
        'merchant_webhooks.id',
        'merchant_webhooks.url',
        'merchant_webhooks.body',
        'merchant_webhooks.event_id',
        'merchant_webhooks.attempts',
        'merchants.webhook_secret',
      ])
      .where('merchant_webhooks.delivered_at', 'is', null)
      .where('merchant_webhooks.next_attempt_at', '<=', now)
      .where('merchant_webhooks.attempts', '<', settings.webhookAttemptsMax)
      .orderBy('merchant_webhooks.id')
      .limit(100)
      .execute();
    await Promise.all(
      due.map(async (hook) => {
        // Claim the attempt first, so two workers or nodes never send the same attempt at once.
        const claimed = await db
          .updateTable('merchant_webhooks')
          .set({ next_attempt_at: Date.now() + 2 * settings.webhookTimeoutMs })
          .where('id', '=', hook.id)
          .where('attempts', '=', hook.attempts)
          .where('delivered_at', 'is', null)
          .where('next_attempt_at', '<=', now)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return;
        let status = 0;
        try {
          const response = await fetch(hook.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-plaza-event-id': hook.event_id,
              'x-plaza-signature': signWebhook(hook.webhook_secret ?? '', hook.body),
            },
            body: hook.body,
            signal: AbortSignal.timeout(settings.webhookTimeoutMs),
          });
          status = response.status;
          await response.body?.cancel();
        } catch {
          status = 0;
        }
        const attempts = hook.attempts + 1;
        const ok = status >= 200 && status < 300;
        await db
          .updateTable('merchant_webhooks')
          .set({
            attempts,
            last_status: status,
            delivered_at: ok ? Date.now() : null,
            next_attempt_at: ok ? now : Date.now() + settings.webhookBackoffMs * 2 ** (attempts - 1),
          })
          .where('id', '=', hook.id)
          .execute();
      }),
    );
    return due.length;
  }

  async function listWebhooks(actor: MerchantActor) {
    const rows = await db.selectFrom('merchant_webhooks').selectAll().where('merchant_id', '=', actor.merchant.id).orderBy('id', 'desc').limit(50).execute();
    return rows.map((r) => ({
      eventId: r.event_id,
      attempts: r.attempts,
      lastStatus: r.last_status,
      deliveredAt: r.delivered_at === null ? null : toIso(r.delivered_at),
      nextAttemptAt: toIso(r.next_attempt_at),
    }));
  }

  // Coupon campaigns ---------------------------------------------------------------------------------
  async function loadBatches(campaignId: number) {
    return db
      .selectFrom('coupon_batches')
      .select(['id', 'release_at', 'quota', 'issued'])
      .where('campaign_id', '=', campaignId)
      .orderBy('release_at')
      .execute();
  }

  /** The account a campaign's budget came from: its issuer's, or the operator's fees. */
  function funderAccount(campaign: Pick<CampaignRow, 'coupon_issuer_id'>): Promise<AccountRef> {
    return campaign.coupon_issuer_id === null ? ledger.account(OPERATOR_OWNER_ID, 'fees', CNY) : issuers.account(campaign.coupon_issuer_id);
  }

  /**
   * Creates a campaign and moves its budget into the campaign's own account, which opens it in the
   * same transaction. The operator funds from its fee account (`issuer` absent); a coupon issuer
   * from its own account, which must hold the budget: a shortfall is COUPON_ISSUER_INSUFFICIENT_FUNDS
   * and leaves no campaign behind.
   */
  async function createCampaign(actorId: number, input: CouponCampaignBody, key: string | undefined, issuer?: CouponIssuerRow): Promise<MoneyResponse> {
    const route = issuer ? `coupon-campaign:issuer:${issuer.id}` : 'coupon-campaign';
    return ledger.idempotent(actorId, key, { required: true, route, body: { body: JSON.stringify(input) } }, async (run) => {
      const name = input.name.trim();
      if (!name) fail('VALIDATION_FAILED', 'Give the campaign a name.');
      const budget = ledger.parseAmount(input.budgetMinor, 1e13);
      const face = ledger.parseAmount(input.faceMinor);
      const threshold = ledger.parseAmount(input.thresholdMinor);
      const validFrom = parseIso(input.validFrom);
      const validUntil = parseIso(input.validUntil);
      const quotas = input.batches.reduce((sum, b) => sum + b.quota, 0);
      const releases = input.batches.map((b) => parseIso(b.releaseAt));
      if (threshold <= face || validUntil <= validFrom || quotas * face > budget || releases.some((r) => r >= validUntil)) fail('COUPON_CAMPAIGN_INVALID');
      const merchantIds = [...new Set((input.merchantIds ?? []).map((id) => parseId(id, 'merchantIds')))];
      if (issuer && issuer.status !== 'active') fail('COUPON_ISSUER_SUSPENDED');
      const source = issuer ? await issuers.account(issuer.id) : await ledger.account(OPERATOR_OWNER_ID, 'fees', CNY);
      if (issuer) {
        const { balanceMinor, heldMinor } = await ledger.balance(source);
        if (balanceMinor - heldMinor < budget) fail('COUPON_ISSUER_INSUFFICIENT_FUNDS');
      }
      if (merchantIds.length > 0) {
        const known = new Set((await db.selectFrom('merchants').select('id').where('id', 'in', merchantIds).execute()).map((r) => r.id));
        const unknown = merchantIds.filter((id) => !known.has(id));
        if (unknown.length > 0) fail('COUPON_CAMPAIGN_INVALID', `No merchant has the id ${unknown.slice(0, 5).join(', ')}.`);
      }
      const campaign = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('coupon_campaigns')
          .values({
            issuer_id: actorId,
            coupon_issuer_id: issuer ? issuer.id : null,
            name,
            budget_minor: budget,
            face_minor: face,
            threshold_minor: threshold,
            per_member_cap: input.perMemberCap,
            categories: JSON.stringify([...new Set(input.categories ?? [])]),
            merchant_ids: JSON.stringify(merchantIds),
            valid_from: validFrom,
            valid_until: validUntil,
            status: 'draft',
            created_at: ledger.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('coupon_batches')
          .values(input.batches.map((b, i) => ({ campaign_id: row.id, release_at: releases[i] as number, quota: b.quota, issued: 0 })))
          .execute();
        return row;
      });
      // The budget moves from the funder's account into the campaign's own account; the campaign
      // opens in the same transaction. The campaign's id names its budget account, so the draft
      // rows come first; a funding that fails takes them away again.
      const budgetAccount = await ledger.account(campaign.id, 'coupon_budget', CNY);
      const batches = await loadBatches(campaign.id);
      const respond = (): MoneyResponse => ({ statusCode: 201, body: { campaign: presentCampaign({ ...campaign, status: 'active' }, batches) } });
      let result: LedgerResult;
      try {
        result = await submit(
          {
            transfers: [
              {
                debit: source,
                credit: budgetAccount,
                asset: CNY,
                amount: budget,
                kind: 'coupon_budget',
                status: 'posted',
                reference: `campaign:${campaign.id}`,
              },
            ],
            extension: { name: EXTENSION, payload: { op: 'campaign-open', campaignId: campaign.id } satisfies CampaignPayload },
            idempotency: ledger.idempotencyRecord(actorId, run, respond),
          },
          run.ticket,
        );
      } catch (error) {
        await db.transaction().execute(async (trx) => {
          const gone = await trx.deleteFrom('coupon_campaigns').where('id', '=', campaign.id).where('status', '=', 'draft').executeTakeFirst();
          if (Number(gone.numDeletedRows) === 1) await trx.deleteFrom('coupon_batches').where('campaign_id', '=', campaign.id).execute();
        });
        if (error instanceof AppError && error.code === 'WALLET_INSUFFICIENT_FUNDS' && issuer) fail('COUPON_ISSUER_INSUFFICIENT_FUNDS');
        throw error;
      }
      campaignCache.delete(campaign.id);
      return result.response ?? respond();
    });
  }

  /** Open campaigns (members), all but drafts (operators), or one issuer's own (its console). */
  async function listCampaigns(onlyActive: boolean, issuerId?: number) {
    let q = db.selectFrom('coupon_campaigns').selectAll().orderBy('id', 'desc').limit(100);
    q = onlyActive ? q.where('status', '=', 'active') : q.where('status', '!=', 'draft');
    if (issuerId !== undefined) q = q.where('coupon_issuer_id', '=', issuerId);
    const rows = await q.execute();
    // Members see who pays for a coupon: the town's name, or nothing for the operator's own.
    const issuerIds = [...new Set(rows.flatMap((r) => (r.coupon_issuer_id === null ? [] : [r.coupon_issuer_id])))];
    const names = new Map(
      issuerIds.length === 0
        ? []
        : (await db.selectFrom('coupon_issuers').select(['id', 'name']).where('id', 'in', issuerIds).execute()).map((i) => [i.id, i.name] as const),
    );
    const out = [];
    for (const row of rows) {
      const issuerName = row.coupon_issuer_id === null ? null : (names.get(row.coupon_issuer_id) ?? null);
      out.push({ ...presentCampaign(row, await loadBatches(row.id)), issuerName });
    }
    return out;
  }

  // Grabs. Each node keeps, per campaign, only facts it read from SQL: how many coupons each batch
  // had issued (a count that only grows, so a batch seen full is full), the coupons it has seen and
  // how many of them each member holds. A grab those facts refuse is refused in memory; any other
  // goes to a batched writer that decides it in SQL under the campaign's lock (its batch rows), so
  // nodes on one database neither overshoot nor refuse a retry the other node issued. Once the
  // released batches are full and every coupon of the campaign is known, retries and refusals are
  // answered in memory until the next release.
  const GRAB_COUPONS_MEMORY_MAX = 2_000_000;
  const GRAB_REFRESH_EVERY_MS = 250;
  const postgres = ctx.dialect === 'postgres';
  const grabStates = new Map<number, Promise<GrabState>>();
  function grabState(campaignId: number): Promise<GrabState> {
    let state = grabStates.get(campaignId);
    if (!state) {
      state = (async () => {
        const fresh: GrabState = {
          campaign: await campaignById(campaignId),
          batches: [],
          coupons: new Map(),
          held: new Map(),
          inFlight: new Map(),
          completeUntil: 0,
          refreshing: undefined,
          refreshedAt: 0,
        };
        await refreshGrabState(fresh);
        return fresh;
      })();
      state.catch(() => grabStates.delete(campaignId));
      grabStates.set(campaignId, state);
    }
    return state;
  }

  function learnCoupon(state: GrabState, row: CouponRow): void {
    const flightKey = `${row.account_id}:${row.grab_key}`;
    if (state.coupons.has(flightKey) || state.coupons.size >= GRAB_COUPONS_MEMORY_MAX) return;
    // `held` counts only coupons in `coupons`: a member seen at the cap has all of theirs there.
    state.coupons.set(flightKey, row);
    state.held.set(row.account_id, (state.held.get(row.account_id) ?? 0) + 1);
  }

  function learnBatches(state: GrabState, rows: GrabState['batches'], now: number): void {
    for (const row of rows) {
      const known = state.batches.find((b) => b.id === row.id);
      if (known) known.issued = Math.max(known.issued, row.issued);
      else state.batches.push({ ...row });
    }
    state.batches.sort((a, b) => a.release_at - b.release_at || a.id - b.id);
    // Released batches full, and as many coupons known as issued: no coupon can be issued that this
    // node does not know until the next batch is released.
    const released = state.batches.filter((b) => b.release_at <= now);
    const issued = state.batches.reduce((sum, b) => sum + b.issued, 0);
    if (released.length > 0 && released.every((b) => b.issued >= b.quota) && state.coupons.size === issued) {
      const next = state.batches.find((b) => b.release_at > now);
      state.completeUntil = Math.min(state.campaign.valid_until, next?.release_at ?? Number.POSITIVE_INFINITY);
    }
  }

  /** Reads the batches and, when the released ones are full, every coupon of the campaign. */
  function refreshGrabState(state: GrabState): Promise<void> {
    if (state.refreshing || Date.now() - state.refreshedAt < GRAB_REFRESH_EVERY_MS) return state.refreshing ?? Promise.resolve();
    state.refreshedAt = Date.now();
    state.refreshing = (async () => {
      const batches = await loadBatches(state.campaign.id);
      const now = ledger.now();
      const issued = batches.reduce((sum, b) => sum + b.issued, 0);
      const full = batches.every((b) => b.release_at > now || b.issued >= b.quota);
      if (full && state.coupons.size < issued && issued <= GRAB_COUPONS_MEMORY_MAX) {
        // Read after the batches were seen full, so it holds every coupon counted there.
        const rows = await db.selectFrom('coupons').selectAll().where('campaign_id', '=', state.campaign.id).execute();
        for (const row of rows) learnCoupon(state, row);
      }
      learnBatches(state, batches, now);
    })().finally(() => {
      state.refreshing = undefined;
    });
    return state.refreshing;
  }

  const grabQueue: PendingGrab[] = [];
  let grabWriting = false;
  function writeGrab(state: GrabState, memberId: number, key: string, at: number): Promise<CouponRow> {
    return new Promise((resolve, reject) => {
      grabQueue.push({ state, memberId, key, at, resolve, reject });
      if (!grabWriting) {
        grabWriting = true;
        setImmediate(() => void drainGrabs());
      }
    });
  }

  async function drainGrabs(): Promise<void> {
    while (grabQueue.length > 0) {
      const batch = grabQueue.splice(0, settings.grabBatchMax);
      const byCampaign = new Map<GrabState, PendingGrab[]>();
      for (const pending of batch) {
        const group = byCampaign.get(pending.state);
        if (group) group.push(pending);
        else byCampaign.set(pending.state, [pending]);
      }
      for (const group of [...byCampaign.values()].sort((a, b) => (a[0] as PendingGrab).state.campaign.id - (b[0] as PendingGrab).state.campaign.id)) {
        try {
          await writeGrabBatch(group);
        } catch {
          // A failed statement fails its transaction: each grab alone then gets its own answer.
          for (const pending of group) {
            try {
              await writeGrabBatch([pending]);
            } catch (error) {
              pending.reject(error);
            }
          }
        }
      }
    }
    grabWriting = false;
  }

  /** Decides grabs of one campaign in one transaction, under the lock of the campaign's batch rows. */
  async function writeGrabBatch(batch: PendingGrab[]): Promise<void> {
    const state = (batch[0] as PendingGrab).state;
    const campaign = state.campaign;
    const members = [...new Set(batch.map((p) => p.memberId))];
    const decided = await db.transaction().execute(async (trx) => {
      let lock = trx.selectFrom('coupon_batches').select(['id', 'release_at', 'quota', 'issued']).where('campaign_id', '=', campaign.id).orderBy('id');
      if (postgres) lock = lock.forUpdate();
      const batches = await lock.execute();
      const held: CouponRow[] = [];
      for (let start = 0; start < members.length; start += 500) {
        held.push(
          ...(await trx
            .selectFrom('coupons')
            .selectAll()
            .where('campaign_id', '=', campaign.id)
            .where('account_id', 'in', members.slice(start, start + 500))
            .execute()),
        );
      }
      const byKey = new Map(held.map((r) => [`${r.account_id}:${r.grab_key}`, r]));
      const slots = new Map<number, Set<number>>();
      for (const r of held) slots.set(r.account_id, (slots.get(r.account_id) ?? new Set()).add(r.slot));
      const room = new Map(batches.map((b) => [b.id, b.quota - b.issued]));
      const byRelease = [...batches].sort((a, b) => a.release_at - b.release_at || a.id - b.id);
      type Refusal = 'COUPON_NOT_RELEASED' | 'COUPON_SOLD_OUT' | 'COUPON_CAP_REACHED';
      const refused = new Map<string, Refusal>();
      const fresh = new Map<string, Omit<CouponRow, 'id'>>();
      for (const p of batch) {
        const flightKey = `${p.memberId}:${p.key}`;
        if (byKey.has(flightKey) || fresh.has(flightKey) || refused.has(flightKey)) continue;
        const released = byRelease.filter((b) => b.release_at <= p.at);
        const target = released.find((b) => (room.get(b.id) ?? 0) > 0);
        const taken = slots.get(p.memberId) ?? new Set<number>();
        let slot = 1;
        while (taken.has(slot)) slot += 1;
        if (!target) {
          refused.set(flightKey, released.length === 0 ? 'COUPON_NOT_RELEASED' : 'COUPON_SOLD_OUT');
          continue;
        }
        if (slot > campaign.per_member_cap) {
          refused.set(flightKey, 'COUPON_CAP_REACHED');
          continue;
        }
        taken.add(slot);
        slots.set(p.memberId, taken);
        room.set(target.id, (room.get(target.id) ?? 0) - 1);
        fresh.set(flightKey, {
          campaign_id: campaign.id,
          batch_id: target.id,
          account_id: p.memberId,
          grab_key: p.key,
          slot,
          status: 'active',
          payment_id: null,
          expires_at: campaign.valid_until,
          created_at: p.at,
          used_at: null,
        });
      }
      const rows = [...fresh.values()];
      for (let start = 0; start < rows.length; start += 400) {
        const inserted = await trx
          .insertInto('coupons')
          .values(rows.slice(start, start + 400))
          .returningAll()
          .execute();
        for (const r of inserted) byKey.set(`${r.account_id}:${r.grab_key}`, r);
      }
      for (const b of batches) {
        const count = b.quota - b.issued - (room.get(b.id) ?? 0);
        if (count === 0) continue;
        const updated = await trx
          .updateTable('coupon_batches')
          .set((eb) => ({ issued: eb('issued', '+', count) }))
          .where('id', '=', b.id)
          .where((eb) => eb(eb('issued', '+', count), '<=', eb.ref('quota')))
          .executeTakeFirst();
        invariant(Number(updated.numUpdatedRows) === 1, 'a coupon batch has the room counted under its lock');
        b.issued += count;
      }
      return { batches, byKey, refused };
    });
    for (const row of decided.byKey.values()) learnCoupon(state, row);
    learnBatches(state, decided.batches, ledger.now());
    for (const p of batch) {
      const flightKey = `${p.memberId}:${p.key}`;
      const row = decided.byKey.get(flightKey);
      const refusal = decided.refused.get(flightKey);
      if (row) p.resolve(row);
      else if (refusal) p.reject(new AppError(refusal));
      else p.reject(new Error(`invariant violated: grab ${flightKey} was neither issued nor refused`));
    }
  }

  async function grabCoupon(memberId: number, campaignId: number, key: string | undefined) {
    if (!key || !/^[\x21-\x7e]{1,100}$/.test(key)) fail('WALLET_IDEMPOTENCY_KEY_REQUIRED');
    const state = await grabState(campaignId);
    const campaign = state.campaign;
    const flightKey = `${memberId}:${key}`;
    const known = state.coupons.get(flightKey);
    if (known) return presentCoupon(known, campaign);
    const running = state.inFlight.get(flightKey);
    if (running) return presentCoupon(await running, campaign);
    const now = ledger.now();
    if (campaign.status !== 'active' || now >= campaign.valid_until) fail('COUPON_NOT_RELEASED');
    const released = state.batches.filter((b) => b.release_at <= now);
    if (released.length === 0) fail('COUPON_NOT_RELEASED');
    const soldOut = released.every((b) => b.issued >= b.quota);
    // At the cap, every coupon of the member is known here, and this key is none of them.
    const atCap = (state.held.get(memberId) ?? 0) >= campaign.per_member_cap;
    if (soldOut || atCap) {
      if (!atCap && now >= state.completeUntil) {
        await refreshGrabState(state);
        const prior = state.coupons.get(flightKey) ?? (now >= state.completeUntil ? await priorGrab(memberId, key, campaignId) : undefined);
        if (prior) return presentCoupon(prior, campaign);
      }
      fail(soldOut ? 'COUPON_SOLD_OUT' : 'COUPON_CAP_REACHED');
    }
    const attempt = writeGrab(state, memberId, key, now);
    state.inFlight.set(flightKey, attempt);
    try {
      return presentCoupon(await attempt, campaign);
    } catch (error) {
      // The key holds a coupon of another campaign: the insert met its unique index.
      if (isUniqueViolation(error)) {
        const prior = await priorGrab(memberId, key, campaignId);
        if (prior) return presentCoupon(prior, campaign);
      }
      throw error;
    } finally {
      state.inFlight.delete(flightKey);
    }
  }

  async function priorGrab(memberId: number, key: string, campaignId: number): Promise<CouponRow | undefined> {
    const row = await db.selectFrom('coupons').selectAll().where('account_id', '=', memberId).where('grab_key', '=', key).executeTakeFirst();
    if (row && row.campaign_id !== campaignId) fail('IDEMPOTENCY_KEY_REUSED');
    return row;
  }

  async function myCoupons(memberId: number, query: MerchantPageQuery) {
    const max = Math.min(query.limit ?? 50, settings.pageMax);
    let q = db.selectFrom('coupons').selectAll().where('account_id', '=', memberId).orderBy('id', 'desc').limit(max);
    if (query.cursor) q = q.where('id', '<', parseId(query.cursor, 'cursor'));
    const rows = await q.execute();
    const out = [];
    for (const r of rows) out.push(presentCoupon(r, await campaignById(r.campaign_id)));
    return { coupons: out, nextCursor: rows.length === max ? idString((rows[rows.length - 1] as CouponRow).id) : null };
  }

  /**
   * Marks coupons past their validity expired; a campaign past its end returns what is left of its
   * budget to whoever funded it (its issuer's account, or the operator's fees).
   */
  async function sweepCoupons(limit = 1000) {
    const now = ledger.now();
    const expired = await db.updateTable('coupons').set({ status: 'expired' }).where('status', '=', 'active').where('expires_at', '<=', now).executeTakeFirst();
    const ended = await db.selectFrom('coupon_campaigns').selectAll().where('status', '=', 'active').where('valid_until', '<=', now).limit(limit).execute();
    let returnedMinor = 0;
    for (const campaign of ended) {
      const budget = await ledger.account(campaign.id, 'coupon_budget', CNY);
      const funder = await funderAccount(campaign);
      const { balanceMinor, heldMinor } = await ledger.balance(budget);
      const left = balanceMinor - heldMinor;
      await submit({
        transfers:
          left > 0
            ? [
                {
                  debit: budget,
                  credit: funder,
                  asset: CNY,
                  amount: left,
                  kind: 'coupon_budget_return',
                  status: 'posted',
                  reference: `campaign:${campaign.id}`,
                },
              ]
            : [],
        extension: { name: EXTENSION, payload: { op: 'campaign-close', campaignId: campaign.id } satisfies CampaignPayload },
      });
      campaignCache.delete(campaign.id);
      grabStates.delete(campaign.id);
      returnedMinor += left;
    }
    return { couponsExpired: Number(expired.numUpdatedRows), campaignsClosed: ended.length, returnedMinor };
  }

  /**
   * Issued, used, subsidy paid and spending driven, by day and by merchant category. With
   * `issuerId`, only that issuer's own campaigns exist: another's is COUPON_CAMPAIGN_NOT_FOUND.
   */
  async function campaignDashboard(campaignId: number, issuerId?: number) {
    const campaign = await campaignById(campaignId);
    if (issuerId !== undefined && (campaign.coupon_issuer_id !== issuerId || campaign.status === 'draft')) fail('COUPON_CAMPAIGN_NOT_FOUND');
    const issuedRows = await db.selectFrom('coupons').select(['created_at']).where('campaign_id', '=', campaignId).limit(1_000_000).execute();
    const usedRows = await db
      .selectFrom('coupons')
      .innerJoin('merchant_payments', 'merchant_payments.coupon_id', 'coupons.id')
      .innerJoin('merchants', 'merchants.id', 'merchant_payments.merchant_id')
      .select(['coupons.used_at', 'merchant_payments.amount_minor', 'merchant_payments.subsidy_minor', 'merchants.category'])
      .where('coupons.campaign_id', '=', campaignId)
      .where('coupons.status', '=', 'used')
      .limit(1_000_000)
      .execute();
    const byDay = new Map<string, { issued: number; used: number; subsidyMinor: number; gmvMinor: number }>();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const dayBucket = (d: string) => {
      const b = byDay.get(d) ?? { issued: 0, used: 0, subsidyMinor: 0, gmvMinor: 0 };
      byDay.set(d, b);
      return b;
    };
    for (const r of issuedRows) dayBucket(day(r.created_at)).issued += 1;
    const byCategory = new Map<string, { used: number; subsidyMinor: number; gmvMinor: number }>();
    let subsidy = 0;
    let gmv = 0;
    for (const r of usedRows) {
      const b = dayBucket(day(r.used_at ?? 0));
      b.used += 1;
      b.subsidyMinor += r.subsidy_minor;
      b.gmvMinor += r.amount_minor;
      const c = byCategory.get(r.category) ?? { used: 0, subsidyMinor: 0, gmvMinor: 0 };
      c.used += 1;
      c.subsidyMinor += r.subsidy_minor;
      c.gmvMinor += r.amount_minor;
      byCategory.set(r.category, c);
      subsidy += r.subsidy_minor;
      gmv += r.amount_minor;
    }
    const ratio = (g: number, s: number) => (s === 0 ? 0 : Math.round((g / s) * 100) / 100);
    return {
      campaign: presentCampaign(campaign, await loadBatches(campaignId)),
      totals: { issued: issuedRows.length, used: usedRows.length, subsidyMinor: String(subsidy), gmvMinor: String(gmv), gmvPerSubsidy: ratio(gmv, subsidy) },
      byDay: [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([d, b]) => ({
          day: d,
          issued: b.issued,
          used: b.used,
          subsidyMinor: String(b.subsidyMinor),
          gmvMinor: String(b.gmvMinor),
          gmvPerSubsidy: ratio(b.gmvMinor, b.subsidyMinor),
        })),
      byCategory: [...byCategory].map(([category, c]) => ({
        category,
        used: c.used,
        subsidyMinor: String(c.subsidyMinor),
        gmvMinor: String(c.gmvMinor),
        gmvPerSubsidy: ratio(c.gmvMinor, c.subsidyMinor),
      })),
    };
  }

  // Lifestyle-services search ------------------------------------------------------------------------
  /**
   * Keyword (any part of the name, address or category, so Chinese words match by substring),
   * category and distance. Approved merchants only; at most searchScanMax candidates are ranked.
   */
  async function search(query: MerchantSearchQuery) {
    const limit = Math.min(query.limit ?? 20, 100);
    let q = db.selectFrom('merchants').selectAll().where('status', '=', 'approved').orderBy('id', 'desc').limit(settings.searchScanMax);
    if (query.category) q = q.where('category', '=', query.category);
    const keyword = query.q?.trim().toLowerCase();
    if (keyword) {
      const pattern = `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // An explicit ESCAPE: PostgreSQL escapes with a backslash by default, SQLite has no default.
      q = q.where(
        sql<boolean>`(lower(business_name) LIKE ${pattern} ESCAPE '\\' OR lower(address) LIKE ${pattern} ESCAPE '\\' OR category LIKE ${pattern} ESCAPE '\\')`,
      );
    }
    const rows = await q.execute();
    const origin = query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : undefined;
    let results = rows.map((r) => ({
      merchant: presentMerchant(r),
      distanceM: origin ? Math.round(distanceM(origin.lat, origin.lng, r.lat_e6 / 1e6, r.lng_e6 / 1e6)) : null,
    }));
    if (origin) {
      if (query.radiusM !== undefined) results = results.filter((r) => (r.distanceM ?? 0) <= (query.radiusM ?? 0));
      results.sort((a, b) => (a.distanceM ?? 0) - (b.distanceM ?? 0));
    }
    return {
      results: results.slice(0, limit).map((r) => ({
        id: r.merchant.id,
        businessName: r.merchant.businessName,
        category: r.merchant.category,
        address: r.merchant.address,
        lat: r.merchant.lat,
        lng: r.merchant.lng,
        distanceM: r.distanceM,
      })),
    };
  }

  // Life cycle ---------------------------------------------------------------------------------------
  const cover = createReliefCover(ctx, { ledger, media: deps.media, accounts });

  let timer: NodeJS.Timeout | undefined;
  return {
    settings,
    cover,
    issuers,
    apply,
    listForReview,
    review,
    mine,
    actorFor,
    actorForApiKey,
    details,
    addStaff,
    removeStaff,
    createApiKey,
    listApiKeys,
    revokeApiKey,
    setWebhook,
    listWebhooks,
    getPointsRules,
    setPointsRules,
    previewPay,
    payByQr,
    createOrder,
    getPayment,
    listPayments,
    issuePaymentCode,
    chargeCode,
    confirmCharge,
    refund,
    getRefund,
    listRefunds,
    dailyReport,
    settleToWallet,
    statementCsv,
    pointsSummary,
    redeemPoints,
    createCampaign,
    listCampaigns,
    grabCoupon,
    myCoupons,
    sweepCoupons,
    campaignDashboard,
    search,
    deliverDue,
    start() {
      let sweeping = false;
      timer = setInterval(() => {
        kickWebhooks();
        if (sweeping) return;
        sweeping = true;
        void sweepCoupons()
          .catch((error) => ctx.log.warn({ err: error }, 'coupon sweep failed'))
          .finally(() => {
            sweeping = false;
          });
      }, settings.webhookPollMs);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await delivering;
      while (grabWriting) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}

export type MerchantsService = ReturnType<typeof createMerchantsService>;
export type { AccountRef };
