import QRCode from 'qrcode';
import { Type } from 'typebox';
import {
  AccountSearchQuery,
  ChangePasswordBody,
  GrantOperatorBody,
  IdParam,
  LoginBody,
  QrLoginCreateBody,
  QrLoginPollQuery,
  RegisterBody,
  RenameSessionBody,
  UpdateProfileBody,
} from '@plaza/protocol';
import { type App, member, operator } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import { type AccountsService, presentAccount, presentOwnAccount } from './service.js';

const QrIdParams = Type.Object({ id: Type.String({ minLength: 10, maxLength: 40 }) });

export function registerAccountRoutes(app: App, accounts: AccountsService) {
  const tags = ['accounts'];

  app.post('/api/v1/accounts', { config: { access: 'public' }, schema: { tags, body: RegisterBody } }, async (request, reply) => {
    const result = await accounts.register({ ...request.body, userAgent: request.headers['user-agent'] });
    reply.code(201);
    return result;
  });

  app.post('/api/v1/sessions', { config: { access: 'public' }, schema: { tags, body: LoginBody } }, async (request, reply) => {
    const result = await accounts.login({ ...request.body, userAgent: request.headers['user-agent'], ip: request.ip });
    reply.code(201);
    return result;
  });

  app.get('/api/v1/sessions', { config: { access: 'member' }, schema: { tags } }, async (request) => {
    const auth = member(request);
    return { sessions: await accounts.listSessions(auth.accountId, auth.sessionId) };
  });

  app.patch(
    '/api/v1/sessions/:id',
    { config: { access: 'member' }, schema: { tags, params: Type.Object({ id: IdParam }), body: RenameSessionBody } },
    async (request, reply) => {
      await accounts.renameSession(member(request).accountId, parseId(request.params.id), request.body.deviceName);
      reply.code(204);
    },
  );

  app.delete(
    '/api/v1/sessions/:id',
    { config: { access: 'member' }, schema: { tags, params: Type.Object({ id: Type.String({ pattern: '^([0-9]{1,15}|current|others)$' }) }) } },
    async (request, reply) => {
      const auth = member(request);
      const { id } = request.params;
      if (id === 'others') await accounts.revokeSessions(auth.accountId, { exceptSessionId: auth.sessionId });
      else await accounts.revokeSessions(auth.accountId, { sessionId: id === 'current' ? auth.sessionId : parseId(id) });
      reply.code(204);
    },
  );

  app.get('/api/v1/me', { config: { access: 'member' }, schema: { tags } }, async (request) => {
    return { account: presentOwnAccount(await accounts.getAccount(member(request).accountId)) };
  });

  app.patch('/api/v1/me', { config: { access: 'member' }, schema: { tags, body: UpdateProfileBody } }, async (request) => {
    const { avatarMediaId, ...rest } = request.body;
    const patch = { ...rest, ...(avatarMediaId !== undefined ? { avatarMediaId: avatarMediaId === null ? null : parseId(avatarMediaId) } : {}) };
    return { account: await accounts.updateProfile(member(request).accountId, patch) };
  });

  app.post('/api/v1/me/password', { config: { access: 'member' }, schema: { tags, body: ChangePasswordBody } }, async (request, reply) => {
    const auth = member(request);
    await accounts.changePassword(auth.accountId, auth.sessionId, request.body.currentPassword, request.body.newPassword);
    reply.code(204);
  });

  app.get('/api/v1/accounts/search', { config: { access: 'member' }, schema: { tags, querystring: AccountSearchQuery } }, async (request) => {
    return { accounts: await accounts.search(request.query) };
  });

  app.get('/api/v1/accounts/:id', { config: { access: 'member' }, schema: { tags, params: Type.Object({ id: IdParam }) } }, async (request) => {
    return { account: presentAccount(await accounts.getAccount(parseId(request.params.id))) };
  });

  /** The member's personal QR code as a PNG; scanning it in Plaza opens "add friend". */
  app.get('/api/v1/me/qr.png', { config: { access: 'member' }, schema: { tags } }, async (request, reply) => {
    const account = await accounts.getAccount(member(request).accountId);
    const png = await QRCode.toBuffer(`plaza://user/${account.handle}`, { width: 480, margin: 2, errorCorrectionLevel: 'M' });
    reply.type('image/png').header('cache-control', 'private, max-age=300');
    return png;
  });

  // Operators manage each other; the first one is the instance's first member or OPERATOR_HANDLES.
  const operatorTags = ['operator'];
  app.get('/api/v1/operator/operators', { config: { access: 'operator' }, schema: { tags: operatorTags } }, async () => {
    return { operators: await accounts.listOperators() };
  });

  app.post(
    '/api/v1/operator/operators',
    { config: { access: 'operator' }, schema: { tags: operatorTags, body: GrantOperatorBody } },
    async (request, reply) => {
      reply.code(201);
      return { operator: await accounts.grantOperator(operator(request).accountId, request.body.handle) };
    },
  );

  app.delete(
    '/api/v1/operator/operators/:id',
    { config: { access: 'operator' }, schema: { tags: operatorTags, params: Type.Object({ id: IdParam }) } },
    async (request, reply) => {
      await accounts.revokeOperator(operator(request).accountId, parseId(request.params.id));
      reply.code(204);
    },
  );

  app.post('/api/v1/qr-logins', { config: { access: 'public' }, schema: { tags, body: Type.Optional(QrLoginCreateBody) } }, async (request, reply) => {
    reply.code(201);
    return { qrLogin: await accounts.createQrLogin(request.body?.deviceName) };
  });

  app.get('/api/v1/qr-logins/:id', { config: { access: 'public' }, schema: { tags, params: QrIdParams, querystring: QrLoginPollQuery } }, async (request) => {
    return { qrLogin: await accounts.pollQrLogin(request.params.id, request.query.secret) };
  });

  app.post('/api/v1/qr-logins/:id/scan', { config: { access: 'member' }, schema: { tags, params: QrIdParams } }, async (request) => {
    return { qrLogin: await accounts.scanQrLogin(request.params.id, member(request).accountId) };
  });

  app.post('/api/v1/qr-logins/:id/confirm', { config: { access: 'member' }, schema: { tags, params: QrIdParams } }, async (request) => {
    return { qrLogin: await accounts.confirmQrLogin(request.params.id, member(request).accountId, request.headers['user-agent']) };
  });

  app.post('/api/v1/qr-logins/:id/cancel', { config: { access: 'member' }, schema: { tags, params: QrIdParams } }, async (request, reply) => {
    await accounts.cancelQrLogin(request.params.id, member(request).accountId);
    reply.code(204);
  });
}
