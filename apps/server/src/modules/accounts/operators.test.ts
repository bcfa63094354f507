import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, dialects, makeOperator, registerMember, startApp, type TestApp } from '../../test/harness.js';

describe.each(dialects)('operators on %s', (dialect) => {
  describe('with the first-account rule', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp({ dialect, env: { OPERATOR_FIRST_ACCOUNT: '1' } });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('makes the first member the operator and nobody after', async () => {
      const first = await registerMember(app, 'Owner');
      const second = await registerMember(app, 'Guest');
      expect((await first.http.get('/api/v1/me')).body.account.isOperator).toBe(true);
      expect((await second.http.get('/api/v1/me')).body.account.isOperator).toBe(false);
      expect((await first.http.get('/api/v1/operator/operators')).body.operators.map((o: { id: string }) => o.id)).toEqual([first.id]);
    });
  });

  describe('explicit operators', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp({ dialect });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('refuses operator routes to members and to strangers', async () => {
      const someone = await registerMember(app);
      const asMember = await someone.http.get('/api/v1/operator/operators');
      expect(asMember.status).toBe(403);
      expect(asMember.body.error.code).toBe('AUTH_OPERATOR_ONLY');
      const anonymous = await api(app).get('/api/v1/operator/operators');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('AUTH_REQUIRED');
    });

    it('lets an operator appoint and remove another, but not remove themselves', async () => {
      const boss = await registerMember(app, 'Boss');
      const helper = await registerMember(app, 'Helper');
      await makeOperator(app, boss);
      const granted = await boss.http.post('/api/v1/operator/operators', { handle: helper.handle.toUpperCase() });
      expect(granted.status).toBe(201);
      expect(granted.body.operator.id).toBe(helper.id);
      expect((await helper.http.get('/api/v1/operator/operators')).status).toBe(200);

      const self = await boss.http.delete(`/api/v1/operator/operators/${boss.id}`);
      expect(self.status).toBe(409);
      expect(self.body.error.code).toBe('OPERATOR_SELF_REVOKE');

      expect((await boss.http.delete(`/api/v1/operator/operators/${helper.id}`)).status).toBe(204);
      expect((await helper.http.get('/api/v1/operator/operators')).status).toBe(403);
      expect((await helper.http.get('/api/v1/me')).body.account.isOperator).toBe(false);
    });

    it('answers 404 for an unknown handle and changes nothing', async () => {
      const boss = await registerMember(app, 'Boss');
      await makeOperator(app, boss);
      const before = (await boss.http.get('/api/v1/operator/operators')).body.operators.length;
      const response = await boss.http.post('/api/v1/operator/operators', { handle: 'nobody-here-at-all' });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ACCOUNTS_NOT_FOUND');
      expect((await boss.http.get('/api/v1/operator/operators')).body.operators.length).toBe(before);
    });
  });

  describe('OPERATOR_HANDLES', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp({ dialect, env: { OPERATOR_HANDLES: 'townhall1' } });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('makes a listed handle an operator when it registers', async () => {
      const created = await api(app).post('/api/v1/accounts', { handle: 'TownHall1', password: 'correct horse battery', displayName: 'Town hall' });
      expect(created.status).toBe(201);
      expect(created.body.account.isOperator).toBe(true);
      expect((await api(app, created.body.token).get('/api/v1/operator/operators')).status).toBe(200);
    });
  });
});
