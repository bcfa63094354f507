import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, registerMember, startApp, type TestApp } from '../../test/harness.js';

describe.each(dialects)('contacts on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends a request with a greeting, accepts it, and lists each other as contacts', async () => {
    const alice = await registerMember(app, 'Alice');
    const bob = await registerMember(app, 'Bob');
    const sent = await alice.http.post('/api/v1/friend-requests', { handle: bob.handle, message: 'We met at the market' });
    expect(sent.status).toBe(201);
    expect(sent.body.request.status).toBe('pending');
    const incoming = await bob.http.get('/api/v1/friend-requests');
    expect(incoming.body.requests[0]).toMatchObject({ direction: 'incoming', message: 'We met at the market', from: { id: alice.id } });
    expect((await alice.http.post(`/api/v1/friend-requests/${sent.body.request.id}/accept`)).status).toBe(404);
    const accepted = await bob.http.post(`/api/v1/friend-requests/${sent.body.request.id}/accept`);
    expect(accepted.body.request.status).toBe('accepted');
    expect((await alice.http.get('/api/v1/contacts')).body.contacts.map((c: { account: { id: string } }) => c.account.id)).toEqual([bob.id]);
    expect((await bob.http.get('/api/v1/contacts')).body.contacts[0]).toMatchObject({ account: { id: alice.id }, remark: '', tags: [] });
    const twice = await alice.http.post('/api/v1/friend-requests', { handle: bob.handle });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('CONTACTS_ALREADY_FRIENDS');
  });

  it('treats asking back as accepting, and refuses adding yourself', async () => {
    const a = await registerMember(app, 'A');
    const b = await registerMember(app, 'B');
    await a.http.post('/api/v1/friend-requests', { accountId: b.id });
    const back = await b.http.post('/api/v1/friend-requests', { handle: a.handle });
    expect(back.body.request.status).toBe('accepted');
    expect((await a.http.post('/api/v1/friend-requests', { handle: a.handle })).body.error.code).toBe('CONTACTS_SELF');
    expect((await a.http.post('/api/v1/friend-requests', { handle: 'nobodyhere1' })).status).toBe(404);
  });

  it('declines a request', async () => {
    const a = await registerMember(app, 'A');
    const b = await registerMember(app, 'B');
    const sent = await a.http.post('/api/v1/friend-requests', { handle: b.handle });
    expect((await b.http.post(`/api/v1/friend-requests/${sent.body.request.id}/decline`)).body.request.status).toBe('declined');
    expect((await b.http.post(`/api/v1/friend-requests/${sent.body.request.id}/accept`)).status).toBe(409);
    expect((await a.http.get('/api/v1/contacts')).body.contacts).toHaveLength(0);
  });

  it('keeps remarks and tags private to their owner', async () => {
    const a = await registerMember(app, 'A');
    const b = await registerMember(app, 'B');
    await makeFriends(a, b);
    const updated = await a.http.patch(`/api/v1/contacts/${b.id}`, { remark: 'Cousin Bob', tags: ['family', 'family', 'hiking'] });
    expect(updated.body.contact).toMatchObject({ remark: 'Cousin Bob', tags: ['family', 'hiking'] });
    expect((await b.http.get(`/api/v1/contacts/${a.id}`)).body.contact).toMatchObject({ remark: '', tags: [] });
    expect((await a.http.patch(`/api/v1/contacts/${b.id}`, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).status).toBe(400);
  });

  it('blocks: the blocked member can neither request nor message', async () => {
    const a = await registerMember(app, 'A');
    const b = await registerMember(app, 'B');
    await makeFriends(a, b);
    const conversation = (await a.http.post('/api/v1/conversations', { kind: 'direct', peerId: b.id })).body.conversation.id;
    expect((await a.http.post('/api/v1/blocks', { accountId: b.id })).status).toBe(204);
    const message = await b.http.post(`/api/v1/conversations/${conversation}/messages`, { clientMsgId: 'x', type: 'text', text: 'hi?' });
    expect(message.status).toBe(403);
    expect(message.body.error.code).toBe('CHAT_BLOCKED');
    expect((await a.http.get('/api/v1/blocks')).body.accounts.map((x: { id: string }) => x.id)).toEqual([b.id]);
    expect((await a.http.delete(`/api/v1/blocks/${b.id}`)).status).toBe(204);
    expect((await b.http.post(`/api/v1/conversations/${conversation}/messages`, { clientMsgId: 'y', type: 'text', text: 'hi!' })).status).toBe(201);
  });

  it('deleting a contact ends 1:1 chat until they are friends again', async () => {
    const a = await registerMember(app, 'A');
    const b = await registerMember(app, 'B');
    await makeFriends(a, b);
    const conversation = (await a.http.post('/api/v1/conversations', { kind: 'direct', peerId: b.id })).body.conversation.id;
    expect((await a.http.delete(`/api/v1/contacts/${b.id}`)).status).toBe(204);
    expect((await b.http.post(`/api/v1/conversations/${conversation}/messages`, { clientMsgId: 'z', type: 'text', text: 'hello?' })).body.error.code).toBe(
      'CHAT_NOT_FRIENDS',
    );
    await makeFriends(b, a);
    expect((await b.http.post(`/api/v1/conversations/${conversation}/messages`, { clientMsgId: 'z2', type: 'text', text: 'back' })).status).toBe(201);
  });
});
