import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  BillQuery,
  BindCardBody,
  CreateRedPacketBody,
  CreateTransferBody,
  FundingBody,
  GoldActivationBody,
  GoldPriceBody,
  GoldTradeBody,
  IdParam,
  MonthlyQuery,
  SetPinBody,
} from '@plaza/protocol';
import { type App, member, operator } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { Response, WalletService } from './service.js';

const Params = Type.Object({ id: IdParam });
const HistoryQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })) }, { additionalProperties: false });

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, response: Response) {
  reply.code(response.statusCode);
  return response.body;
}

export function registerWalletRoutes(app: App, wallet: WalletService) {
  const tags = ['wallet'];
  const access = 'member' as const;

  app.get('/api/v1/wallet', { config: { access }, schema: { tags } }, async (request) => wallet.getWallet(member(request).accountId));

  app.post('/api/v1/wallet/pin', { config: { access }, schema: { tags, body: SetPinBody } }, async (request) =>
    wallet.setPin(member(request).accountId, request.body),
  );

  // The check scans every transfer; anyone may ask, so one answer serves everyone for a few seconds.
  let lastHealth: { at: number; report: Promise<Awaited<ReturnType<WalletService['verify']>>> } | undefined;
  app.get('/api/v1/wallet/health', { config: { access: 'public' }, schema: { tags } }, async (_request, reply) => {
    if (!lastHealth || Date.now() - lastHealth.at > 5_000) lastHealth = { at: Date.now(), report: wallet.verify() };
    const report = await lastHealth.report;
    reply.code(report.ok ? 200 : 500);
    return { ok: report.ok, assets: report.assets };
  });

  app.get('/api/v1/bank-cards', { config: { access }, schema: { tags } }, async (request) => ({ cards: await wallet.listCards(member(request).accountId) }));

  app.post('/api/v1/bank-cards', { config: { access }, schema: { tags, body: BindCardBody } }, async (request, reply) => {
    reply.code(201);
    return { card: await wallet.bindCard(member(request).accountId, request.body) };
  });

  app.delete('/api/v1/bank-cards/:id', { config: { access }, schema: { tags, params: Params } }, async (request, reply) => {
    await wallet.removeCard(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });

  app.post('/api/v1/wallet/top-ups', { config: { access }, schema: { tags, body: FundingBody } }, async (request, reply) =>
    send(reply, await wallet.topUp(member(request).accountId, request.body, idempotencyKey(request))),
  );

  app.post('/api/v1/wallet/withdrawals', { config: { access }, schema: { tags, body: FundingBody } }, async (request, reply) =>
    send(reply, await wallet.withdraw(member(request).accountId, request.body, idempotencyKey(request))),
  );

  app.post('/api/v1/transfers', { config: { access }, schema: { tags, body: CreateTransferBody } }, async (request, reply) =>
    send(reply, await wallet.createTransfer(member(request).accountId, request.body, idempotencyKey(request))),
  );

  app.get('/api/v1/transfers/:id', { config: { access }, schema: { tags, params: Params } }, async (request) => ({
    transfer: await wallet.getTransfer(member(request).accountId, parseId(request.params.id)),
  }));

  app.post('/api/v1/transfers/:id/accept', { config: { access }, schema: { tags, params: Params } }, async (request, reply) =>
    send(reply, await wallet.acceptTransfer(member(request).accountId, parseId(request.params.id), idempotencyKey(request))),
  );

  app.post('/api/v1/transfers/:id/return', { config: { access }, schema: { tags, params: Params } }, async (request, reply) =>
    send(reply, await wallet.returnTransfer(member(request).accountId, parseId(request.params.id), idempotencyKey(request))),
  );

  app.post('/api/v1/red-packets', { config: { access }, schema: { tags, body: CreateRedPacketBody } }, async (request, reply) =>
    send(reply, await wallet.createRedPacket(member(request).accountId, request.body, idempotencyKey(request))),
  );

  app.post('/api/v1/red-packets/:id/claim', { config: { access }, schema: { tags, params: Params } }, async (request, reply) =>
    send(reply, await wallet.claimRedPacket(member(request).accountId, parseId(request.params.id), idempotencyKey(request))),
  );

  app.get('/api/v1/red-packets/:id', { config: { access }, schema: { tags, params: Params } }, async (request) => ({
    redPacket: await wallet.getRedPacket(member(request).accountId, parseId(request.params.id)),
  }));

  app.get('/api/v1/wallet/bill', { config: { access }, schema: { tags, querystring: BillQuery } }, async (request) =>
    wallet.bill(member(request).accountId, request.query),
  );

  app.get('/api/v1/wallet/bill/monthly', { config: { access }, schema: { tags, querystring: MonthlyQuery } }, async (request) =>
    wallet.monthlyTotals(member(request).accountId, request.query.asset, request.query.months),
  );

  app.get('/api/v1/wallet/bill.csv', { config: { access }, schema: { tags, querystring: BillQuery } }, async (request, reply) => {
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="plaza-bill.csv"');
    return wallet.billCsv(member(request).accountId, request.query);
  });

  app.get('/api/v1/gold', { config: { access }, schema: { tags, querystring: HistoryQuery } }, async (request) => ({
    gold: await wallet.getGold(member(request).accountId, request.query.days),
  }));

  app.post('/api/v1/gold/activation', { config: { access }, schema: { tags, body: GoldActivationBody } }, async (request) => ({
    gold: await wallet.activateGold(member(request).accountId, request.body),
  }));

  app.post('/api/v1/gold/buy', { config: { access }, schema: { tags, body: GoldTradeBody } }, async (request, reply) =>
    send(reply, await wallet.buyGold(member(request).accountId, request.body, idempotencyKey(request))),
  );

  app.put(
    '/api/v1/operator/gold-price',
    { config: { access: 'operator' }, schema: { tags: ['operator', ...tags], summary: "Set today's gold price (fen per gram)", body: GoldPriceBody } },
    async (request) => {
      const actor = operator(request);
      await wallet.setGoldPrice(actor.accountId, request.body.pricePerGramMinor);
      return { gold: await wallet.getGold(actor.accountId, 30) };
    },
  );

  app.post('/api/v1/gold/sell', { config: { access }, schema: { tags, body: GoldTradeBody } }, async (request, reply) =>
    send(reply, await wallet.sellGold(member(request).accountId, request.body, idempotencyKey(request))),
  );
}
