import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, dialects, registerMember, startApp, type TestApp, uniqueHandle } from '../../test/harness.js';

describe.each(dialects)('accounts on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('registers a member and returns a working token', async () => {
    const handle = uniqueHandle('alice');
    const created = await api(app).post('/api/v1/accounts', { handle, password: 'correct horse battery', displayName: 'Alice' });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ handle, displayName: 'Alice' });
    expect(typeof created.body.token).toBe('string');
    const me = await api(app, created.body.token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.account.id).toBe(created.body.account.id);
  });

  it('refuses a handle taken in another letter case', async () => {
    const handle = uniqueHandle('Bob');
    expect((await api(app).post('/api/v1/accounts', { handle, password: 'correct horse battery', displayName: 'Bob' })).status).toBe(201);
    const again = await api(app).post('/api/v1/accounts', { handle: handle.toUpperCase(), password: 'correct horse battery', displayName: 'Bob 2' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ACCOUNTS_HANDLE_TAKEN');
  });

  it.each([
    ['too short', 'ab1'],
    ['starts with a digit', '1abcdef'],
    ['has a space', 'abc def'],
    ['too long', 'a'.repeat(21)],
  ])('rejects a handle that is %s without creating anything', async (_why, handle) => {
    const response = await api(app).post('/api/v1/accounts', { handle, password: 'correct horse battery', displayName: 'X' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ACCOUNTS_INVALID_HANDLE');
    const count = await app.plaza.ctx.db.selectFrom('accounts').select('id').where('handle_lower', '=', handle.toLowerCase()).execute();
    expect(count).toHaveLength(0);
  });

  it('answers malformed bodies with 400 and a stable code', async () => {
    const notJson = await api(app).raw('POST', '/api/v1/accounts', '{"handle":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('INVALID_JSON');
    const wrongType = await api(app).post('/api/v1/accounts', { handle: 12345678, password: 'correct horse battery', displayName: 'X' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('VALIDATION_FAILED');
    const missing = await api(app).post('/api/v1/accounts', { handle: 'validhandle' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('logs in with the password, not without it, and rate limits repeated failures', async () => {
    const member = await registerMember(app, 'Carol');
    const ok = await api(app).post('/api/v1/sessions', { handle: member.handle.toUpperCase(), password: 'correct horse battery', deviceName: 'Laptop' });
    expect(ok.status).toBe(201);
    expect(ok.body.session.id).toBeTruthy();
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await api(app).post('/api/v1/sessions', { handle: member.handle, password: 'wrong password!' })).status);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes[5]).toBe(429);
    const blocked = await api(app).post('/api/v1/sessions', { handle: member.handle, password: 'correct horse battery' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('AUTH_TOO_MANY_ATTEMPTS');
  });

  it('records when a device was last seen, in batches written soon after', async () => {
    const member = await registerMember(app, 'Seen');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await member.http.get('/api/v1/me');
    await member.http.get('/api/v1/me');
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const [session] = (await member.http.get('/api/v1/sessions')).body.sessions;
    expect(Date.parse(session.lastSeenAt)).toBeGreaterThan(Date.parse(session.createdAt));
  });

  it('lists, renames and revokes device sessions', async () => {
    const member = await registerMember(app, 'Dan');
    const second = await api(app).post('/api/v1/sessions', { handle: member.handle, password: 'correct horse battery', deviceName: 'Phone' });
    const third = await api(app).post('/api/v1/sessions', { handle: member.handle, password: 'correct horse battery', deviceName: 'Tablet' });
    const list = await member.http.get('/api/v1/sessions');
    expect(list.body.sessions).toHaveLength(3);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect((await member.http.patch(`/api/v1/sessions/${second.body.session.id}`, { deviceName: 'My phone' })).status).toBe(204);
    expect((await member.http.delete(`/api/v1/sessions/${second.body.session.id}`)).status).toBe(204);
    expect((await api(app, second.body.token).get('/api/v1/me')).status).toBe(401);
    expect((await api(app, third.body.token).get('/api/v1/me')).status).toBe(200);
    expect((await member.http.delete('/api/v1/sessions/others')).status).toBe(204);
    expect((await api(app, third.body.token).get('/api/v1/me')).status).toBe(401);
    expect((await member.http.get('/api/v1/me')).status).toBe(200);
  });

  it('never lets a member touch another member’s session', async () => {
    const a = await registerMember(app, 'Eve');
    const b = await registerMember(app, 'Frank');
    const bSessions = await b.http.get('/api/v1/sessions');
    const response = await a.http.delete(`/api/v1/sessions/${bSessions.body.sessions[0].id}`);
    expect(response.status).toBe(404);
    expect((await b.http.get('/api/v1/me')).status).toBe(200);
  });

  it('requires a token on member routes', async () => {
    const none = await api(app).get('/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const bad = await api(app, 'plz_nonsense').get('/api/v1/me');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('AUTH_INVALID_TOKEN');
  });

  it('signs a web page in by QR code once the phone confirms', async () => {
    const phone = await registerMember(app, 'Grace');
    const created = await api(app).post('/api/v1/qr-logins', { deviceName: 'Office PC' });
    expect(created.status).toBe(201);
    const { id, secret, qrText } = created.body.qrLogin;
    expect(qrText).toBe(`plaza://login/${id}`);
    expect((await api(app).get(`/api/v1/qr-logins/${id}?secret=${secret}`)).body.qrLogin.status).toBe('pending');
    expect((await phone.http.post(`/api/v1/qr-logins/${id}/scan`)).status).toBe(200);
    const scanned = await api(app).get(`/api/v1/qr-logins/${id}?secret=${secret}`);
    expect(scanned.body.qrLogin).toMatchObject({ status: 'scanned', account: { id: phone.id } });
    expect((await phone.http.post(`/api/v1/qr-logins/${id}/confirm`)).status).toBe(200);
    const confirmed = await api(app).get(`/api/v1/qr-logins/${id}?secret=${secret}`);
    expect(confirmed.body.qrLogin.status).toBe('confirmed');
    const me = await api(app, confirmed.body.qrLogin.token).get('/api/v1/me');
    expect(me.body.account.id).toBe(phone.id);
    // The token is handed out once; a wrong secret learns nothing.
    expect((await api(app).get(`/api/v1/qr-logins/${id}?secret=${secret}`)).body.qrLogin.token).toBeUndefined();
    expect((await api(app).get(`/api/v1/qr-logins/${id}?secret=wrongsecret123`)).status).toBe(404);
    const devices = await phone.http.get('/api/v1/sessions');
    expect(devices.body.sessions.map((s: { deviceName: string }) => s.deviceName)).toContain('Office PC');
  });

  it('finds members by exact ID only when they allow it', async () => {
    const a = await registerMember(app, 'Heidi');
    const b = await registerMember(app, 'Ivan');
    expect((await a.http.get(`/api/v1/accounts/search?handle=${b.handle.toUpperCase()}`)).body.accounts[0].id).toBe(b.id);
    expect((await a.http.get(`/api/v1/accounts/search?handle=${b.handle.slice(0, 5)}`)).body.accounts).toHaveLength(0);
    await b.http.patch('/api/v1/me', { handleDiscoverable: false });
    expect((await a.http.get(`/api/v1/accounts/search?handle=${b.handle}`)).body.accounts).toHaveLength(0);
  });

  it('serves the personal QR code as a PNG', async () => {
    const a = await registerMember(app, 'Judy');
    const response = await fetch(`${app.url}/api/v1/me/qr.png`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });
});
