import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';

describe.each(dialects)('chat on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    carol = await registerMember(app, 'Carol');
    dave = await registerMember(app, 'Dave');
    await makeFriends(alice, bob);
    await makeFriends(alice, carol);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function direct(a: Member, b: Member): Promise<string> {
    const response = await a.http.post('/api/v1/conversations', { kind: 'direct', peerId: b.id });
    expect([200, 201]).toContain(response.status);
    return response.body.conversation.id;
  }

  it('opens one direct chat per pair of friends', async () => {
    const first = await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id });
    expect(first.status).toBe(201);
    expect(first.body.conversation).toMatchObject({ kind: 'direct', peer: { id: bob.id } });
    const again = await bob.http.post('/api/v1/conversations', { kind: 'direct', peerId: Number(alice.id) });
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
  });

  it('needs friendship for a 1:1 chat', async () => {
    const response = await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: dave.id });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('CHAT_NOT_FRIENDS');
  });

  it('orders messages by sequence and returns the first message for a retried clientMsgId', async () => {
    const id = await direct(alice, bob);
    const first = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'c-1', type: 'text', text: 'hello 👋' });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ conversationId: id, senderId: alice.id, type: 'text', text: 'hello 👋' });
    const retry = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'c-1', type: 'text', text: 'hello 👋' });
    expect(retry.body.message.id).toBe(first.body.message.id);
    const second = await bob.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'c-1', type: 'text', text: 'hi!' });
    expect(second.body.message.seq).toBe(first.body.message.seq + 1);
    const list = await bob.http.get(`/api/v1/conversations/${id}/messages?afterSeq=0`);
    expect(list.body.messages.map((m: { text: string }) => m.text)).toEqual(['hello 👋', 'hi!']);
  });

  it('stores concurrent retries of one clientMsgId once', async () => {
    const id = await direct(alice, bob);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'dup-1', type: 'text', text: 'once' })),
    );
    expect(new Set(results.map((r) => r.body.message.id)).size).toBe(1);
    const rows = await app.plaza.ctx.db.selectFrom('messages').select('id').where('client_msg_id', '=', 'dup-1').execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps sequence numbers gapless under concurrent senders', async () => {
    const id = await direct(alice, bob);
    const before = (await alice.http.get(`/api/v1/conversations/${id}`)).body.conversation.lastSeq;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? alice : bob).http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: `burst-${i}`, type: 'text', text: `m${i}` }),
      ),
    );
    const list = await alice.http.get(`/api/v1/conversations/${id}/messages?afterSeq=${before}&limit=200`);
    expect(list.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => before + i + 1));
  });

  it('keeps non-members out of a conversation', async () => {
    const id = await direct(alice, bob);
    expect((await carol.http.get(`/api/v1/conversations/${id}/messages`)).status).toBe(403);
    expect((await carol.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'x', type: 'text', text: 'intrude' })).status).toBe(403);
    expect((await carol.http.get('/api/v1/conversations/999999/messages')).status).toBe(404);
  });

  it('rejects invalid messages without storing anything', async () => {
    const id = await direct(alice, bob);
    const before = (await alice.http.get(`/api/v1/conversations/${id}`)).body.conversation.lastSeq;
    for (const body of [
      { clientMsgId: 'bad-1', type: 'text', text: '' },
      { clientMsgId: 'bad-2', type: 'gif', url: 'x' },
      { clientMsgId: 'bad-3', type: 'text', text: 'x'.repeat(5001) },
      { type: 'text', text: 'no id' },
      { clientMsgId: 'bad-4', type: 'location', latitude: 91, longitude: 0 },
    ]) {
      const response = await alice.http.post(`/api/v1/conversations/${id}/messages`, body);
      expect(response.status).toBe(400);
    }
    expect((await alice.http.get(`/api/v1/conversations/${id}`)).body.conversation.lastSeq).toBe(before);
  });

  it('recalls within two minutes and erases the content', async () => {
    const id = await direct(alice, bob);
    const sent = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'recall-me', type: 'text', text: 'oops secret' });
    expect((await bob.http.post(`/api/v1/conversations/${id}/messages/${sent.body.message.id}/recall`)).status).toBe(403);
    const recalled = await alice.http.post(`/api/v1/conversations/${id}/messages/${sent.body.message.id}/recall`);
    expect(recalled.status).toBe(200);
    expect(recalled.body.message).toMatchObject({ type: 'recalled', recalled: true });
    const row = await app.plaza.ctx.db.selectFrom('messages').select('body').where('id', '=', Number(sent.body.message.id)).executeTakeFirstOrThrow();
    expect(row.body).not.toContain('oops secret');
    const sync = await bob.http.get('/api/v1/sync?afterSeq=0&limit=500');
    expect(sync.body.events.some((e: { type: string; messageId: string }) => e.type === 'message.recalled' && e.messageId === sent.body.message.id)).toBe(true);
    expect(JSON.stringify(sync.body)).not.toContain('oops secret');
  });

  it('refuses a recall after two minutes', async () => {
    const id = await direct(alice, bob);
    const sent = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'old-one', type: 'text', text: 'old' });
    await app.plaza.ctx.db
      .updateTable('messages')
      .set({ created_at: Date.now() - 121_000 })
      .where('id', '=', Number(sent.body.message.id))
      .execute();
    const response = await alice.http.post(`/api/v1/conversations/${id}/messages/${sent.body.message.id}/recall`);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CHAT_RECALL_EXPIRED');
  });

  it('deletes a message for me only', async () => {
    const id = await direct(alice, bob);
    const sent = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'hide-me', type: 'text', text: 'hide' });
    expect((await bob.http.delete(`/api/v1/conversations/${id}/messages/${sent.body.message.id}`)).status).toBe(204);
    const bobs = await bob.http.get(`/api/v1/conversations/${id}/messages?limit=200`);
    const alices = await alice.http.get(`/api/v1/conversations/${id}/messages?limit=200`);
    expect(bobs.body.messages.some((m: { id: string }) => m.id === sent.body.message.id)).toBe(false);
    expect(alices.body.messages.some((m: { id: string }) => m.id === sent.body.message.id)).toBe(true);
  });

  it('runs a group: mentions, @all for admins only, quotes, invites, leave', async () => {
    const created = await alice.http.post('/api/v1/conversations', { kind: 'group', title: 'Hiking', memberIds: [bob.id, carol.id] });
    expect(created.status).toBe(201);
    const id = created.body.conversation.id;
    expect(created.body.conversation).toMatchObject({ kind: 'group', title: 'Hiking', memberCount: 3, role: 'owner' });
    const mention = await bob.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'm1', type: 'text', text: '@Carol hi', mentions: [carol.id] });
    expect(mention.body.message.content.mentions).toEqual([carol.id]);
    const all = await bob.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'm2', type: 'text', text: '@all', mentions: 'all' });
    expect(all.status).toBe(403);
    expect(all.body.error.code).toBe('CHAT_MENTION_ALL_FORBIDDEN');
    expect(
      (await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'm3', type: 'text', text: '@all meet at 8', mentions: 'all' })).status,
    ).toBe(201);
    const quote = await carol.http.post(`/api/v1/conversations/${id}/messages`, {
      clientMsgId: 'm4',
      type: 'text',
      text: 'yes',
      quote: { messageId: mention.body.message.id },
    });
    expect(quote.body.message.content.quote).toMatchObject({ messageId: mention.body.message.id, preview: '@Carol hi' });
    // Only the owner/admins rename; Bob becomes admin and then can.
    expect((await bob.http.patch(`/api/v1/conversations/${id}`, { title: 'Bob’s' })).status).toBe(403);
    expect((await alice.http.put(`/api/v1/conversations/${id}/members/${bob.id}/role`, { role: 'admin' })).status).toBe(200);
    expect((await bob.http.patch(`/api/v1/conversations/${id}`, { title: 'Hiking club', notice: 'Bring water' })).body.conversation).toMatchObject({
      title: 'Hiking club',
      notice: 'Bring water',
    });
    // Dave joins by the group's QR invite, which he could not do by himself.
    const invite = await carol.http.post(`/api/v1/conversations/${id}/invites`);
    expect(invite.body.invite.qrText).toBe(`plaza://group/${invite.body.invite.code}`);
    expect((await dave.http.get(`/api/v1/group-invites/${invite.body.invite.code}`)).body.invite).toMatchObject({ title: 'Hiking club', memberCount: 3 });
    expect((await dave.http.post(`/api/v1/group-invites/${invite.body.invite.code}/join`)).body.conversation.memberCount).toBe(4);
    // New members do not see the history before they joined.
    const daves = await dave.http.get(`/api/v1/conversations/${id}/messages?afterSeq=0&limit=200`);
    expect(daves.body.messages.every((m: { type: string }) => m.type === 'system')).toBe(true);
    // Removing and leaving.
    expect((await carol.http.delete(`/api/v1/conversations/${id}/members/${dave.id}`)).status).toBe(403);
    expect((await bob.http.delete(`/api/v1/conversations/${id}/members/${dave.id}`)).status).toBe(204);
    expect((await dave.http.get(`/api/v1/conversations/${id}/messages`)).status).toBe(403);
    expect((await alice.http.post(`/api/v1/conversations/${id}/leave`)).status).toBe(204);
    const after = await bob.http.get(`/api/v1/conversations/${id}`);
    expect(after.body.conversation.memberCount).toBe(2);
    expect(after.body.members.find((m: { role: string }) => m.role === 'owner').account.id).toBe(bob.id);
  });

  it('expires group invites after seven days', async () => {
    const created = await alice.http.post('/api/v1/conversations', { kind: 'group', title: 'Old', memberIds: [bob.id] });
    const invite = await alice.http.post(`/api/v1/conversations/${created.body.conversation.id}/invites`);
    await app.plaza.ctx.db
      .updateTable('group_invites')
      .set({ expires_at: Date.now() - 1 })
      .where('code', '=', invite.body.invite.code)
      .execute();
    const join = await dave.http.post(`/api/v1/group-invites/${invite.body.invite.code}/join`);
    expect(join.status).toBe(404);
    expect(join.body.error.code).toBe('CHAT_INVITE_NOT_FOUND');
  });

  it('counts unread messages and clears them on read; mute and pin are per member', async () => {
    const id = await direct(alice, carol);
    for (let i = 0; i < 3; i++) await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: `u${i}`, type: 'text', text: `u${i}` });
    let list = await carol.http.get('/api/v1/conversations');
    let row = list.body.conversations.find((c: { id: string }) => c.id === id);
    expect(row.unreadCount).toBe(3);
    expect(row.lastMessage.preview).toBe('u2');
    await carol.http.post(`/api/v1/conversations/${id}/read`, { seq: row.lastSeq });
    await carol.http.patch(`/api/v1/conversations/${id}/settings`, { muted: true, pinned: true });
    list = await carol.http.get('/api/v1/conversations');
    row = list.body.conversations[0];
    expect(row).toMatchObject({ id, unreadCount: 0, muted: true, pinned: true });
    const alicesRow = (await alice.http.get('/api/v1/conversations')).body.conversations.find((c: { id: string }) => c.id === id);
    expect(alicesRow).toMatchObject({ muted: false, pinned: false });
  });

  it('forwards several messages separately or as one chat history', async () => {
    const from = await direct(alice, bob);
    const to = await direct(alice, carol);
    const a = await alice.http.post(`/api/v1/conversations/${from}/messages`, { clientMsgId: 'f1', type: 'text', text: 'first' });
    const b = await bob.http.post(`/api/v1/conversations/${from}/messages`, {
      clientMsgId: 'f2',
      type: 'location',
      latitude: 31.23,
      longitude: 121.47,
      name: 'The Bund',
    });
    const separate = await alice.http.post('/api/v1/messages/forward', {
      fromConversationId: from,
      messageIds: [a.body.message.id, b.body.message.id],
      toConversationIds: [to],
      mode: 'separate',
      clientMsgId: 'fw-1',
    });
    expect(separate.status).toBe(201);
    expect(separate.body.messages.map((m: { type: string }) => m.type)).toEqual(['text', 'location']);
    const retried = await alice.http.post('/api/v1/messages/forward', {
      fromConversationId: from,
      messageIds: [a.body.message.id, b.body.message.id],
      toConversationIds: [to],
      mode: 'separate',
      clientMsgId: 'fw-1',
    });
    expect(retried.body.messages.map((m: { id: string }) => m.id)).toEqual(separate.body.messages.map((m: { id: string }) => m.id));
    const combined = await alice.http.post('/api/v1/messages/forward', {
      fromConversationId: from,
      messageIds: [a.body.message.id, b.body.message.id],
      toConversationIds: [to],
      mode: 'combined',
      clientMsgId: 'fw-2',
    });
    expect(combined.body.messages[0]).toMatchObject({ type: 'chat_history' });
    expect(combined.body.messages[0].content.items).toHaveLength(2);
    expect(
      (
        await carol.http.post('/api/v1/messages/forward', {
          fromConversationId: from,
          messageIds: [a.body.message.id],
          toConversationIds: [to],
          clientMsgId: 'fw-3',
        })
      ).status,
    ).toBe(403);
  });

  it('sends a contact card', async () => {
    const id = await direct(alice, bob);
    const card = await alice.http.post(`/api/v1/conversations/${id}/messages`, { clientMsgId: 'card', type: 'contact_card', accountId: carol.id });
    expect(card.body.message.content.account).toMatchObject({ id: carol.id, handle: carol.handle });
  });
});
