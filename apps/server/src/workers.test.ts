import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeFriends, type Member, type TestApp, uniqueHandle } from './test/harness.js';
import { TestDevice } from './test/ws-client.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// The real entry point with WORKERS=2: two processes share the port and one SQLite file, and the
// primary relays events between them, so a member's devices on either worker see everything.
describe('two worker processes on one machine', () => {
  let child: ChildProcess;
  let app: TestApp;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-workers-'));
    child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'main.ts')], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        WORKERS: '2',
        LOG_LEVEL: 'warn',
        PLAZA_FAST_PASSWORD_HASHING: '1',
        BUS_URL: '',
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    const nodes = new Set<string>();
    // Both workers answer once both have started; keep asking (bounded) until each has.
    const deadline = Date.now() + 60_000;
    while (nodes.size < 2 && Date.now() < deadline) {
      try {
        // A new connection each time: the cluster spreads connections, not requests.
        const health = (await (await fetch(`${url}/healthz`, { headers: { connection: 'close' } })).json()) as { node: string };
        nodes.add(health.node);
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(nodes.size).toBe(2);
    app = { url, wsUrl: `ws://127.0.0.1:${port}/ws` } as TestApp;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  async function register(name: string): Promise<Member> {
    const handle = uniqueHandle(name);
    const response = await api(app).post('/api/v1/accounts', { handle, password: 'correct horse battery', displayName: name });
    expect(response.status).toBe(201);
    return { id: response.body.account.id, handle, token: response.body.token, http: api(app, response.body.token) };
  }

  it('delivers every message to every device, whichever worker holds it', async () => {
    const alice = await register('Alice');
    const bob = await register('Bob');
    await makeFriends(alice, bob);
    const conversationId = (await alice.http.post('/api/v1/conversations', { kind: 'direct', peerId: bob.id })).body.conversation.id;
    for (let i = 0; i < 4; i++) devices.push(new TestDevice(app.wsUrl, bob.token));
    await Promise.all(devices.map((d) => d.connect()));
    const texts = Array.from({ length: 20 }, (_, i) => `hello ${i}`);
    await Promise.all(texts.map((text) => alice.http.post(`/api/v1/conversations/${conversationId}/messages`, { clientMsgId: text, type: 'text', text })));
    for (const device of devices) {
      await device.waitFor(() => device.events.filter((e) => e.type === 'message.new').length === 20);
      const seqs = device.events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(device.events.map((e) => e.message?.text)).size).toBe(20);
    }
    const list = await bob.http.get(`/api/v1/conversations/${conversationId}/messages?afterSeq=0&limit=100`);
    expect(list.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
