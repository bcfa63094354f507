import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { it } from 'vitest';
import { makeFriends, registerMember, startApp } from '../../test/harness.js';
import { fund, PIN } from './test-helpers.js';

it('profiles', async () => {
  const app = await startApp({ dialect: 'sqlite' });
  const a = await registerMember(app, 'A');
  const b = await registerMember(app, 'B');
  await makeFriends(a, b);
  await fund(a, 1_000_000);
  const proto = (Database as any).prototype;
  const stmtProto = Object.getPrototypeOf(new Database(':memory:').prepare('select 1'));
  const times = new Map<string, [number, number]>();
  for (const m of ['all', 'run', 'get', 'iterate']) {
    const orig = stmtProto[m];
    stmtProto[m] = function (this: any, ...args: unknown[]) {
      const t = performance.now();
      try { return orig.apply(this, args); } finally {
        const k = String(this.source).slice(0, 140);
        const e = times.get(k) ?? [0, 0];
        e[0] += performance.now() - t; e[1] += 1; times.set(k, e);
      }
    };
  }
  void proto;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 300 }, () => a.http.post('/api/v1/transfers', { toAccountId: b.id, asset: 'CNY', amountMinor: '1', pin: PIN }, { 'idempotency-key': randomUUID() })));
  console.log('300 transfers ms', performance.now() - t0);
  console.log([...times].sort((x, y) => y[1][0] - x[1][0]).slice(0, 25).map(([k, [t, n]]) => `${t.toFixed(1).padStart(8)} ${String(n).padStart(5)} ${k}`).join('\n'));
  await app.close();
});
