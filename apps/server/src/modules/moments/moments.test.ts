import type { Kysely } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';
import type { MomentsDatabase } from './store.js';

const DAY_MS = 24 * 3600 * 1000;

async function upload(app: TestApp, member: Member, data: Buffer) {
  const form = new FormData();
  form.append('kind', 'image');
  form.append('file', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'photo.png');
  const response = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: form });
  return (await response.json()) as { media: { id: string; url: string } };
}

function momentsDb(app: TestApp): Kysely<MomentsDatabase> {
  return app.plaza.ctx.db as unknown as Kysely<MomentsDatabase>;
}

/** Moves a post back in time on every table that orders by its time. */
async function agePost(app: TestApp, postId: string, createdAt: number) {
  const db = momentsDb(app);
  await db.updateTable('moment_posts').set({ created_at: createdAt }).where('id', '=', Number(postId)).execute();
  await db.updateTable('moment_timeline').set({ created_at: createdAt }).where('post_id', '=', Number(postId)).execute();
}

describe.each(dialects)('moments on %s', (dialect) => {
  let app: TestApp;
  // Friendships: alice–bob, alice–carol, alice–dave, bob–dave, bob–eve. Carol knows only alice.
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  let eve: Member;
  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    carol = await registerMember(app, 'Carol');
    dave = await registerMember(app, 'Dave');
    eve = await registerMember(app, 'Eve');
    await makeFriends(alice, bob);
    await makeFriends(alice, carol);
    await makeFriends(alice, dave);
    await makeFriends(bob, dave);
    await makeFriends(bob, eve);
    expect((await alice.http.patch(`/api/v1/contacts/${dave.id}`, { tags: ['family'] })).status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('applies post visibility × comment visibility × history window exactly as the rules say', async () => {
    const names = new Map<string, string>();
    for (const [name, m] of Object.entries({ alice, bob, carol, dave, eve })) names.set(m.id, name);
    const friendPairs = new Set(['alice:bob', 'alice:carol', 'alice:dave', 'bob:dave', 'bob:eve']);
    const friends = (x: string, y: string) => friendPairs.has(`${x}:${y}`) || friendPairs.has(`${y}:${x}`);
    const members: Record<string, Member> = { alice, bob, carol, dave, eve };

    // The oracle: the rules of the issue, written independently of the server's code.
    const audiences: Record<string, Set<string>> = {
      friends: new Set(['bob', 'carol', 'dave']),
      include: new Set(['bob', 'dave']), // bob by id, dave by the tag "family"
      exclude: new Set(['bob', 'dave']), // carol excluded by id
    };
    const windowMs: Record<string, number> = { all: Number.POSITIVE_INFINITY, '6m': 183 * DAY_MS, '3d': 3 * DAY_MS };
    const seesPost = (viewer: string, visibility: string, window: string, ageMs: number) =>
      viewer === 'alice' || (friends('alice', viewer) && (audiences[visibility] as Set<string>).has(viewer) && ageMs <= (windowMs[window] as number));
    const seesInteraction = (viewer: string, author: string) => viewer === 'alice' || viewer === author || friends(viewer, author);

    const posts: Record<string, string> = {};
    const bodies: Record<string, object> = {
      friends: { text: 'to all friends' },
      include: { text: 'only some', visibility: 'include', audience: { accountIds: [bob.id], tags: ['family'] } },
      exclude: { text: 'all but carol', visibility: 'exclude', audience: { accountIds: [carol.id] } },
    };
    // Everyone who can see a fresh post likes it and comments on it; dave replies to bob, alice to each.
    const interactions: Record<string, { likes: string[]; comments: { author: string; replyTo?: string }[] }> = {};
    for (const visibility of ['friends', 'include', 'exclude']) {
      const created = await alice.http.post('/api/v1/moments', bodies[visibility]);
      expect(created.status).toBe(201);
      const postId = created.body.post.id;
      posts[visibility] = postId;
      interactions[visibility] = { likes: [], comments: [] };
      const record = interactions[visibility] as { likes: string[]; comments: { author: string; replyTo?: string }[] };
      const commentIds: Record<string, string> = {};
      for (const name of ['bob', 'carol', 'dave', 'eve']) {
        const m = members[name] as Member;
        const like = await m.http.put(`/api/v1/moments/${postId}/like`, {});
        const comment = await m.http.post(`/api/v1/moments/${postId}/comments`, { text: `from ${name}` });
        if (seesPost(name, visibility, 'all', 0)) {
          expect(like.status).toBe(204);
          expect(comment.status).toBe(201);
          record.likes.push(name);
          record.comments.push({ author: name });
          commentIds[name] = comment.body.comment.id;
        } else {
          expect(like.status).toBe(404);
          expect(comment.status).toBe(404);
        }
      }
      const daveReply = await dave.http.post(`/api/v1/moments/${postId}/comments`, { text: 'dave to bob', replyToCommentId: commentIds.bob });
      expect(daveReply.status).toBe(201);
      record.comments.push({ author: 'dave', replyTo: 'bob' });
      if (commentIds.carol) {
        // bob cannot see carol's comment, so he cannot answer it either.
        expect((await bob.http.post(`/api/v1/moments/${postId}/comments`, { text: 'bob to carol', replyToCommentId: commentIds.carol })).status).toBe(404);
        const aliceReply = await alice.http.post(`/api/v1/moments/${postId}/comments`, { text: 'alice to carol', replyToCommentId: commentIds.carol });
        expect(aliceReply.status).toBe(201);
        record.comments.push({ author: 'alice', replyTo: 'carol' });
      }
    }

    const nowMs = Date.now();
    for (const window of ['all', '6m', '3d']) {
      expect((await alice.http.patch('/api/v1/moments/settings', { historyWindow: window })).status).toBe(200);
      for (const ageMs of [0, 4 * DAY_MS, 200 * DAY_MS]) {
        for (const visibility of ['friends', 'include', 'exclude']) await agePost(app, posts[visibility] as string, nowMs - ageMs);
        for (const viewer of ['alice', 'bob', 'carol', 'dave', 'eve']) {
          const m = members[viewer] as Member;
          const timeline = await m.http.get('/api/v1/moments/timeline?limit=50');
          const album = await m.http.get(`/api/v1/moments/accounts/${alice.id}/posts?limit=50`);
          expect(timeline.status).toBe(200);
          expect(album.status).toBe(200);
          for (const visibility of ['friends', 'include', 'exclude']) {
            const postId = posts[visibility] as string;
            const where = `${viewer} viewing ${visibility} post, window ${window}, age ${ageMs / DAY_MS}d`;
            const expected = seesPost(viewer, visibility, window, ageMs);
            const single = await m.http.get(`/api/v1/moments/${postId}`);
            expect(single.status, where).toBe(expected ? 200 : 404);
            expect(
              timeline.body.posts.some((p: { id: string }) => p.id === postId),
              `${where} (timeline)`,
            ).toBe(expected);
            expect(
              album.body.posts.some((p: { id: string }) => p.id === postId),
              `${where} (album)`,
            ).toBe(expected);
            if (!expected) continue;
            const record = interactions[visibility] as { likes: string[]; comments: { author: string; replyTo?: string }[] };
            const post = single.body.post;
            const seenLikes = post.likes.map((l: { account: { id: string } }) => names.get(l.account.id));
            expect(seenLikes, `${where} (likes)`).toEqual(record.likes.filter((author) => seesInteraction(viewer, author)));
            const seenComments = post.comments.map((c: { author: { id: string }; replyTo: { id: string } | null }) => ({
              author: names.get(c.author.id),
              ...(c.replyTo ? { replyTo: names.get(c.replyTo.id) } : {}),
            }));
            expect(seenComments, `${where} (comments)`).toEqual(record.comments.filter((c) => seesInteraction(viewer, c.author)));
            // The timeline shows the same interactions as the post itself.
            const inTimeline = timeline.body.posts.find((p: { id: string }) => p.id === postId);
            expect(inTimeline.comments.length).toBe(post.comments.length);
            expect(inTimeline.likes.length).toBe(post.likes.length);
            expect(post.visibility === undefined).toBe(viewer !== 'alice');
          }
        }
      }
    }
    expect((await alice.http.patch('/api/v1/moments/settings', { historyWindow: 'all' })).status).toBe(200);
    for (const visibility of ['friends', 'include', 'exclude']) expect((await alice.http.delete(`/api/v1/moments/${posts[visibility]}`)).status).toBe(204);
  });

  it('pages the timeline newest first with no duplicates and no gaps while new posts arrive', async () => {
    const poster = await registerMember(app, 'Poster');
    const reader = await registerMember(app, 'Reader');
    await makeFriends(poster, reader);
    const before: string[] = [];
    for (let i = 0; i < 23; i += 1) before.push((await poster.http.post('/api/v1/moments', { text: `post ${i}` })).body.post.id);
    // Ties on the timestamp must still page cleanly: give five posts the same millisecond.
    const tie = Date.now() - 60_000;
    for (const id of before.slice(5, 10)) await agePost(app, id, tie);
    const expected = await momentsDb(app)
      .selectFrom('moment_posts')
      .select(['id', 'created_at'])
      .where('author_id', '=', Number(poster.id))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await reader.http.get(`/api/v1/moments/timeline?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.posts.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
      // A new post lands between every two pages; it is newer than every cursor, so it cannot shift the rest.
      await poster.http.post('/api/v1/moments', { text: `late ${pages}` });
      pages += 1;
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected.map((r) => String(r.id)));
    const fresh = await reader.http.get('/api/v1/moments/timeline?limit=50');
    expect(fresh.body.posts.slice(0, pages).every((p: { text: string }) => p.text.startsWith('late'))).toBe(true);
  });

  it('tells the poster of likes and comments and the commenter of replies', async () => {
    const post = (await alice.http.post('/api/v1/moments', { text: 'notify me' })).body.post;
    const aliceSeq = (await alice.http.get('/api/v1/sync?afterSeq=0&limit=500')).body.events.at(-1)?.seq ?? 0;
    const bobSeq = (await bob.http.get('/api/v1/sync?afterSeq=0&limit=500')).body.events.at(-1)?.seq ?? 0;
    expect((await bob.http.put(`/api/v1/moments/${post.id}/like`, {})).status).toBe(204);
    expect((await bob.http.put(`/api/v1/moments/${post.id}/like`, {})).status).toBe(204);
    const comment = (await bob.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'nice' })).body.comment;
    const reply = await dave.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'agreed', replyToCommentId: comment.id });
    expect(reply.status).toBe(201);
    const aliceEvents = (await alice.http.get(`/api/v1/sync?afterSeq=${aliceSeq}&limit=500`)).body.events;
    expect(aliceEvents.filter((e: { type: string }) => e.type === 'moment.liked')).toHaveLength(1);
    const commented = aliceEvents.filter((e: { type: string }) => e.type === 'moment.commented');
    expect(commented.map((e: { reason: string; comment: { text: string } }) => [e.reason, e.comment.text])).toEqual([
      ['my_post', 'nice'],
      ['my_post', 'agreed'],
    ]);
    const bobEvents = (await bob.http.get(`/api/v1/sync?afterSeq=${bobSeq}&limit=500`)).body.events;
    expect(bobEvents.filter((e: { type: string }) => e.type === 'moment.commented').map((e: { reason: string }) => e.reason)).toEqual(['reply']);
  });

  it('deletes my comment, lets the poster delete any, and keeps others from deleting', async () => {
    const post = (await alice.http.post('/api/v1/moments', { text: 'delete test' })).body.post;
    const bobs = (await bob.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'bob' })).body.comment;
    const daves = (await dave.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'dave' })).body.comment;
    expect((await dave.http.delete(`/api/v1/moments/${post.id}/comments/${bobs.id}`)).status).toBe(403);
    expect((await bob.http.delete(`/api/v1/moments/${post.id}/comments/${bobs.id}`)).status).toBe(204);
    expect((await alice.http.delete(`/api/v1/moments/${post.id}/comments/${daves.id}`)).status).toBe(204);
    expect((await alice.http.get(`/api/v1/moments/${post.id}`)).body.post.comments).toEqual([]);
    expect((await bob.http.delete(`/api/v1/moments/${post.id}`)).status).toBe(403);
    expect((await alice.http.delete(`/api/v1/moments/${post.id}`)).status).toBe(204);
    expect((await bob.http.get(`/api/v1/moments/${post.id}`)).status).toBe(404);
    expect((await bob.http.get('/api/v1/moments/timeline?limit=50')).body.posts.some((p: { id: string }) => p.id === post.id)).toBe(false);
  });

  it('shows photos to those who see the post only, and checks what a post holds', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const photo = (await upload(app, alice, png)).media;
    const created = await alice.http.post('/api/v1/moments', {
      text: 'a photo',
      photoMediaIds: [photo.id],
      location: { name: 'West Lake' },
      visibility: 'exclude',
      audience: { accountIds: [carol.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body.post).toMatchObject({ kind: 'photos', media: [{ id: photo.id }], location: { name: 'West Lake' } });
    const fetchAs = (m: Member) => fetch(app.url + photo.url, { headers: { authorization: `Bearer ${m.token}` } });
    expect((await fetchAs(bob)).status).toBe(200);
    expect((await fetchAs(carol)).status).toBe(404);
    expect((await fetchAs(eve)).status).toBe(404);

    const bobsPhoto = (await upload(app, bob, png)).media;
    expect((await alice.http.post('/api/v1/moments', { photoMediaIds: [bobsPhoto.id] })).status).toBe(403);
    expect((await alice.http.post('/api/v1/moments', { photoMediaIds: [photo.id], link: { url: 'https://example.org', title: 'x' } })).body.error.code).toBe(
      'MOMENTS_INVALID_POST',
    );
    expect((await alice.http.post('/api/v1/moments', { text: '   ' })).body.error.code).toBe('MOMENTS_INVALID_POST');
    const tooMany = Array.from({ length: 10 }, () => photo.id);
    expect((await alice.http.post('/api/v1/moments', { photoMediaIds: tooMany })).status).toBe(400);
    const link = await alice.http.post('/api/v1/moments', { text: 'read this', link: { url: 'https://example.org/a', title: 'An article' } });
    expect(link.body.post).toMatchObject({ kind: 'link', link: { url: 'https://example.org/a', title: 'An article' } });

    expect((await alice.http.patch('/api/v1/moments/settings', { coverMediaId: photo.id })).body.settings.coverUrl).toBe(photo.url);
    const albumForBob = await bob.http.get(`/api/v1/moments/accounts/${alice.id}/posts`);
    expect(albumForBob.body.coverUrl).toBe(photo.url);
    expect((await eve.http.get(`/api/v1/moments/accounts/${alice.id}/posts`)).body).toMatchObject({ coverUrl: null, posts: [] });
  });

  it('hides a former friend’s posts from the timeline at once', async () => {
    const post = (await alice.http.post('/api/v1/moments', { text: 'before the quarrel' })).body.post;
    const former = await registerMember(app, 'Former');
    await makeFriends(alice, former);
    const later = (await alice.http.post('/api/v1/moments', { text: 'after adding' })).body.post;
    const ids = async () => (await former.http.get('/api/v1/moments/timeline?limit=50')).body.posts.map((p: { id: string }) => p.id);
    expect(await ids()).toContain(later.id);
    expect(await ids()).not.toContain(post.id);
    expect((await alice.http.delete(`/api/v1/contacts/${former.id}`)).status).toBe(204);
    expect(await ids()).not.toContain(later.id);
    expect((await former.http.get(`/api/v1/moments/${later.id}`)).status).toBe(404);
  });
});
