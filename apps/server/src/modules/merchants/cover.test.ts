import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { expectLedgerSound, fund, key, PIN } from '../wallet/test-helpers.js';
import { coverPayout } from './cover.js';

const DAY_MS = 24 * 3600 * 1000;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

describe('coverPayout', () => {
  it('pays the daily benefit per covered day, capped by the days left in the program', () => {
    expect(coverPayout({ dailyBenefitMinor: 100_000, maxDays: 30 }, 20, 0)).toEqual({ coveredDays: 20, payoutMinor: 2_000_000 });
    expect(coverPayout({ dailyBenefitMinor: 100_000, maxDays: 30 }, 15, 20)).toEqual({ coveredDays: 10, payoutMinor: 1_000_000 });
    expect(coverPayout({ dailyBenefitMinor: 100_000, maxDays: 30 }, 5, 30)).toEqual({ coveredDays: 0, payoutMinor: 0 });
    expect(coverPayout({ dailyBenefitMinor: 100_000, maxDays: 30 }, 45, 0)).toEqual({ coveredDays: 30, payoutMinor: 3_000_000 });
  });
});

describe.each(dialects)('relief cover on %s', (dialect) => {
  let app: TestApp;
  let op: Member;
  let owner: Member;
  let payer: Member;
  let merchantId: string;
  let png: Buffer;
  const upload = async (member: Member) => {
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'discharge.png');
    const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
    const body = (await response.json()) as { media: { id: string } };
    return body.media.id;
  };
  const apply = async (who: Member, name: string) => {
    const applied = await who.http.post('/api/v1/merchants', {
      businessName: name,
      category: 'food',
      licenceNumber: 'LIC-445566',
      address: 'Street 2',
      lat: 30,
      lng: 120,
    });
    await op.http.post(`/api/v1/operator/merchants/${applied.body.merchant.id}/review`, { decision: 'approve' });
    return applied.body.merchant.id as string;
  };
  beforeAll(async () => {
    app = await startApp({ dialect });
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    op = await registerMember(app, 'Operator');
    await makeOperator(app, op);
    owner = await registerMember(app, 'Stall owner');
    payer = await registerMember(app, 'Payer');
    await fund(payer, 100_000);
    merchantId = await apply(owner, 'Dumpling stall');
    const details = await owner.http.get(`/api/v1/merchants/${merchantId}`);
    const token = String(details.body.staticQrContent).replace('plaza://pay/', '');
    expect((await payer.http.post(`/api/v1/pay/${token}`, { amountMinor: '1000', pin: PIN }, key())).status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('funds a program, enrols eligible merchants, pays approved claims capped and refuses overlaps, with an audit trail', async () => {
    const now = Date.now();
    const wallet = app.plaza.services.wallet;
    const created = await op.http.post(
      '/api/v1/operator/cover-programs',
      {
        name: 'Stall keepers 2027',
        poolMinor: '5000000',
        enrolUntil: new Date(now + 30 * DAY_MS).toISOString(),
        endsAt: new Date(now + 365 * DAY_MS).toISOString(),
      },
      key(),
    );
    expect(created.status).toBe(201);
    expect(created.body.program).toMatchObject({ dailyBenefitMinor: '100000', maxDays: 30, minPoints: 1 });
    const programId = created.body.program.id;
    const pool = await wallet.ledger.account(Number(programId), 'cover_pool', 'CNY');
    expect((await wallet.ledger.balance(pool)).balanceMinor).toBe(5_000_000);

    const newcomer = await registerMember(app, 'No payments yet');
    const newcomerShop = await apply(newcomer, 'Quiet shop');
    expect((await newcomer.http.post(`/api/v1/merchants/${newcomerShop}/cover-enrolments`, { programId })).body.error.code).toBe('COVER_NOT_ELIGIBLE');
    const photo = await upload(owner);
    expect(
      (await owner.http.post(`/api/v1/merchants/${merchantId}/cover-claims`, { programId, startDate: day(now), endDate: day(now), mediaIds: [photo] })).body
        .error.code,
    ).toBe('COVER_NOT_ENROLLED');
    expect((await owner.http.post(`/api/v1/merchants/${merchantId}/cover-enrolments`, { programId })).status).toBe(200);

    const merchantAccount = await wallet.ledger.account(Number(merchantId), 'merchant', 'CNY');
    const before = (await wallet.ledger.balance(merchantAccount)).balanceMinor;
    wallet.setClock(() => now + 60 * DAY_MS);
    try {
      const file = (start: number, end: number, mediaIds = [photo]) =>
        owner.http.post(`/api/v1/merchants/${merchantId}/cover-claims`, {
          programId,
          startDate: day(now + start * DAY_MS),
          endDate: day(now + end * DAY_MS),
          mediaIds,
        });
      const stranger = await registerMember(app, 'Stranger');
      const theirs = await upload(stranger);
      expect((await file(1, 2, [theirs])).body.error.code).toBe('MEDIA_FORBIDDEN');
      expect((await file(5, 3)).body.error.code).toBe('COVER_CLAIM_INVALID');
      const first = await file(1, 20);
      expect(first.status).toBe(201);
      expect((await file(15, 18)).body.error.code).toBe('COVER_CLAIM_OVERLAP');
      expect((await file(1, 20)).body.error.code).toBe('COVER_CLAIM_OVERLAP');
      const approved = await op.http.post(`/api/v1/operator/cover-claims/${first.body.claim.id}/decision`, { decision: 'approve' }, key());
      expect(approved.body.claim).toMatchObject({ status: 'approved', coveredDays: 20, payoutMinor: '2000000' });
      expect((await op.http.post(`/api/v1/operator/cover-claims/${first.body.claim.id}/decision`, { decision: 'approve' }, key())).body.error.code).toBe(
        'COVER_CLAIM_CLOSED',
      );

      const second = await file(25, 39);
      const asked = await op.http.post(
        `/api/v1/operator/cover-claims/${second.body.claim.id}/decision`,
        { decision: 'ask_more', note: 'Add the discharge letter.' },
        key(),
      );
      expect(asked.body.claim.status).toBe('more_info');
      expect((await op.http.post(`/api/v1/operator/cover-claims/${second.body.claim.id}/decision`, { decision: 'approve' }, key())).body.error.code).toBe(
        'COVER_CLAIM_CLOSED',
      );
      const letter = await upload(owner);
      const resubmitted = await owner.http.post(`/api/v1/merchants/${merchantId}/cover-claims/${second.body.claim.id}/documents`, {
        mediaIds: [letter],
        note: 'Attached.',
      });
      expect(resubmitted.body.claim.status).toBe('submitted');
      // The operator reviewing the claim may open its documents; a stranger may not.
      const asOperator = await fetch(`${app.url}/api/v1/media/${letter}`, { headers: { authorization: `Bearer ${op.token}` } });
      expect(asOperator.status).toBe(200);
      const asStranger = await fetch(`${app.url}/api/v1/media/${letter}`, { headers: { authorization: `Bearer ${stranger.token}` } });
      expect(asStranger.status).toBe(404);
      const headers = key();
      const capped = await op.http.post(`/api/v1/operator/cover-claims/${second.body.claim.id}/decision`, { decision: 'approve' }, headers);
      expect(capped.body.claim).toMatchObject({ status: 'approved', days: 15, coveredDays: 10, payoutMinor: '1000000' });
      expect((await op.http.post(`/api/v1/operator/cover-claims/${second.body.claim.id}/decision`, { decision: 'approve' }, headers)).body).toEqual(
        capped.body,
      );

      const third = await file(45, 46);
      expect((await op.http.post(`/api/v1/operator/cover-claims/${third.body.claim.id}/decision`, { decision: 'reject' }, key())).status).toBe(400);
      const rejected = await op.http.post(
        `/api/v1/operator/cover-claims/${third.body.claim.id}/decision`,
        { decision: 'reject', note: 'Not a hospital stay.' },
        key(),
      );
      expect(rejected.body.claim).toMatchObject({ status: 'rejected', note: 'Not a hospital stay.' });
      // A rejected claim's dates may be filed again.
      expect((await file(45, 46)).status).toBe(201);

      const trail = await owner.http.get(`/api/v1/merchants/${merchantId}/cover-claims/${second.body.claim.id}`);
      expect(trail.body.audit.map((a: { action: string }) => a.action)).toEqual(['file', 'ask_more', 'documents', 'approve']);
      const mine = await owner.http.get(`/api/v1/merchants/${merchantId}/cover-claims`);
      expect(mine.body.claims.map((c: { status: string }) => c.status)).toEqual(['submitted', 'rejected', 'approved', 'approved']);
    } finally {
      wallet.setClock(() => Date.now());
    }
    expect((await wallet.ledger.balance(merchantAccount)).balanceMinor).toBe(before + 3_000_000);
    expect((await wallet.ledger.balance(pool)).balanceMinor).toBe(2_000_000);
    await expectLedgerSound(app);
  });
});
