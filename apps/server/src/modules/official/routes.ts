import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  AddOfficialAdminBody,
  AutoReplyBody,
  CreateOfficialAccountBody,
  IdParam,
  MenuPressBody,
  OfficialCommentBody,
  OfficialMessageBody,
  OfficialPageQuery,
  OfficialSearchQuery,
  OfficialStatsQuery,
  OperatorOfficialQuery,
  PublishArticleBody,
  RefundPurchaseBody,
  ReviewOfficialAccountBody,
  TipArticleBody,
  UnlockArticleBody,
  UpdateOfficialAccountBody,
} from '@plaza/protocol';
import { type App, member, operator } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { MoneyResponse } from '../wallet/index.js';
import type { OfficialService } from './service.js';

const IdParams = Type.Object({ id: IdParam });
const TwoIds = (second: string) => Type.Object({ id: IdParam, [second]: IdParam });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Required: a retry with the same key returns the first result.' })),
});

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, response: MoneyResponse) {
  reply.code(response.statusCode);
  return response.body;
}

export function registerOfficialRoutes(app: App, official: OfficialService) {
  const tags = ['official-accounts'];
  const access = 'member' as const;
  const me = (request: FastifyRequest) => member(request).accountId;

  // Accounts
  app.post(
    '/api/v1/official-accounts',
    { config: { access }, schema: { tags, summary: 'Register an Official Account (pending until an operator verifies it)', body: CreateOfficialAccountBody } },
    async (request, reply) => {
      reply.code(201);
      return { account: await official.register(me(request), request.body) };
    },
  );
  app.get(
    '/api/v1/official-accounts/mine',
    { config: { access }, schema: { tags, summary: 'Official Accounts I own or administer', querystring: OfficialPageQuery } },
    async (request) => official.mine(me(request), request.query.cursor, request.query.limit),
  );
  app.get(
    '/api/v1/official-accounts/search',
    { config: { access }, schema: { tags, summary: 'Search verified Official Accounts by name', querystring: OfficialSearchQuery } },
    async (request) => official.search(me(request), request.query.q, request.query.cursor, request.query.limit),
  );
  app.get(
    '/api/v1/official-accounts/following',
    {
      config: { access },
      schema: { tags, summary: 'The Official Accounts folder: followed accounts with their latest article, newest first', querystring: OfficialPageQuery },
    },
    async (request) => official.following(me(request), request.query.cursor, request.query.limit),
  );
  app.get('/api/v1/official-accounts/:id', { config: { access }, schema: { tags, summary: 'One Official Account', params: IdParams } }, async (request) => ({
    account: await official.get(me(request), parseId(request.params.id)),
  }));
  app.patch(
    '/api/v1/official-accounts/:id',
    { config: { access }, schema: { tags, summary: 'Change description, avatar or menu (admins)', params: IdParams, body: UpdateOfficialAccountBody } },
    async (request) => ({ account: await official.update(me(request), parseId(request.params.id), request.body) }),
  );
  app.put('/api/v1/official-accounts/:id/follow', { config: { access }, schema: { tags, summary: 'Follow', params: IdParams } }, async (request, reply) => {
    await official.follow(me(request), parseId(request.params.id));
    reply.code(204);
  });
  app.delete(
    '/api/v1/official-accounts/:id/follow',
    { config: { access }, schema: { tags, summary: 'Unfollow', params: IdParams } },
    async (request, reply) => {
      await official.unfollow(me(request), parseId(request.params.id));
      reply.code(204);
    },
  );

  // Admins
  app.get(
    '/api/v1/official-accounts/:id/admins',
    { config: { access }, schema: { tags, summary: 'Admins (owner first)', params: IdParams } },
    async (request) => ({
      admins: await official.listAdmins(me(request), parseId(request.params.id)),
    }),
  );
  app.post(
    '/api/v1/official-accounts/:id/admins',
    { config: { access }, schema: { tags, summary: 'Appoint an admin by Plaza ID (owner)', params: IdParams, body: AddOfficialAdminBody } },
    async (request) => ({ admins: await official.addAdmin(me(request), parseId(request.params.id), request.body.handle) }),
  );
  app.delete(
    '/api/v1/official-accounts/:id/admins/:accountId',
    { config: { access }, schema: { tags, summary: 'Remove an admin (owner)', params: TwoIds('accountId') } },
    async (request, reply) => {
      await official.removeAdmin(me(request), parseId(request.params.id), parseId(request.params.accountId));
      reply.code(204);
    },
  );

  // Articles
  app.get(
    '/api/v1/official-accounts/:id/articles',
    { config: { access }, schema: { tags, summary: 'Articles of an account, newest first', params: IdParams, querystring: OfficialPageQuery } },
    async (request) => official.listArticles(me(request), parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.post(
    '/api/v1/official-accounts/:id/articles',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Publish an article and broadcast it to followers (within the type’s broadcast limit)',
        params: IdParams,
        body: PublishArticleBody,
      },
    },
    async (request, reply) => {
      reply.code(201);
      return { article: await official.publish(me(request), parseId(request.params.id), request.body) };
    },
  );
  app.get(
    '/api/v1/official-articles/:id',
    { config: { access }, schema: { tags, summary: 'Read an article (the free preview until a paid one is unlocked)', params: IdParams } },
    async (request) => ({ article: await official.readArticle(me(request), parseId(request.params.id)) }),
  );
  app.post('/api/v1/official-articles/:id/shares', { config: { access }, schema: { tags, summary: 'Count a share', params: IdParams } }, async (request) =>
    official.share(me(request), parseId(request.params.id)),
  );
  app.post(
    '/api/v1/official-articles/:id/unlock',
    {
      config: { access },
      schema: { tags, summary: 'Pay for a paid article with the wallet PIN', params: IdParams, headers: IdempotencyHeaders, body: UnlockArticleBody },
    },
    async (request, reply) => send(reply, await official.unlock(me(request), parseId(request.params.id), request.body.pin, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/official-articles/:id/refunds',
    {
      config: { access },
      schema: { tags, summary: 'Refund a buyer the whole price (owner, with PIN)', params: IdParams, headers: IdempotencyHeaders, body: RefundPurchaseBody },
    },
    async (request, reply) => send(reply, await official.refund(me(request), parseId(request.params.id), request.body, idempotencyKey(request))),
  );
  app.post(
    '/api/v1/official-articles/:id/tips',
    { config: { access }, schema: { tags, summary: 'Tip the publisher', params: IdParams, headers: IdempotencyHeaders, body: TipArticleBody } },
    async (request, reply) => send(reply, await official.tip(me(request), parseId(request.params.id), request.body, idempotencyKey(request))),
  );
  app.get(
    '/api/v1/official-articles/:id/purchases',
    { config: { access }, schema: { tags, summary: 'Who bought a paid article (admins)', params: IdParams, querystring: OfficialPageQuery } },
    async (request) => official.listPurchases(me(request), parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.get(
    '/api/v1/official-articles/:id/comments',
    { config: { access }, schema: { tags, summary: 'Comments, oldest first', params: IdParams, querystring: OfficialPageQuery } },
    async (request) => official.listComments(me(request), parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.post(
    '/api/v1/official-articles/:id/comments',
    { config: { access }, schema: { tags, summary: 'Comment on an article', params: IdParams, body: OfficialCommentBody } },
    async (request, reply) => {
      reply.code(201);
      return { comment: await official.comment(me(request), parseId(request.params.id), request.body.text) };
    },
  );
  app.delete(
    '/api/v1/official-articles/:id/comments/:commentId',
    { config: { access }, schema: { tags, summary: 'Delete a comment (its author or an admin)', params: TwoIds('commentId') } },
    async (request, reply) => {
      await official.deleteComment(me(request), parseId(request.params.id), parseId(request.params.commentId));
      reply.code(204);
    },
  );

  // Auto-replies, menu, messages
  app.get(
    '/api/v1/official-accounts/:id/auto-replies',
    { config: { access }, schema: { tags, summary: 'Auto-replies (admins)', params: IdParams } },
    async (request) => ({
      autoReplies: await official.listAutoReplies(me(request), parseId(request.params.id)),
    }),
  );
  app.post(
    '/api/v1/official-accounts/:id/auto-replies',
    { config: { access }, schema: { tags, summary: 'Add a keyword reply, or set the default reply (no keyword)', params: IdParams, body: AutoReplyBody } },
    async (request, reply) => {
      reply.code(201);
      return { autoReplies: await official.addAutoReply(me(request), parseId(request.params.id), request.body) };
    },
  );
  app.delete(
    '/api/v1/official-accounts/:id/auto-replies/:replyId',
    { config: { access }, schema: { tags, summary: 'Remove an auto-reply', params: TwoIds('replyId') } },
    async (request, reply) => {
      await official.removeAutoReply(me(request), parseId(request.params.id), parseId(request.params.replyId));
      reply.code(204);
    },
  );
  app.post(
    '/api/v1/official-accounts/:id/menu-presses',
    { config: { access }, schema: { tags, summary: 'Press a menu button: a reply in the thread, or the link to open', params: IdParams, body: MenuPressBody } },
    async (request) => official.pressMenu(me(request), parseId(request.params.id), request.body.index),
  );
  app.get(
    '/api/v1/official-accounts/:id/messages',
    { config: { access }, schema: { tags, summary: 'My thread with the account, newest first', params: IdParams, querystring: OfficialPageQuery } },
    async (request) => official.myThread(me(request), parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.post(
    '/api/v1/official-accounts/:id/messages',
    {
      config: { access },
      schema: { tags, summary: 'Write to the account (followers); auto-replies answer at once', params: IdParams, body: OfficialMessageBody },
    },
    async (request, reply) => {
      reply.code(201);
      return official.sendToAccount(me(request), parseId(request.params.id), request.body.text);
    },
  );
  app.get(
    '/api/v1/official-accounts/:id/threads',
    { config: { access }, schema: { tags, summary: 'Members who wrote, newest first (admins)', params: IdParams, querystring: OfficialPageQuery } },
    async (request) => official.threads(me(request), parseId(request.params.id), request.query.cursor, request.query.limit),
  );
  app.get(
    '/api/v1/official-accounts/:id/threads/:memberId/messages',
    { config: { access }, schema: { tags, summary: 'One member’s thread (admins)', params: TwoIds('memberId'), querystring: OfficialPageQuery } },
    async (request) =>
      official.memberThread(me(request), parseId(request.params.id), parseId(request.params.memberId), request.query.cursor, request.query.limit),
  );
  app.post(
    '/api/v1/official-accounts/:id/threads/:memberId/messages',
    { config: { access }, schema: { tags, summary: 'Reply to a member (admins)', params: TwoIds('memberId'), body: OfficialMessageBody } },
    async (request, reply) => {
      reply.code(201);
      return { message: await official.replyToMember(me(request), parseId(request.params.id), parseId(request.params.memberId), request.body.text) };
    },
  );

  // Statistics
  app.get(
    '/api/v1/official-accounts/:id/stats',
    {
      config: { access },
      schema: { tags, summary: 'Followers over time, reads, shares and revenue per day (admins)', params: IdParams, querystring: OfficialStatsQuery },
    },
    async (request) => ({ stats: await official.stats(me(request), parseId(request.params.id), request.query.days) }),
  );

  // Operators
  app.get(
    '/api/v1/operator/official-accounts',
    { config: { access: 'operator' }, schema: { tags, summary: 'Review queue (pending by default)', querystring: OperatorOfficialQuery } },
    async (request) => {
      operator(request);
      return official.reviewQueue(request.query.status, request.query.cursor, request.query.limit);
    },
  );
  app.post(
    '/api/v1/operator/official-accounts/:id/review',
    { config: { access: 'operator' }, schema: { tags, summary: 'Verify or reject a pending account', params: IdParams, body: ReviewOfficialAccountBody } },
    async (request) => ({ account: await official.review(operator(request).accountId, parseId(request.params.id), request.body) }),
  );
}
