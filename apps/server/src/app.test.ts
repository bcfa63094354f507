import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startApp, type TestApp } from './test/harness.js';

describe('the HTTP surface', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ dialect: 'sqlite' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('declares who may call every API route, and member routes refuse anonymous callers', async () => {
    const spec = (await api(app).get('/api/openapi.json')).body;
    const publicRoutes = new Set([
      'POST /api/v1/accounts',
      'POST /api/v1/sessions',
      'POST /api/v1/qr-logins',
      'GET /api/v1/qr-logins/{id}',
      'GET /api/v1/wallet/health',
      // Signed, short-lived playback URLs: the signature stands in for the token (media/video.test.ts).
      'GET /api/v1/media/{id}/stream',
    ]);
    const checked: string[] = [];
    for (const [route, methods] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
      if (!route.startsWith('/api/v1/')) continue;
      for (const method of Object.keys(methods)) {
        const key = `${method.toUpperCase()} ${route}`;
        if (publicRoutes.has(key)) continue;
        const url = route.replace(/\{[^}]+\}/g, '1');
        const response = await api(app).raw(method.toUpperCase(), url, method === 'get' || method === 'delete' ? undefined : {});
        expect(response.status, key).toBe(401);
        checked.push(key);
      }
    }
    expect(checked.length).toBeGreaterThan(30);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await api(app).get('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('reports health and Prometheus metrics', async () => {
    expect((await api(app).get('/healthz')).body).toMatchObject({ status: 'ok', database: 'sqlite' });
    const metrics = await fetch(`${app.url}/metrics`);
    expect(await metrics.text()).toContain('plaza_http_request_duration_seconds');
  });
});
