import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeOperator, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { twoProportionZTest, variantIndex } from './ab-stats.js';

describe('A/B statistics', () => {
  it('matches a two-proportion z-test worked by hand', () => {
    // A: 100 likes of 1,000 impressions (10 %); B: 130 of 1,000 (13 %).
    // pooled p = 230 / 2,000 = 0.115; SE = √(0.115 × 0.885 × (1/1,000 + 1/1,000)) = √0.00020355 = 0.0142671
    // z = (0.13 − 0.10) / 0.0142671 = 2.10274; two-sided p = 2 × (1 − Φ(2.10274)) = 2 × 0.017744 = 0.03549
    const test = twoProportionZTest(100, 1000, 130, 1000);
    expect(test?.z).toBeCloseTo(2.10274, 4);
    expect(test?.pValue).toBeCloseTo(0.03549, 4);
    // A: 40 of 200, B: 50 of 200: pooled 0.225, SE 0.0417582, z = 0.05 / 0.0417582 = 1.19737, p = 0.23116
    const small = twoProportionZTest(40, 200, 50, 200);
    expect(small?.z).toBeCloseTo(1.19737, 4);
    expect(small?.pValue).toBeCloseTo(0.23116, 4);
    // A worse B gives a negative z and the same p as the mirror case.
    expect(twoProportionZTest(130, 1000, 100, 1000)?.pValue).toBeCloseTo(0.03549, 4);
    expect(twoProportionZTest(5, 10, 5, 10)?.pValue).toBeCloseTo(1, 6);
  });

  it('has no figure when a variant is empty or nobody (or everybody) acted', () => {
    expect(twoProportionZTest(0, 0, 3, 10)).toBeNull();
    expect(twoProportionZTest(0, 10, 0, 10)).toBeNull();
    expect(twoProportionZTest(10, 10, 10, 10)).toBeNull();
  });

  it('splits members deterministically, evenly, and independently per test', () => {
    const members = Array.from({ length: 4000 }, (_, i) => i + 1);
    const first = members.map((m) => variantIndex(7, m, 2));
    expect(members.map((m) => variantIndex(7, m, 2))).toEqual(first);
    const inB = first.filter((v) => v === 1).length;
    expect(inB).toBeGreaterThan(1850);
    expect(inB).toBeLessThan(2150);
    const other = members.map((m) => variantIndex(8, m, 2));
    const same = other.filter((v, i) => v === first[i]).length;
    expect(same).toBeGreaterThan(1850);
    expect(same).toBeLessThan(2150);
    const three = new Set(members.map((m) => variantIndex(7, m, 3)));
    expect([...three].sort()).toEqual([0, 1, 2]);
  });
});

describe.each(dialects)('A/B tests on %s', (dialect) => {
  let app: TestApp;
  let creator: Member;
  let operatorMember: Member;
  let audience: Member[];
  let postId: string;
  let coverId: string;
  async function upload(member: Member, colour: number): Promise<string> {
    const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: colour, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'c.png');
    const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
    return ((await response.json()) as { media: { id: string } }).media.id;
  }
  beforeAll(async () => {
    app = await startApp({ dialect });
    creator = await registerMember(app, 'Creator');
    operatorMember = await registerMember(app, 'Operator');
    await makeOperator(app, operatorMember);
    audience = [];
    for (let i = 0; i < 16; i += 1) audience.push(await registerMember(app, `Viewer ${i}`));
    await creator.http.post('/api/v1/channels', { name: 'Tests' });
    const photo = await upload(creator, 200);
    coverId = await upload(creator, 90);
    postId = (await creator.http.post('/api/v1/channel-posts', { caption: 'Original', photoMediaIds: [photo] })).body.post.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets only the owner start one test at a time, with variants of their own covers', async () => {
    const variants = [{ caption: 'Short and sweet' }, { caption: 'A much longer caption', coverMediaId: coverId }];
    expect((await audience[0]?.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants }))?.body.error.code).toBe('CHANNELS_FORBIDDEN');
    expect((await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants: [{ caption: 'one' }] })).status).toBe(400);
    expect((await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants: [{ caption: 'x' }, {}] })).body.error.code).toBe(
      'CHANNELS_INVALID_VARIANT',
    );
    const foreign = await upload(audience[0] as Member, 10);
    expect(
      (await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants: [{ caption: 'x' }, { coverMediaId: foreign }] })).body.error.code,
    ).toBe('MEDIA_FORBIDDEN');
    const started = await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants });
    expect(started.status).toBe(201);
    expect(started.body.experiment).toMatchObject({
      status: 'running',
      variants: [
        { label: 'A', impressions: 0 },
        { label: 'B', impressions: 0 },
      ],
    });
    expect((await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants })).body.error.code).toBe('CHANNELS_EXPERIMENT_RUNNING');
  });

  it('shows each member the variant their hash picks, every time, and the owner the post as it is', async () => {
    const experiment = (await creator.http.get(`/api/v1/channel-posts/${postId}/experiments`)).body.experiments[0];
    const captions = experiment.variants.map((v: { caption: string }) => v.caption);
    const seen = new Set<number>();
    for (const viewer of audience) {
      const index = variantIndex(Number(experiment.id), Number(viewer.id), 2);
      seen.add(index);
      for (let i = 0; i < 2; i += 1) {
        const post = (await viewer.http.get(`/api/v1/channel-posts/${postId}`)).body.post;
        expect(post.caption).toBe(captions[index]);
        expect(post.experiment).toEqual({ id: experiment.id, variantId: experiment.variants[index].id });
        expect(post.cover?.id ?? null).toBe(index === 1 ? coverId : null);
      }
    }
    expect(seen.size).toBe(2);
    const own = (await creator.http.get(`/api/v1/channel-posts/${postId}`)).body.post;
    expect(own).toMatchObject({ caption: 'Original', experiment: null, ownedByMe: true });
    // The variant cover is the post's media now: any member may load it.
    expect((await fetch(`${app.url}/api/v1/media/${coverId}`, { headers: { authorization: `Bearer ${audience[3]?.token}` } })).status).toBe(200);
  });

  it('reports impressions, likes and completions per variant with the z-test against the first', async () => {
    const experiment = (await creator.http.get(`/api/v1/channel-posts/${postId}/experiments`)).body.experiments[0];
    const expected = [0, 1].map(() => ({ impressions: 0, likes: 0, completions: 0 }));
    for (const [i, viewer] of audience.entries()) {
      const figures = expected[variantIndex(Number(experiment.id), Number(viewer.id), 2)];
      if (!figures) throw new Error('no variant');
      if (i === 15) {
        // Liking without having been shown the post through a view does not count for a variant.
        await viewer.http.put(`/api/v1/channel-posts/${postId}/like`, {});
        continue;
      }
      expect((await viewer.http.post(`/api/v1/channel-posts/${postId}/views`, {})).status).toBe(204);
      await viewer.http.post(`/api/v1/channel-posts/${postId}/views`, {});
      figures.impressions += 1;
      if (i % 3 === 0) {
        await viewer.http.post(`/api/v1/channel-posts/${postId}/views`, { completed: true });
        figures.completions += 1;
      }
      if (i % 2 === 0) {
        await viewer.http.put(`/api/v1/channel-posts/${postId}/like`, {});
        figures.likes += 1;
      }
    }
    await creator.http.post(`/api/v1/channel-posts/${postId}/views`, { completed: true });
    const report = (await creator.http.get(`/api/v1/channel-experiments/${experiment.id}`)).body.experiment;
    const [a, b] = expected as [(typeof expected)[0], (typeof expected)[0]];
    expect(report.variants.map((v: { impressions: number; likes: number; completions: number }) => [v.impressions, v.likes, v.completions])).toEqual([
      [a.impressions, a.likes, a.completions],
      [b.impressions, b.likes, b.completions],
    ]);
    expect(report.variants[0]).toMatchObject({ likeRatePValue: null, likeRate: a.likes / a.impressions, completionRate: a.completions / a.impressions });
    expect(report.variants[1].likeRatePValue).toBeCloseTo(twoProportionZTest(a.likes, a.impressions, b.likes, b.impressions)?.pValue ?? Number.NaN, 10);
    expect(report.variants[1].completionRatePValue).toBeCloseTo(
      twoProportionZTest(a.completions, a.impressions, b.completions, b.impressions)?.pValue ?? Number.NaN,
      10,
    );
    expect((await operatorMember.http.get(`/api/v1/channel-experiments/${experiment.id}`)).status).toBe(200);
    expect((await audience[0]?.http.get(`/api/v1/channel-experiments/${experiment.id}`))?.body.error.code).toBe('CHANNELS_FORBIDDEN');
  });

  it('promotes the winner to everyone and ends the test', async () => {
    const experiment = (await creator.http.get(`/api/v1/channel-posts/${postId}/experiments`)).body.experiments[0];
    const winner = experiment.variants[1];
    expect((await audience[0]?.http.post(`/api/v1/channel-experiments/${experiment.id}/promote`, { variantId: winner.id }))?.status).toBe(403);
    const promoted = await creator.http.post(`/api/v1/channel-experiments/${experiment.id}/promote`, { variantId: winner.id });
    expect(promoted.body.experiment).toMatchObject({ status: 'promoted', winnerVariantId: winner.id, endedAt: expect.any(String) });
    for (const viewer of [creator, ...audience.slice(0, 4)]) {
      const post = (await viewer.http.get(`/api/v1/channel-posts/${postId}`)).body.post;
      expect(post).toMatchObject({ caption: 'A much longer caption', experiment: null, cover: { id: coverId } });
    }
    expect((await creator.http.post(`/api/v1/channel-experiments/${experiment.id}/promote`, { variantId: winner.id })).body.error.code).toBe(
      'CHANNELS_EXPERIMENT_CLOSED',
    );
    const before = (await creator.http.get(`/api/v1/channel-experiments/${experiment.id}`)).body.experiment.variants[1].impressions;
    await audience[15]?.http.post(`/api/v1/channel-posts/${postId}/views`, {});
    expect((await creator.http.get(`/api/v1/channel-experiments/${experiment.id}`)).body.experiment.variants[1].impressions).toBe(before);
    // A new test may start once the last one has ended.
    expect((await creator.http.post(`/api/v1/channel-posts/${postId}/experiments`, { variants: [{ caption: 'x' }, { caption: 'y' }] })).status).toBe(201);
  });
});
