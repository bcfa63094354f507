import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { TestDevice } from '../../test/ws-client.js';

describe.each(dialects)('real time and sync on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let conversationId: string;
  const devices: TestDevice[] = [];
  const device = (member: Member) => {
    const d = new TestDevice(app.wsUrl, member.token);
    devices.push(d);
    return d;
  };
  const send = (from: Member, text: string, clientMsgId = `${text}-${Math.random()}`) =>
    from.http.post(`/api/v1/conversations/${conversationId}/messages`, { clientMsgId, type: 'text', text });

  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    await makeFriends(alice, bob);
    conversationId = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await app?.close();
  });

  it('delivers a message live to every device of both members', async () => {
    const bobPhone = device(bob);
    const bobLaptop = device(bob);
    const alicePhone = device(alice);
    await Promise.all([bobPhone.connect(), bobLaptop.connect(), alicePhone.connect()]);
    const sent = await send(alice, 'live hello');
    for (const d of [bobPhone, bobLaptop, alicePhone]) {
      await d.waitFor(() => d.events.some((e) => e.type === 'message.new' && e.message.id === sent.body.message.id));
    }
    const event = bobPhone.events.find((e) => e.type === 'message.new');
    expect(event.message).toMatchObject({ text: 'live hello', senderId: alice.id, conversationId });
    expect(bobPhone.events.map((e) => e.seq)).toEqual(bobLaptop.events.map((e) => e.seq));
  });

  it('gives a reconnecting device exactly what it missed, in order, once', async () => {
    const phone = device(bob);
    await phone.connect(0);
    const seen = phone.lastSeq();
    await phone.close();
    const texts = Array.from({ length: 30 }, (_, i) => `missed ${i}`);
    for (const text of texts) await send(alice, text);
    const again = device(bob);
    await again.connect(seen);
    const sendDuring = send(alice, 'during catch-up');
    await sendDuring;
    await again.waitFor(() => again.events.some((e) => e.message?.text === 'during catch-up'));
    const seqs = again.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seen + 1 + i));
    const received = again.events.filter((e) => e.type === 'message.new').map((e) => e.message.text);
    expect(received).toEqual([...texts, 'during catch-up']);
  });

  it('serves the same events over HTTP sync, paged with nextSeq', async () => {
    const all: any[] = [];
    let afterSeq = 0;
    for (let page = 0; page < 100; page++) {
      const response = await bob.http.get(`/api/v1/sync?afterSeq=${afterSeq}&limit=7`);
      expect(response.status).toBe(200);
      all.push(...response.body.events);
      if (response.body.events.length === 0) break;
      afterSeq = response.body.nextSeq;
    }
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(all[0].type).toBe('friend_request.received');
    expect(all[1].type).toBe('friend_request.accepted');
    const socket = device(bob);
    await socket.connect(0);
    expect(socket.events.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(socket.events.map((e) => e.type)).toEqual(all.map((e) => e.type));
  });

  it('delivers friend requests and recalls as events', async () => {
    const carol = await registerMember(app, 'Carol');
    const carolDevice = device(carol);
    await carolDevice.connect();
    await alice.http.post('/api/v1/friend-requests', { handle: carol.handle, message: 'hello Carol' });
    await carolDevice.waitFor(() => carolDevice.events.some((e) => e.type === 'friend_request.received'));
    expect(carolDevice.events[0].request).toMatchObject({ message: 'hello Carol', from: { id: alice.id } });

    const bobDevice = device(bob);
    await bobDevice.connect();
    const sent = await send(alice, 'to be recalled');
    await alice.http.post(`/api/v1/conversations/${conversationId}/messages/${sent.body.message.id}/recall`);
    await bobDevice.waitFor(() => bobDevice.events.some((e) => e.type === 'message.recalled'));
    expect(bobDevice.events.find((e) => e.type === 'message.recalled')).toMatchObject({ messageId: sent.body.message.id, recalledBy: { id: alice.id } });
  });

  it('sends over the WebSocket with an ack after commit, idempotently', async () => {
    const aliceDevice = device(alice);
    await aliceDevice.connect();
    aliceDevice.send({ type: 'send', conversationId, message: { clientMsgId: 'ws-1', type: 'text', text: 'via ws' } });
    aliceDevice.send({ type: 'send', conversationId, message: { clientMsgId: 'ws-1', type: 'text', text: 'via ws' } });
    await aliceDevice.waitFor(() => aliceDevice.frames.filter((f) => f.type === 'ack').length === 2);
    const acks = aliceDevice.frames.filter((f) => f.type === 'ack');
    expect(acks[0].message.id).toBe(acks[1].message.id);
    aliceDevice.send({ type: 'send', conversationId: '999999', message: { clientMsgId: 'ws-2', type: 'text', text: 'nowhere' } });
    await aliceDevice.waitFor(() => aliceDevice.frames.some((f) => f.type === 'error' && f.clientMsgId === 'ws-2'));
    expect(aliceDevice.frames.find((f) => f.type === 'error' && f.clientMsgId === 'ws-2').error.code).toBe('CHAT_CONVERSATION_NOT_FOUND');
  });

  it('closes the sockets of a revoked session', async () => {
    const login = await fetch(`${app.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: bob.handle, password: 'correct horse battery', deviceName: 'Old phone' }),
    });
    const { token, session } = (await login.json()) as { token: string; session: { id: string } };
    const old = new TestDevice(app.wsUrl, token);
    devices.push(old);
    await old.connect();
    const closed = new Promise<number>((resolve) => (old as any).socket.once('close', (code: number) => resolve(code)));
    await bob.http.delete(`/api/v1/sessions/${session.id}`);
    expect(await closed).toBe(4001);
  });

  it('refuses a socket without a valid hello', async () => {
    const stranger = new TestDevice(app.wsUrl, 'plz_not-a-token');
    await expect(stranger.connect()).rejects.toThrow();
  });
});
