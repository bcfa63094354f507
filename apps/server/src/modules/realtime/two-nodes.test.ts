import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBus } from '../../bus/index.js';
import {
  freshSchemaName,
  makeFriends,
  natsAvailable,
  postgresAvailable,
  registerMember,
  startApp,
  TEST_BUS_URL,
  TEST_DATABASE_URL,
  type TestApp,
} from '../../test/harness.js';
import { TestDevice } from '../../test/ws-client.js';

describe.skipIf(!(postgresAvailable && natsAvailable))('two nodes on one PostgreSQL with NATS', () => {
  const schema = freshSchemaName();
  const prefix = `plaza_test_${randomBytes(4).toString('hex')}`;
  let node1: TestApp;
  let node2: TestApp;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    node1 = await startApp({ dialect: 'postgres', pgSchema: schema, busUrl: TEST_BUS_URL, bus: await openBus(TEST_BUS_URL, prefix) });
    node2 = await startApp({ dialect: 'postgres', pgSchema: schema, busUrl: TEST_BUS_URL, bus: await openBus(TEST_BUS_URL, prefix) });
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await node1?.close();
    await node2?.close();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('lets a member on node 1 and a member on node 2 chat in real time', async () => {
    const alice = await registerMember(node1, 'Alice');
    const bob = await registerMember(node2, 'Bob');
    await makeFriends(alice, bob);
    const conversationId = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    const aliceDevice = new TestDevice(node1.wsUrl, alice.token);
    const bobDevice = new TestDevice(node2.wsUrl, bob.token);
    devices.push(aliceDevice, bobDevice);
    await Promise.all([aliceDevice.connect(), bobDevice.connect()]);

    await alice.http.post(`/api/v1/conversations/${conversationId}/messages`, { clientMsgId: 'n1', type: 'text', text: 'from node 1' });
    await bobDevice.waitFor(() => bobDevice.events.some((e) => e.message?.text === 'from node 1'));
    await bob.http.post(`/api/v1/conversations/${conversationId}/messages`, { clientMsgId: 'n2', type: 'text', text: 'from node 2' });
    await aliceDevice.waitFor(() => aliceDevice.events.some((e) => e.message?.text === 'from node 2'));

    // Both nodes writing to one conversation at once: one sequence, every event once and in order.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? alice : bob).http.post(`/api/v1/conversations/${conversationId}/messages`, { clientMsgId: `x${i}`, type: 'text', text: `both ${i}` }),
      ),
    );
    for (const d of [aliceDevice, bobDevice]) {
      await d.waitFor(() => d.events.filter((e) => e.message?.text?.startsWith('both ')).length === 20);
      const seqs = d.events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    const list = await bob.http.get(`/api/v1/conversations/${conversationId}/messages?afterSeq=0&limit=200`);
    expect(list.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it('revokes a session on one node and closes its socket on the other', async () => {
    const carol = await registerMember(node1, 'Carol');
    const login = await fetch(`${node2.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: carol.handle, password: 'correct horse battery' }),
    });
    const { token, session } = (await login.json()) as { token: string; session: { id: string } };
    const device = new TestDevice(node2.wsUrl, token);
    devices.push(device);
    await device.connect();
    await carol.http.delete(`/api/v1/sessions/${session.id}`);
    await expect(device.waitFor(() => false, 3000)).rejects.toThrow(/4001/);
    const me = await fetch(`${node2.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
  });
});
