import { Type } from 'typebox';
import {
  AddMembersBody,
  CreateConversationBody,
  ForwardBody,
  IdParam,
  MemberSettingsBody,
  MessagesQuery,
  ReadBody,
  RoleBody,
  SendMessageBody,
  TransferOwnerBody,
  UpdateConversationBody,
} from '@plaza/protocol';
import { type App, member } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { ChatService } from './service.js';

const ConversationParams = Type.Object({ id: IdParam });
const MemberParams = Type.Object({ id: IdParam, accountId: IdParam });
const MessageParams = Type.Object({ id: IdParam, messageId: IdParam });
const InviteParams = Type.Object({ code: Type.String({ minLength: 10, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }) });

export function registerChatRoutes(app: App, chat: ChatService) {
  const tags = ['chat'];
  const access = 'member' as const;

  app.post('/api/v1/conversations', { config: { access }, schema: { tags, body: CreateConversationBody } }, async (request, reply) => {
    const auth = member(request);
    const body = request.body;
    if (body.kind === 'direct') {
      const { conversation, created } = await chat.createDirect(auth.accountId, parseId(body.peerId, 'peerId'));
      reply.code(created ? 201 : 200);
      return { conversation };
    }
    reply.code(201);
    return { conversation: await chat.createGroup(auth.accountId, body.title, body.memberIds) };
  });

  app.get('/api/v1/conversations', { config: { access }, schema: { tags } }, async (request) => ({
    conversations: await chat.listConversations(member(request).accountId),
  }));

  app.get('/api/v1/conversations/:id', { config: { access }, schema: { tags, params: ConversationParams } }, async (request) =>
    chat.getConversation(member(request).accountId, parseId(request.params.id)),
  );

  app.patch(
    '/api/v1/conversations/:id',
    { config: { access }, schema: { tags, params: ConversationParams, body: UpdateConversationBody } },
    async (request) => ({
      conversation: await chat.updateConversation(member(request).accountId, parseId(request.params.id), request.body),
    }),
  );

  app.patch(
    '/api/v1/conversations/:id/settings',
    { config: { access }, schema: { tags, params: ConversationParams, body: MemberSettingsBody } },
    async (request) => ({
      conversation: await chat.updateSettings(member(request).accountId, parseId(request.params.id), request.body),
    }),
  );

  app.post('/api/v1/conversations/:id/members', { config: { access }, schema: { tags, params: ConversationParams, body: AddMembersBody } }, async (request) =>
    chat.addMembers(member(request).accountId, parseId(request.params.id), request.body.accountIds),
  );

  app.delete('/api/v1/conversations/:id/members/:accountId', { config: { access }, schema: { tags, params: MemberParams } }, async (request, reply) => {
    await chat.removeMember(member(request).accountId, parseId(request.params.id), parseId(request.params.accountId));
    reply.code(204);
  });

  app.put(
    '/api/v1/conversations/:id/members/:accountId/role',
    { config: { access }, schema: { tags, params: MemberParams, body: RoleBody } },
    async (request) => chat.setRole(member(request).accountId, parseId(request.params.id), parseId(request.params.accountId), request.body.role),
  );

  app.post('/api/v1/conversations/:id/owner', { config: { access }, schema: { tags, params: ConversationParams, body: TransferOwnerBody } }, async (request) =>
    chat.transferOwner(member(request).accountId, parseId(request.params.id), parseId(request.body.accountId, 'accountId')),
  );

  app.post('/api/v1/conversations/:id/leave', { config: { access }, schema: { tags, params: ConversationParams } }, async (request, reply) => {
    await chat.leave(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });

  app.post('/api/v1/conversations/:id/read', { config: { access }, schema: { tags, params: ConversationParams, body: ReadBody } }, async (request) => ({
    conversation: await chat.markRead(member(request).accountId, parseId(request.params.id), request.body.seq),
  }));

  app.post('/api/v1/conversations/:id/invites', { config: { access }, schema: { tags, params: ConversationParams } }, async (request, reply) => {
    reply.code(201);
    return { invite: await chat.createInvite(member(request).accountId, parseId(request.params.id)) };
  });

  app.get('/api/v1/group-invites/:code', { config: { access }, schema: { tags, params: InviteParams } }, async (request) => ({
    invite: await chat.previewInvite(request.params.code),
  }));

  app.post('/api/v1/group-invites/:code/join', { config: { access }, schema: { tags, params: InviteParams } }, async (request) => ({
    conversation: await chat.joinByInvite(member(request).accountId, request.params.code),
  }));

  app.post(
    '/api/v1/conversations/:id/messages',
    { config: { access }, schema: { tags, params: ConversationParams, body: SendMessageBody } },
    async (request, reply) => {
      const { message, created } = await chat.sendMessage(member(request).accountId, parseId(request.params.id), request.body);
      reply.code(created ? 201 : 200);
      return { message };
    },
  );

  app.get(
    '/api/v1/conversations/:id/messages',
    { config: { access }, schema: { tags, params: ConversationParams, querystring: MessagesQuery } },
    async (request) => ({
      messages: await chat.listMessages(member(request).accountId, parseId(request.params.id), request.query),
    }),
  );

  app.post('/api/v1/conversations/:id/messages/:messageId/recall', { config: { access }, schema: { tags, params: MessageParams } }, async (request) => ({
    message: await chat.recall(member(request).accountId, parseId(request.params.id), parseId(request.params.messageId)),
  }));

  app.delete('/api/v1/conversations/:id/messages/:messageId', { config: { access }, schema: { tags, params: MessageParams } }, async (request, reply) => {
    await chat.hideForMe(member(request).accountId, parseId(request.params.id), parseId(request.params.messageId));
    reply.code(204);
  });

  app.post('/api/v1/messages/forward', { config: { access }, schema: { tags, body: ForwardBody } }, async (request, reply) => {
    reply.code(201);
    return { messages: await chat.forward(member(request).accountId, request.body) };
  });
}
