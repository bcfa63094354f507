import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeFriends, type Member, registerMember, startApp, type TestApp } from '../../test/harness.js';

interface Notification {
  id: string;
  type: 'like' | 'comment' | 'reply';
  account: { displayName: string };
  post: { id: string; text: string } | null;
  comment: { text: string } | null;
}

describe.each(dialects)('Moments notifications on %s', (dialect) => {
  let app: TestApp;
  let alice: Member;
  let bob: Member;
  let dan: Member;
  let carol: Member;
  const list = async (member: Member, query = '') => (await member.http.get(`/api/v1/moments/notifications${query}`)).body;
  const summary = (items: Notification[]) => items.map((n) => `${n.type}:${n.account.displayName}:${n.comment?.text ?? ''}`);
  beforeAll(async () => {
    app = await startApp({ dialect });
    alice = await registerMember(app, 'Alice');
    bob = await registerMember(app, 'Bob');
    dan = await registerMember(app, 'Dan');
    carol = await registerMember(app, 'Carol');
    await makeFriends(alice, bob);
    await makeFriends(alice, dan);
    await makeFriends(alice, carol);
    await makeFriends(bob, dan);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists likes and comments on my posts and replies to my comments, newest first, without my own', async () => {
    const post = (await alice.http.post('/api/v1/moments', { text: 'Dumplings tonight' })).body.post;
    await bob.http.put(`/api/v1/moments/${post.id}/like`, {});
    const bobComment = (await bob.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'Save me some' })).body.comment;
    await dan.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'Me too', replyToCommentId: bobComment.id });
    const carolComment = (await carol.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'Recipe?' })).body.comment;
    await alice.http.post(`/api/v1/moments/${post.id}/comments`, { text: 'Tomorrow', replyToCommentId: carolComment.id });
    await alice.http.put(`/api/v1/moments/${post.id}/like`, {});

    const mine = await list(alice);
    expect(summary(mine.notifications)).toEqual(['comment:Carol:Recipe?', 'comment:Dan:Me too', 'comment:Bob:Save me some', 'like:Bob:']);
    expect(mine.notifications[0].post).toMatchObject({ id: post.id, text: 'Dumplings tonight' });
    expect(summary((await list(bob)).notifications)).toEqual(['reply:Dan:Me too']);
    expect(summary((await list(carol)).notifications)).toEqual(['reply:Alice:Tomorrow']);
    expect((await list(dan)).notifications).toEqual([]);
  });

  it('pages with no repeats or gaps', async () => {
    const whole = summary((await list(alice)).notifications);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { notifications: Notification[]; nextCursor: string | null } = await list(alice, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...summary(page.notifications));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(whole);
    expect((await alice.http.get('/api/v1/moments/notifications?cursor=nonsense')).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('drops a reply once I may no longer see the post it is on', async () => {
    // Bob's reply notification is on Alice's post; when Alice unfriends Bob, Bob no longer sees that post.
    expect((await alice.http.delete(`/api/v1/contacts/${bob.id}`)).status).toBe(204);
    expect((await list(bob)).notifications).toEqual([]);
  });
});
