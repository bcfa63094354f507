import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  AddStaffBody,
  CoverClaimBody,
  CoverClaimsQuery,
  CoverDecisionBody,
  CoverDocumentsBody,
  CoverEnrolBody,
  CoverProgramBody,
  ChargeCodeBody,
  ConfirmChargeBody,
  CouponCampaignBody,
  CouponIssuerBody,
  CouponIssuerFundingBody,
  CouponIssuerMemberBody,
  CouponIssuerStatusBody,
  CreateOrderBody,
  IdParam,
  MerchantApplicationBody,
  MerchantReviewBody,
  MerchantSearchQuery,
  MerchantPageQuery,
  OperatorIssuerFundingBody,
  PayCodeBody,
  PointsRulesBody,
  RedeemPointsBody,
  RefundBody,
  ReportQuery,
  SettlementBody,
  StatementQuery,
  ReviewQueueQuery,
  WebhookBody,
} from '@plaza/protocol';
import { qrCardPdf, qrPng } from './qr-card.js';
import { type App, member, operator } from '../../http.js';
import { fail } from '../../lib/errors.js';
import { parseId } from '../../lib/ids.js';
import type { MoneyResponse } from '../wallet/index.js';
import type { MerchantActor, MerchantsService } from './service.js';

const Params = Type.Object({ id: IdParam });
const StaffParams = Type.Object({ id: IdParam, accountId: IdParam });
const KeyParams = Type.Object({ id: IdParam, keyId: IdParam });
const PaymentParams = Type.Object({ id: IdParam, paymentId: IdParam });
const TokenParams = Type.Object({ token: Type.String({ pattern: '^[so][A-Za-z0-9_-]{10,40}$' }) });
const OutTradeParams = Type.Object({ outTradeNo: Type.String({ pattern: '^[A-Za-z0-9_\\-]{1,64}$' }) });
const RefundNoParams = Type.Object({ refundNo: Type.String({ pattern: '^[A-Za-z0-9_\\-]{1,64}$' }) });
const RefundParams = Type.Object({ id: IdParam, refundNo: Type.String({ pattern: '^[A-Za-z0-9_\\-]{1,64}$' }) });
const ClaimParams = Type.Object({ id: IdParam, claimId: IdParam });
const IssuerCampaignParams = Type.Object({ id: IdParam, campaignId: IdParam });
const PreviewQuery = Type.Object({ amountMinor: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
const apiKeySecurity = [{ merchantKey: [] }];

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, response: MoneyResponse) {
  reply.code(response.statusCode);
  return response.body;
}

function merchantKey(request: FastifyRequest): string | undefined {
  const value = request.headers['x-merchant-key'];
  return Array.isArray(value) ? value[0] : value;
}

export function registerMerchantRoutes(app: App, merchants: MerchantsService) {
  const tags = ['merchants'];
  const m = 'member' as const;
  const as = (request: FastifyRequest, roles: MerchantActor['role'][]) =>
    merchants.actorFor(member(request).accountId, parseId((request.params as { id: string }).id), roles);
  const managers: MerchantActor['role'][] = ['owner', 'manager'];
  const everyone: MerchantActor['role'][] = ['owner', 'manager', 'cashier'];

  // Applications and the merchant console ----------------------------------------------------------
  app.post(
    '/api/v1/merchants',
    { config: { access: m }, schema: { tags, summary: 'Apply to open a merchant account', body: MerchantApplicationBody } },
    async (request, reply) => {
      reply.code(201);
      return { merchant: await merchants.apply(member(request).accountId, request.body) };
    },
  );
  app.get('/api/v1/merchants/mine', { config: { access: m }, schema: { tags, summary: 'Merchants I own or work for' } }, async (request) => ({
    merchants: await merchants.mine(member(request).accountId),
  }));
  app.get(
    '/api/v1/merchants/search',
    { config: { access: m }, schema: { tags, summary: 'Search merchants and services', querystring: MerchantSearchQuery } },
    async (request) => merchants.search(request.query),
  );
  app.get('/api/v1/merchants/:id', { config: { access: m }, schema: { tags, summary: 'A merchant as its console sees it', params: Params } }, async (request) =>
    merchants.details(await as(request, everyone)),
  );
  app.get(
    '/api/v1/merchants/:id/qr.png',
    { config: { access: m }, schema: { tags, summary: 'The printable static QR code (PNG)', params: Params } },
    async (request, reply) => {
      const details = await merchants.details(await as(request, everyone));
      reply.type('image/png').header('content-disposition', `inline; filename="merchant-${details.merchant.id}-qr.png"`);
      return qrPng(details.staticQrContent);
    },
  );
  app.get(
    '/api/v1/merchants/:id/qr.pdf',
    { config: { access: m }, schema: { tags, summary: 'The printable till card with the static QR code (PDF, A6)', params: Params } },
    async (request, reply) => {
      const details = await merchants.details(await as(request, everyone));
      const pdf = await qrCardPdf({ content: details.staticQrContent, businessName: details.merchant.businessName, merchantId: details.merchant.id });
      reply.type('application/pdf').header('content-disposition', `attachment; filename="merchant-${details.merchant.id}-qr.pdf"`);
      return pdf;
    },
  );
  app.post(
    '/api/v1/merchants/:id/staff',
    { config: { access: m }, schema: { tags, summary: 'Add a cashier or manager from contacts', params: Params, body: AddStaffBody } },
    async (request) => ({
      staff: await merchants.addStaff(await as(request, ['owner']), request.body),
    }),
  );
  app.delete(
    '/api/v1/merchants/:id/staff/:accountId',
    { config: { access: m }, schema: { tags, summary: 'Remove staff', params: StaffParams } },
    async (request, reply) => {
      await merchants.removeStaff(
        await merchants.actorFor(member(request).accountId, parseId(request.params.id), ['owner']),
        parseId(request.params.accountId),
      );
      reply.code(204);
    },
  );
  app.post(
    '/api/v1/merchants/:id/api-keys',
    { config: { access: m }, schema: { tags, summary: 'Create an API key (shown once, stored hashed)', params: Params } },
    async (request, reply) => {
      reply.code(201);
      return { apiKey: await merchants.createApiKey(await as(request, ['owner'])) };
    },
  );
  app.get('/api/v1/merchants/:id/api-keys', { config: { access: m }, schema: { tags, summary: 'List API keys', params: Params } }, async (request) => ({
    apiKeys: await merchants.listApiKeys(await as(request, ['owner'])),
  }));
  app.delete(
    '/api/v1/merchants/:id/api-keys/:keyId',
    { config: { access: m }, schema: { tags, summary: 'Revoke an API key', params: KeyParams } },
    async (request, reply) => {
      await merchants.revokeApiKey(await merchants.actorFor(member(request).accountId, parseId(request.params.id), ['owner']), parseId(request.params.keyId));
      reply.code(204);
    },
  );
  app.put(
    '/api/v1/merchants/:id/webhook',
    { config: { access: m }, schema: { tags, summary: 'Set the webhook URL (returns a new signing secret)', params: Params, body: WebhookBody } },
    async (request) => ({
      webhook: await merchants.setWebhook(await as(request, ['owner']), request.body.url),
    }),
  );
  app.get(
    '/api/v1/merchants/:id/webhooks',
    { config: { access: m }, schema: { tags, summary: 'Recent webhook deliveries', params: Params } },
    async (request) => ({
      deliveries: await merchants.listWebhooks(await as(request, managers)),
    }),
  );
  app.post(
    '/api/v1/merchants/:id/orders',
    { config: { access: m }, schema: { tags, summary: 'Create a dynamic QR order', params: Params, body: CreateOrderBody } },
    async (request, reply) => {
      const { statusCode, order } = await merchants.createOrder(await as(request, everyone), request.body);
      reply.code(statusCode);
      return { order };
    },
  );
  app.get(
    '/api/v1/merchants/:id/payments',
    { config: { access: m }, schema: { tags, summary: 'Paid payments, newest first', params: Params, querystring: MerchantPageQuery } },
    async (request) => merchants.listPayments(await as(request, everyone), request.query),
  );
  app.get(
    '/api/v1/merchants/:id/payments/:paymentId',
    { config: { access: m }, schema: { tags, summary: 'One payment or order', params: PaymentParams } },
    async (request) => {
      const actor = await merchants.actorFor(member(request).accountId, parseId(request.params.id), everyone);
      return {
        payment: await merchants.getPayment(actor, { paymentId: parseId(request.params.paymentId) }),
        refunds: await merchants.listRefunds(actor, parseId(request.params.paymentId)),
      };
    },
  );
  app.post(
    '/api/v1/merchants/:id/charges',
    { config: { access: m }, schema: { tags, summary: "Charge a member's payment code", params: Params, body: ChargeCodeBody } },
    async (request, reply) => send(reply, await merchants.chargeCode(await as(request, everyone), request.body, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/merchants/:id/refunds',
    { config: { access: m }, schema: { tags, summary: 'Refund a payment in full or part', params: Params, body: RefundBody } },
    async (request, reply) => send(reply, await merchants.refund(await as(request, managers), request.body)),
  );
  app.get(
    '/api/v1/merchants/:id/refunds/:refundNo',
    { config: { access: m }, schema: { tags, summary: 'A refund by refund number', params: RefundParams } },
    async (request) => ({
      refund: await merchants.getRefund(await merchants.actorFor(member(request).accountId, parseId(request.params.id), everyone), request.params.refundNo),
    }),
  );
  app.get(
    '/api/v1/merchants/:id/report',
    { config: { access: m }, schema: { tags, summary: 'Daily totals', params: Params, querystring: ReportQuery } },
    async (request) => merchants.dailyReport(await as(request, managers), request.query.days),
  );
  app.post(
    '/api/v1/merchants/:id/settlements',
    { config: { access: m }, schema: { tags, summary: "Move takings to the owner's wallet (PIN)", params: Params, body: SettlementBody } },
    async (request, reply) => send(reply, await merchants.settleToWallet(await as(request, ['owner']), request.body, idempotencyKey(request))),
  );
  app.get(
    '/api/v1/merchants/:id/statement.csv',
    { config: { access: m }, schema: { tags, summary: 'Daily settlement statement (CSV)', params: Params, querystring: StatementQuery } },
    async (request, reply) => {
      const csv = await merchants.statementCsv(await as(request, managers), request.query.day);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${request.query.day}.csv"`);
      return csv;
    },
  );
  app.get(
    '/api/v1/merchants/:id/points',
    { config: { access: m }, schema: { tags, summary: 'Payment points and redemptions', params: Params } },
    async (request) => merchants.pointsSummary(await as(request, managers)),
  );
  app.post(
    '/api/v1/merchants/:id/points/redemptions',
    { config: { access: m }, schema: { tags, summary: 'Redeem points against fees or for cash', params: Params, body: RedeemPointsBody } },
    async (request, reply) => send(reply, await merchants.redeemPoints(await as(request, ['owner']), request.body, idempotencyKey(request))),
  );

  // Members paying ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/pay/:token',
    { config: { access: m }, schema: { tags, summary: 'What a scanned merchant code is', params: TokenParams, querystring: PreviewQuery } },
    async (request) => merchants.previewPay(member(request).accountId, request.params.token, request.query.amountMinor),
  );
  app.post(
    '/api/v1/pay/:token',
    { config: { access: m }, schema: { tags, summary: 'Pay a static or dynamic merchant code', params: TokenParams, body: PayCodeBody } },
    async (request, reply) => send(reply, await merchants.payByQr(member(request).accountId, request.params.token, request.body, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/payment-codes',
    { config: { access: m }, schema: { tags, summary: 'A fresh one-time payment code (valid one minute)' } },
    async (request, reply) => {
      reply.code(201);
      return { paymentCode: await merchants.issuePaymentCode(member(request).accountId) };
    },
  );
  app.post(
    '/api/v1/merchant-payments/:id/confirm',
    { config: { access: m }, schema: { tags, summary: 'Confirm a charge of my payment code with the PIN', params: Params, body: ConfirmChargeBody } },
    async (request, reply) =>
      send(reply, await merchants.confirmCharge(member(request).accountId, parseId(request.params.id), request.body.pin, idempotencyKey(request))),
  );

  // Coupons for members ----------------------------------------------------------------------------
  app.get('/api/v1/coupon-campaigns', { config: { access: m }, schema: { tags: ['coupons'], summary: 'Campaigns open to grab' } }, async () => ({
    campaigns: await merchants.listCampaigns(true),
  }));
  app.post(
    '/api/v1/coupon-campaigns/:id/grabs',
    { config: { access: m }, schema: { tags: ['coupons'], summary: 'Grab a coupon (Idempotency-Key required)', params: Params } },
    async (request, reply) => {
      reply.code(201);
      return { coupon: await merchants.grabCoupon(member(request).accountId, parseId(request.params.id), idempotencyKey(request)) };
    },
  );
  app.get('/api/v1/coupons', { config: { access: m }, schema: { tags: ['coupons'], summary: 'My coupons', querystring: MerchantPageQuery } }, async (request) =>
    merchants.myCoupons(member(request).accountId, request.query),
  );

  // Operators --------------------------------------------------------------------------------------
  const o = 'operator' as const;
  app.get(
    '/api/v1/operator/merchants',
    { config: { access: o }, schema: { tags, summary: 'Merchant applications to review', querystring: ReviewQueueQuery } },
    async (request) => merchants.listForReview(request.query.status ?? 'pending', request.query.cursor, request.query.limit),
  );
  app.post(
    '/api/v1/operator/merchants/:id/review',
    { config: { access: o }, schema: { tags, summary: 'Approve or reject an application', params: Params, body: MerchantReviewBody } },
    async (request) => ({
      merchant: await merchants.review(operator(request).accountId, parseId(request.params.id), request.body),
    }),
  );
  app.get('/api/v1/operator/merchant-points-rules', { config: { access: o }, schema: { tags, summary: 'Payment points rules' } }, async () => ({
    rules: await merchants.getPointsRules(),
  }));
  app.put(
    '/api/v1/operator/merchant-points-rules',
    { config: { access: o }, schema: { tags, summary: 'Set payment points rules', body: PointsRulesBody } },
    async (request) => ({
      rules: await merchants.setPointsRules(request.body),
    }),
  );
  app.post(
    '/api/v1/operator/coupon-campaigns',
    { config: { access: o }, schema: { tags: ['coupons'], summary: 'Create and fund a coupon campaign', body: CouponCampaignBody } },
    async (request, reply) => send(reply, await merchants.createCampaign(operator(request).accountId, request.body, idempotencyKey(request))),
  );
  app.get('/api/v1/operator/coupon-campaigns', { config: { access: o }, schema: { tags: ['coupons'], summary: 'All coupon campaigns' } }, async () => ({
    campaigns: await merchants.listCampaigns(false),
  }));
  app.get(
    '/api/v1/operator/coupon-campaigns/:id/dashboard',
    { config: { access: o }, schema: { tags: ['coupons'], summary: 'Issued, used, subsidy and GMV by day and category', params: Params } },
    async (request) => merchants.campaignDashboard(parseId(request.params.id)),
  );

  // Coupon issuers other than the operator (a town) ----------------------------------------------
  const issuerTags = ['coupon-issuers'];
  const issuers = merchants.issuers;
  app.post(
    '/api/v1/operator/coupon-issuers',
    { config: { access: o }, schema: { tags: issuerTags, summary: 'Register a coupon issuer (a town) and its members', body: CouponIssuerBody } },
    async (request, reply) => {
      reply.code(201);
      return { issuer: await issuers.register(operator(request).accountId, request.body) };
    },
  );
  app.get('/api/v1/operator/coupon-issuers', { config: { access: o }, schema: { tags: issuerTags, summary: 'All coupon issuers' } }, async () => ({
    issuers: await issuers.list(),
  }));
  app.post(
    '/api/v1/operator/coupon-issuers/:id/members',
    { config: { access: o }, schema: { tags: issuerTags, summary: 'Let a member act for an issuer', params: Params, body: CouponIssuerMemberBody } },
    async (request) => ({ issuer: await issuers.addMember(parseId(request.params.id), request.body.handle) }),
  );
  app.delete(
    '/api/v1/operator/coupon-issuers/:id/members/:accountId',
    { config: { access: o }, schema: { tags: issuerTags, summary: 'Stop a member acting for an issuer', params: StaffParams } },
    async (request) => ({ issuer: await issuers.removeMember(parseId(request.params.id), parseId(request.params.accountId)) }),
  );
  app.put(
    '/api/v1/operator/coupon-issuers/:id/status',
    { config: { access: o }, schema: { tags: issuerTags, summary: 'Suspend or reinstate an issuer', params: Params, body: CouponIssuerStatusBody } },
    async (request) => ({ issuer: await issuers.setStatus(parseId(request.params.id), request.body.status) }),
  );
  app.post(
    '/api/v1/operator/coupon-issuers/:id/fundings',
    {
      config: { access: o },
      schema: {
        tags: issuerTags,
        summary: "Fund an issuer's account from the operator's fees (Idempotency-Key)",
        params: Params,
        body: OperatorIssuerFundingBody,
      },
    },
    async (request, reply) =>
      send(reply, await issuers.fundFromOperator(operator(request).accountId, parseId(request.params.id), request.body.amountMinor, idempotencyKey(request))),
  );

  const actingFor = (request: FastifyRequest) => issuers.actorFor(member(request).accountId, parseId((request.params as { id: string }).id));
  app.get('/api/v1/issuer/issuers', { config: { access: m }, schema: { tags: issuerTags, summary: 'Issuers I act for' } }, async (request) => ({
    issuers: await issuers.mine(member(request).accountId),
  }));
  app.get(
    '/api/v1/issuer/issuers/:id',
    { config: { access: m }, schema: { tags: issuerTags, summary: 'An issuer I act for: balance and members', params: Params } },
    async (request) => ({ issuer: await issuers.details(await actingFor(request)) }),
  );
  app.post(
    '/api/v1/issuer/issuers/:id/fundings',
    {
      config: { access: m },
      schema: { tags: issuerTags, summary: "Fund the issuer's account from my wallet (PIN, Idempotency-Key)", params: Params, body: CouponIssuerFundingBody },
    },
    async (request, reply) =>
      send(reply, await issuers.fundFromWallet(member(request).accountId, await actingFor(request), request.body, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/issuer/issuers/:id/coupon-campaigns',
    {
      config: { access: m },
      schema: { tags: issuerTags, summary: "Create a campaign funded from the issuer's account (Idempotency-Key)", params: Params, body: CouponCampaignBody },
    },
    async (request, reply) => {
      const issuer = await actingFor(request);
      return send(reply, await merchants.createCampaign(member(request).accountId, request.body, idempotencyKey(request), issuer));
    },
  );
  app.get(
    '/api/v1/issuer/issuers/:id/coupon-campaigns',
    { config: { access: m }, schema: { tags: issuerTags, summary: "The issuer's own campaigns", params: Params } },
    async (request) => ({ campaigns: await merchants.listCampaigns(false, (await actingFor(request)).id) }),
  );
  app.get(
    '/api/v1/issuer/issuers/:id/coupon-campaigns/:campaignId/dashboard',
    { config: { access: m }, schema: { tags: issuerTags, summary: 'Dashboard of one of the issuer’s own campaigns', params: IssuerCampaignParams } },
    async (request) => merchants.campaignDashboard(parseId(request.params.campaignId), (await actingFor(request)).id),
  );

  // The merchant's own system (API key in X-Merchant-Key) ----------------------------------------
  const apiTags = ['merchant-api'];
  const p = 'public' as const;
  // The key is checked before the body is validated, so a caller without one gets 401, not 400.
  const actors = new WeakMap<FastifyRequest, MerchantActor>();
  const keyCheck = async (request: FastifyRequest) => {
    actors.set(request, await merchants.actorForApiKey(merchantKey(request)));
  };
  const api = async (request: FastifyRequest) => actors.get(request) ?? merchants.actorForApiKey(merchantKey(request));
  app.post(
    '/api/v1/merchant-api/orders',
    {
      config: { access: p },
      onRequest: keyCheck,
      schema: { tags: apiTags, summary: 'Create a dynamic QR order', security: apiKeySecurity, body: CreateOrderBody },
    },
    async (request, reply) => {
      const { statusCode, order } = await merchants.createOrder(await api(request), request.body);
      reply.code(statusCode);
      return { order };
    },
  );
  app.get(
    '/api/v1/merchant-api/orders/:outTradeNo',
    { config: { access: p }, onRequest: keyCheck, schema: { tags: apiTags, summary: 'Query an order', security: apiKeySecurity, params: OutTradeParams } },
    async (request) => ({
      order: await merchants.getPayment(await api(request), { outTradeNo: request.params.outTradeNo }),
    }),
  );
  app.post(
    '/api/v1/merchant-api/charges',
    { config: { access: p }, onRequest: keyCheck, schema: { tags: apiTags, summary: 'Charge a payment code', security: apiKeySecurity, body: ChargeCodeBody } },
    async (request, reply) => send(reply, await merchants.chargeCode(await api(request), request.body, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/merchant-api/refunds',
    {
      config: { access: p },
      onRequest: keyCheck,
      schema: { tags: apiTags, summary: 'Refund (idempotent by refundNo)', security: apiKeySecurity, body: RefundBody },
    },
    async (request, reply) => send(reply, await merchants.refund(await api(request), request.body)),
  );
  app.get(
    '/api/v1/merchant-api/refunds/:refundNo',
    { config: { access: p }, onRequest: keyCheck, schema: { tags: apiTags, summary: 'Query a refund', security: apiKeySecurity, params: RefundNoParams } },
    async (request) => ({
      refund: await merchants.getRefund(await api(request), request.params.refundNo),
    }),
  );

  // Relief cover -----------------------------------------------------------------------------------
  const coverTags = ['relief-cover'];
  const cover = merchants.cover;
  app.post(
    '/api/v1/operator/cover-programs',
    { config: { access: o }, schema: { tags: coverTags, summary: 'Publish and fund a cover program', body: CoverProgramBody } },
    async (request, reply) => send(reply, await cover.createProgram(operator(request).accountId, request.body, idempotencyKey(request))),
  );
  app.get('/api/v1/cover-programs', { config: { access: m }, schema: { tags: coverTags, summary: 'Open cover programs' } }, async () => ({
    programs: await cover.listPrograms(),
  }));
  app.post(
    '/api/v1/merchants/:id/cover-enrolments',
    { config: { access: m }, schema: { tags: coverTags, summary: 'Enrol in a cover program', params: Params, body: CoverEnrolBody } },
    async (request) => ({
      enrolment: await cover.enrol(await as(request, ['owner']), parseId(request.body.programId, 'programId')),
    }),
  );
  app.get(
    '/api/v1/merchants/:id/cover-claims',
    { config: { access: m }, schema: { tags: coverTags, summary: 'My claims and enrolments', params: Params } },
    async (request) => cover.merchantClaims(await as(request, managers)),
  );
  app.post(
    '/api/v1/merchants/:id/cover-claims',
    { config: { access: m }, schema: { tags: coverTags, summary: 'File a claim with dates and documents', params: Params, body: CoverClaimBody } },
    async (request, reply) => {
      reply.code(201);
      return { claim: await cover.fileClaim(await as(request, ['owner']), request.body) };
    },
  );
  app.post(
    '/api/v1/merchants/:id/cover-claims/:claimId/documents',
    { config: { access: m }, schema: { tags: coverTags, summary: 'Add documents the operator asked for', params: ClaimParams, body: CoverDocumentsBody } },
    async (request) => ({ claim: await cover.addDocuments(await as(request, ['owner']), parseId(request.params.claimId), request.body) }),
  );
  app.get(
    '/api/v1/merchants/:id/cover-claims/:claimId',
    { config: { access: m }, schema: { tags: coverTags, summary: 'A claim and its audit trail', params: ClaimParams } },
    async (request) => {
      const actor = await as(request, managers);
      const found = await cover.claimWithAudit(parseId(request.params.claimId));
      if (found.claim.merchantId !== String(actor.merchant.id)) return reply404();
      return found;
    },
  );
  app.get(
    '/api/v1/operator/cover-claims',
    { config: { access: o }, schema: { tags: coverTags, summary: 'Claims to review', querystring: CoverClaimsQuery } },
    async (request) => cover.reviewQueue(request.query.status ?? 'submitted', request.query.cursor, request.query.limit),
  );
  app.get(
    '/api/v1/operator/cover-claims/:id',
    { config: { access: o }, schema: { tags: coverTags, summary: 'A claim and its audit trail', params: Params } },
    async (request) => cover.claimWithAudit(parseId(request.params.id)),
  );
  app.post(
    '/api/v1/operator/cover-claims/:id/decision',
    { config: { access: o }, schema: { tags: coverTags, summary: 'Approve, reject or ask for more', params: Params, body: CoverDecisionBody } },
    async (request, reply) => send(reply, await cover.decide(operator(request).accountId, parseId(request.params.id), request.body, idempotencyKey(request))),
  );
}

function reply404(): never {
  fail('COVER_CLAIM_NOT_FOUND');
}
