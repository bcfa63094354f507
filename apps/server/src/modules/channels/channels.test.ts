import type { Kysely } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import { popularityScore } from './ranking.js';
import type { ChannelsDatabase } from './store.js';

const HOUR_MS = 3_600_000;

async function uploadImage(app: TestApp, member: Member): Promise<string> {
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 100, b: 0 } } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('kind', 'image');
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'p.png');
  const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
  return ((await response.json()) as { media: { id: string } }).media.id;
}

describe('recommended ranking', () => {
  it('scores a worked example by the published formula', () => {
    const nowMs = 100 * HOUR_MS;
    // (10 + 2×2 + 1) / (1 + 2)^1.5 = 15 / 5.196… = 2.887
    expect(popularityScore({ likeCount: 10, commentCount: 2, createdAt: nowMs - HOUR_MS }, nowMs)).toBeCloseTo(2.887, 3);
    // An older post needs far more likes to rank as high: (100 + 1) / (22)^1.5 = 0.979
    expect(popularityScore({ likeCount: 100, commentCount: 0, createdAt: nowMs - 20 * HOUR_MS }, nowMs)).toBeCloseTo(0.979, 3);
  });
});

describe.each(dialects)('channels on %s', (dialect) => {
  let app: TestApp;
  let creator: Member;
  let other: Member;
  let viewer: Member;
  let friend: Member;
  let stranger: Member;
  beforeAll(async () => {
    app = await startApp({ dialect });
    creator = await registerMember(app, 'Creator');
    other = await registerMember(app, 'Other');
    viewer = await registerMember(app, 'Viewer');
    friend = await registerMember(app, 'Friend');
    stranger = await registerMember(app, 'Stranger');
    await makeFriends(viewer, friend);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('opens one channel per member, posts photos, and lets anyone see them', async () => {
    expect((await creator.http.post('/api/v1/channel-posts', { caption: 'x' })).body.error.code).toBe('CHANNELS_NO_CHANNEL');
    const opened = await creator.http.post('/api/v1/channels', { name: 'Cooking', bio: 'Noodles daily' });
    expect(opened.status).toBe(201);
    expect((await creator.http.post('/api/v1/channels', { name: 'Again' })).body.error.code).toBe('CHANNELS_ALREADY_OPEN');
    expect((await creator.http.post('/api/v1/channel-posts', { caption: 'text only' })).body.error.code).toBe('CHANNELS_INVALID_POST');
    const photo = await uploadImage(app, creator);
    const post = await creator.http.post('/api/v1/channel-posts', {
      caption: 'Hand-pulled',
      photoMediaIds: [photo],
      link: { url: 'https://example.org/r', title: 'Recipe' },
    });
    expect(post.status).toBe(201);
    expect(post.body.post).toMatchObject({ kind: 'photos', caption: 'Hand-pulled', channel: { name: 'Cooking' }, likeCount: 0 });
    // A link may also lead inside Plaza (an article, a mini program page), but not to another host by `//`.
    const inside = await creator.http.post('/api/v1/channel-posts', {
      caption: 'Read more',
      photoMediaIds: [photo],
      link: { url: '/oa/articles/7', title: 'Full recipe' },
    });
    expect(inside.body.post.link).toEqual({ url: '/oa/articles/7', title: 'Full recipe' });
    for (const url of ['//evil.example/x', 'javascript:alert(1)'])
      expect((await creator.http.post('/api/v1/channel-posts', { photoMediaIds: [photo], link: { url, title: 'x' } })).body.error.code).toBe(
        'VALIDATION_FAILED',
      );
    await creator.http.delete(`/api/v1/channel-posts/${inside.body.post.id}`);
    const media = await fetch(`${app.url}/api/v1/media/${photo}`, { headers: { authorization: `Bearer ${stranger.token}` } });
    expect(media.status).toBe(200);
    expect((await stranger.http.get(`/api/v1/channels/${opened.body.channel.id}/posts`)).body.posts).toHaveLength(1);
  });

  it('pages the Following feed newest first, counts follows, and says why each post is there', async () => {
    const a = (await other.http.post('/api/v1/channels', { name: 'Hiking' })).body.channel;
    const mine = (await creator.http.get('/api/v1/channels/mine')).body.channel;
    expect((await creator.http.put(`/api/v1/channels/${mine.id}/follow`, {})).body.error.code).toBe('CHANNELS_SELF_FOLLOW');
    for (const c of [a, mine]) {
      expect((await viewer.http.put(`/api/v1/channels/${c.id}/follow`, {})).status).toBe(204);
      expect((await viewer.http.put(`/api/v1/channels/${c.id}/follow`, {})).status).toBe(204);
    }
    expect((await viewer.http.get(`/api/v1/channels/${a.id}`)).body.channel).toMatchObject({ followerCount: 1, followedByMe: true });
    const photo = await uploadImage(app, other);
    for (let i = 0; i < 7; i += 1) await other.http.post('/api/v1/channel-posts', { caption: `hike ${i}`, photoMediaIds: [photo] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await viewer.http.get(`/api/v1/channels/feed?kind=following&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.posts.map((p: { caption: string }) => p.caption));
      if (page.body.posts[0]) expect(page.body.posts[0].why).toMatch(/^You follow /);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...Array.from({ length: 7 }, (_, i) => `hike ${6 - i}`), 'Hand-pulled']);
    expect((await viewer.http.delete(`/api/v1/channels/${a.id}/follow`)).status).toBe(204);
    expect((await viewer.http.get(`/api/v1/channels/${a.id}`)).body.channel.followerCount).toBe(0);
  });

  it('shows posts my friends liked with their names, and not what strangers liked', async () => {
    const feed = (await stranger.http.get('/api/v1/channels/feed?kind=recommended&limit=50')).body.posts;
    const [first, second] = feed as { id: string }[];
    expect(first && second).toBeTruthy();
    expect((await friend.http.put(`/api/v1/channel-posts/${first?.id}/like`, {})).status).toBe(204);
    expect((await stranger.http.put(`/api/v1/channel-posts/${second?.id}/like`, {})).status).toBe(204);
    const liked = (await viewer.http.get('/api/v1/channels/feed?kind=friends-liked')).body.posts;
    expect(liked.map((p: { id: string }) => p.id)).toEqual([first?.id]);
    expect(liked[0].why).toBe('Liked by your friends Friend');
    expect((await stranger.http.get('/api/v1/channels/feed?kind=friends-liked')).body.posts).toEqual([]);
  });

  it('ranks Recommended by popularity with time decay and explains each place', async () => {
    const db = app.plaza.ctx.db as unknown as Kysely<ChannelsDatabase>;
    const posts = (await stranger.http.get('/api/v1/channels/feed?kind=recommended&limit=50')).body.posts as { id: string }[];
    const [fresh, old] = posts.slice(0, 2).map((p) => Number(p.id));
    await db
      .updateTable('channel_posts')
      .set({ like_count: 10, comment_count: 2, created_at: Date.now() - HOUR_MS })
      .where('id', '=', fresh as number)
      .execute();
    await db
      .updateTable('channel_posts')
      .set({ like_count: 100, comment_count: 0, created_at: Date.now() - 20 * HOUR_MS })
      .where('id', '=', old as number)
      .execute();
    const ranked = (await stranger.http.get('/api/v1/channels/feed?kind=recommended&limit=2')).body;
    expect(ranked.posts.map((p: { id: string }) => Number(p.id))).toEqual([fresh, old]);
    expect(ranked.posts[0].why).toContain('10 likes and 2 comments');
    expect(ranked.posts[0].why).toContain('score 2.887');
    const next = (await stranger.http.get(`/api/v1/channels/feed?kind=recommended&limit=2&cursor=${ranked.nextCursor}`)).body.posts;
    expect(next.map((p: { id: string }) => Number(p.id))).not.toContain(fresh);
  });

  it('counts likes and comments, and lets the author or channel owner delete a comment', async () => {
    const post = (await stranger.http.get('/api/v1/channels/feed?kind=recommended&limit=1')).body.posts[0];
    const c1 = (await viewer.http.post(`/api/v1/channel-posts/${post.id}/comments`, { text: 'yum' })).body.comment;
    await stranger.http.post(`/api/v1/channel-posts/${post.id}/comments`, { text: 'wow' });
    const before = (await viewer.http.get(`/api/v1/channel-posts/${post.id}`)).body.post.commentCount;
    expect((await stranger.http.delete(`/api/v1/channel-posts/${post.id}/comments/${c1.id}`)).status).toBe(403);
    expect((await viewer.http.delete(`/api/v1/channel-posts/${post.id}/comments/${c1.id}`)).status).toBe(204);
    expect((await viewer.http.get(`/api/v1/channel-posts/${post.id}`)).body.post.commentCount).toBe(before - 1);
    const comments = (await viewer.http.get(`/api/v1/channel-posts/${post.id}/comments`)).body.comments;
    expect(comments.map((c: { text: string }) => c.text)).toContain('wow');
    expect(comments.map((c: { text: string }) => c.text)).not.toContain('yum');
  });

  it('shares a post into a chat as a card and into Moments as a link card', async () => {
    const post = (await stranger.http.get('/api/v1/channels/feed?kind=recommended&limit=1')).body.posts[0];
    const conversation = (await viewer.http.post('/api/v1/conversations', { kind: 'direct', peerId: friend.id })).body.conversation.id;
    const body = { to: 'chat', conversationId: conversation, clientMsgId: 'share-1' };
    const shared = await viewer.http.post(`/api/v1/channel-posts/${post.id}/share`, body);
    expect(shared.status).toBe(201);
    expect(shared.body.message).toMatchObject({
      type: 'channel_post',
      content: { channelPostId: post.id, channelName: post.channel.name, caption: post.caption },
    });
    // The same client message id is the same message, not a second card.
    expect((await viewer.http.post(`/api/v1/channel-posts/${post.id}/share`, body)).body.message.id).toBe(shared.body.message.id);
    const seen = (await friend.http.get(`/api/v1/conversations/${conversation}/messages`)).body.messages;
    expect(seen.filter((m: { type: string }) => m.type === 'channel_post')).toHaveLength(1);
    const cover = seen.find((m: { type: string }) => m.type === 'channel_post').content.coverUrl;
    expect((await fetch(app.url + cover, { headers: { authorization: `Bearer ${friend.token}` } })).status).toBe(200);
    const intruder = await stranger.http.post(`/api/v1/channel-posts/${post.id}/share`, { ...body, clientMsgId: 'x' });
    expect(intruder.body.error.code).toBe('CHAT_NOT_A_MEMBER');

    const moment = await viewer.http.post(`/api/v1/channel-posts/${post.id}/share`, { to: 'moments', text: 'Look at this' });
    expect(moment.status).toBe(201);
    const timeline = (await friend.http.get('/api/v1/moments/timeline')).body.posts;
    expect(timeline[0]).toMatchObject({
      kind: 'link',
      text: 'Look at this',
      link: { url: `/discover/channels/posts/${post.id}`, channelPostId: post.id, title: post.channel.name },
    });
    expect((await stranger.http.get('/api/v1/moments/timeline')).body.posts).toEqual([]);
    expect((await viewer.http.post('/api/v1/channel-posts/999999/share', { to: 'moments' })).body.error.code).toBe('CHANNELS_POST_NOT_FOUND');
  });

  it('pages Following with no repeats and no gaps while new posts arrive', async () => {
    const reader = await registerMember(app, 'Reader');
    const poster = await registerMember(app, 'Poster');
    const channel = (await poster.http.post('/api/v1/channels', { name: 'Busy' })).body.channel;
    await reader.http.put(`/api/v1/channels/${channel.id}/follow`, {});
    const photo = await uploadImage(app, poster);
    for (let i = 0; i < 9; i += 1) await poster.http.post('/api/v1/channel-posts', { caption: `old ${i}`, photoMediaIds: [photo] });
    const seen: string[] = [];
    let cursor: string | null = null;
    let arrivals = 0;
    do {
      const page = await reader.http.get(`/api/v1/channels/feed?kind=following&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.posts.map((p: { caption: string }) => p.caption));
      // Between pages the channel keeps posting; new posts are newer than any cursor.
      await poster.http.post('/api/v1/channel-posts', { caption: `new ${arrivals}`, photoMediaIds: [photo] });
      arrivals += 1;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 9 }, (_, i) => `old ${8 - i}`));
    const fresh = (await reader.http.get('/api/v1/channels/feed?kind=following&limit=50')).body.posts.map((p: { caption: string }) => p.caption);
    expect(fresh.slice(0, arrivals)).toEqual(Array.from({ length: arrivals }, (_, i) => `new ${arrivals - 1 - i}`));
  });

  it('removes a deleted post’s A/B tests with it', async () => {
    const photo = await uploadImage(app, creator);
    const post = (await creator.http.post('/api/v1/channel-posts', { caption: 'short-lived', photoMediaIds: [photo] })).body.post;
    const experiment = (await creator.http.post(`/api/v1/channel-posts/${post.id}/experiments`, { variants: [{ caption: 'a' }, { caption: 'b' }] })).body
      .experiment;
    await viewer.http.post(`/api/v1/channel-posts/${post.id}/views`, {});
    expect((await creator.http.delete(`/api/v1/channel-posts/${post.id}`)).status).toBe(204);
    const db = app.plaza.ctx.db as unknown as Kysely<ChannelsDatabase>;
    for (const table of ['channel_experiments', 'channel_experiment_variants', 'channel_experiment_views'] as const) {
      const column = table === 'channel_experiments' ? 'id' : 'experiment_id';
      expect(await db.selectFrom(table).select(column).where(column, '=', Number(experiment.id)).execute()).toEqual([]);
    }
    expect((await creator.http.get(`/api/v1/channel-experiments/${experiment.id}`)).body.error.code).toBe('CHANNELS_EXPERIMENT_NOT_FOUND');
  });
});
