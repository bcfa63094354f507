import { Type } from 'typebox';
import { BlockBody, FriendRequestBody, IdParam, UpdateContactBody } from '@plaza/protocol';
import { type App, member } from '../../http.js';
import { parseId } from '../../lib/ids.js';
import type { ContactsService } from './service.js';

const IdParams = Type.Object({ id: IdParam });

export function registerContactRoutes(app: App, contacts: ContactsService) {
  const tags = ['contacts'];
  const access = 'member' as const;

  app.post('/api/v1/friend-requests', { config: { access }, schema: { tags, body: FriendRequestBody } }, async (request, reply) => {
    const { handle, accountId, message } = request.body;
    const result = await contacts.sendRequest(
      member(request).accountId,
      { handle, accountId: accountId === undefined ? undefined : parseId(accountId, 'accountId') },
      message,
    );
    reply.code(201);
    return result;
  });
  app.get('/api/v1/friend-requests', { config: { access }, schema: { tags } }, async (request) => ({
    requests: await contacts.listRequests(member(request).accountId),
  }));
  app.post('/api/v1/friend-requests/:id/accept', { config: { access }, schema: { tags, params: IdParams } }, async (request) =>
    contacts.accept(member(request).accountId, parseId(request.params.id)),
  );
  app.post('/api/v1/friend-requests/:id/decline', { config: { access }, schema: { tags, params: IdParams } }, async (request) =>
    contacts.decline(member(request).accountId, parseId(request.params.id)),
  );

  app.get('/api/v1/contacts', { config: { access }, schema: { tags } }, async (request) => ({
    contacts: await contacts.listContacts(member(request).accountId),
  }));
  app.get('/api/v1/contacts/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request) => ({
    contact: await contacts.getContact(member(request).accountId, parseId(request.params.id)),
  }));
  app.patch('/api/v1/contacts/:id', { config: { access }, schema: { tags, params: IdParams, body: UpdateContactBody } }, async (request) => ({
    contact: await contacts.updateContact(member(request).accountId, parseId(request.params.id), request.body),
  }));
  app.delete('/api/v1/contacts/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await contacts.deleteContact(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });

  app.get('/api/v1/blocks', { config: { access }, schema: { tags } }, async (request) => ({ accounts: await contacts.listBlocks(member(request).accountId) }));
  app.post('/api/v1/blocks', { config: { access }, schema: { tags, body: BlockBody } }, async (request, reply) => {
    await contacts.block(member(request).accountId, parseId(request.body.accountId, 'accountId'));
    reply.code(204);
  });
  app.delete('/api/v1/blocks/:id', { config: { access }, schema: { tags, params: IdParams } }, async (request, reply) => {
    await contacts.unblock(member(request).accountId, parseId(request.params.id));
    reply.code(204);
  });
}
