/**
 * social-timeline: Moments timeline page reads/s and latency with N members × F friends and P
 * posts (defaults: the issue's 10,000 × 200 and 1M). Fixtures go straight into the database;
 * measured traffic is HTTP over loopback against a real server child. One JSON line.
 *
 * Posts are spread round-robin over authors in time order, so each member's friends each post once
 * per "round". The fan-out table holds each viewer's most recent TIMELINE_ROUNDS rounds (what a
 * timeline trimmed to that depth would hold); pages read newest first from it.
 */
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { DatabaseHandle } from '../apps/server/src/db/index.js';
import type { ChannelsDatabase } from '../apps/server/src/modules/channels/store.js';
import type { MomentsDatabase } from '../apps/server/src/modules/moments/store.js';
import { cpuMeter, envInt, log, now, pct, r2, rssMiB, seedAccounts, startServer } from './lib.js';

const CHUNK = 400;

async function insertChunked<T>(rows: T[], fn: (part: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await fn(rows.slice(i, i + CHUNK));
}

export async function seedSocial(h: DatabaseHandle, opts: { members: number; friends: number; posts: number; rounds: number }) {
  const { ids, tokens } = await seedAccounts(h, opts.members, 's');
  const db = h.db as unknown as Kysely<MomentsDatabase>;
  const n = ids.length;
  const half = opts.friends / 2;
  const at = (i: number) => ids[((i % n) + n) % n] as number;
  const base = Date.now() - opts.posts * 1000;
  let t = now();
  // A circulant graph: member i is friends with i±1…i±F/2, so everyone has exactly F friends.
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i += 50) {
      const rows = [];
      for (let v = i; v < Math.min(n, i + 50); v += 1)
        for (let d = 1; d <= half; d += 1)
          for (const peer of [at(v + d), at(v - d)]) rows.push({ owner_id: at(v), peer_id: peer, remark: '', tags: '[]', created_at: base });
      await insertChunked(rows, (part) => trx.insertInto('contacts').values(part).execute());
    }
  });
  log(`social: contacts in ${((now() - t) / 1000).toFixed(1)} s`);
  t = now();
  // Post p is by member p mod N at base + p seconds.
  await db.transaction().execute(async (trx) => {
    for (let p = 0; p < opts.posts; p += 10_000) {
      const rows = [];
      for (let q = p; q < Math.min(opts.posts, p + 10_000); q += 1)
        rows.push({
          id: q + 1,
          author_id: at(q),
          kind: 'text' as const,
          text: `Moment ${q}: a short line of text, about as long as most are.`,
          media: '[]',
          link: null,
          location: null,
          visibility: 'friends' as const,
          audience_spec: '{}',
          audience_ids: '[]',
          created_at: base + q * 1000,
        });
      await insertChunked(rows, (part) => trx.insertInto('moment_posts').values(part).execute());
    }
  });
  log(`social: ${opts.posts} posts in ${((now() - t) / 1000).toFixed(1)} s`);
  t = now();
  const rounds = Math.min(opts.rounds, Math.floor(opts.posts / n));
  const lastRound = Math.floor(opts.posts / n) - 1;
  let timelineRows = 0;
  await db.transaction().execute(async (trx) => {
    for (let v = 0; v < n; v += 20) {
      const rows = [];
      for (let w = v; w < Math.min(n, v + 20); w += 1)
        for (let r = lastRound; r > lastRound - rounds; r -= 1)
          for (let d = -half; d <= half; d += 1) {
            const author = (((w + d) % n) + n) % n;
            const post = r * n + author;
            rows.push({ viewer_id: at(w), created_at: base + post * 1000, post_id: post + 1, author_id: at(author) });
          }
      timelineRows += rows.length;
      await insertChunked(rows, (part) => trx.insertInto('moment_timeline').values(part).execute());
    }
    // Some likes and comments on the newest round, from friends, so pages carry interactions.
    const likes = [];
    const comments = [];
    for (let a = 0; a < n; a += 1) {
      const post = lastRound * n + a + 1;
      for (const d of [1, 2, 3]) likes.push({ post_id: post, account_id: at(a + d), created_at: base + post * 1000 + d });
      comments.push({
        post_id: post,
        author_id: at(a - 1),
        reply_to_comment_id: null,
        reply_to_account_id: null,
        text: 'Nice!',
        created_at: base + post * 1000 + 5,
      });
    }
    await insertChunked(likes, (part) => trx.insertInto('moment_likes').values(part).execute());
    await insertChunked(comments, (part) => trx.insertInto('moment_comments').values(part).execute());
  });
  log(`social: ${timelineRows} timeline rows in ${((now() - t) / 1000).toFixed(1)} s`);
  if (h.dialect === 'postgres') {
    const { sql } = await import('kysely');
    await sql`ANALYZE`.execute(h.db);
  }
  return { ids, tokens, timelineRows };
}

export async function socialTimeline() {
  const members = envInt('SOCIAL_MEMBERS', 10_000);
  const friends = envInt('SOCIAL_FRIENDS', 200) & ~1;
  const posts = envInt('SOCIAL_POSTS', 1_000_000);
  const rounds = envInt('SOCIAL_TIMELINE_ROUNDS', 1);
  const concurrency = envInt('SOCIAL_CONCURRENCY', 32);
  const durationMs = envInt('SOCIAL_DURATION_S', 20) * 1000;
  const pageSize = envInt('SOCIAL_PAGE', 10);
  const { server, fixture } = await startServer('social', (db) => seedSocial(db, { members, friends, posts, rounds }));
  try {
    const read = async (token: string, cursor?: string) => {
      const response = await fetch(`${server.url}/api/v1/moments/timeline?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200) throw new Error(`timeline answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { posts: unknown[]; nextCursor: string | null };
    };
    // Warm up: first page once for a sample of members (sessions into the server's cache).
    const first = await read(fixture.tokens[0] as string);
    if (first.posts.length !== pageSize) throw new Error(`expected a full first page, got ${first.posts.length}`);
    const latencies: number[] = [];
    let errors = 0;
    const warmUntil = now() + 3000;
    const endAt = warmUntil + durationMs;
    let serverCpu: (() => number) | undefined;
    const worker = async (w: number) => {
      let i = w;
      while (now() < endAt) {
        const token = fixture.tokens[(i * 7919) % fixture.tokens.length] as string;
        i += concurrency;
        const t0 = now();
        try {
          const page = await read(token);
          // One read in five goes on to the second page, as people scroll.
          if (page.nextCursor && i % 5 === 0) await read(token, page.nextCursor);
        } catch (error) {
          errors += 1;
          if (errors < 3) log(String(error));
        }
        const t1 = now();
        if (t0 >= warmUntil) latencies.push(t1 - t0);
      }
    };
    const started = now();
    const meterStart = setTimeout(() => {
      serverCpu = cpuMeter(server.pid);
    }, warmUntil - started);
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    clearTimeout(meterStart);
    const measuredS = (now() - warmUntil) / 1000;
    latencies.sort((a, b) => a - b);
    const result = {
      scenario: 'social-timeline',
      database: server.dialect,
      members,
      friends_each: friends,
      posts,
      timeline_rows: fixture.timelineRows,
      page_size: pageSize,
      concurrency,
      reads_per_s: r2(latencies.length / measuredS),
      p50_ms: r2(pct(latencies, 50)),
      p99_ms: r2(pct(latencies, 99)),
      errors,
      server_cpu_pct: serverCpu?.() ?? null,
      server_rss_mib: rssMiB(server.pid).rss,
      target: { reads_per_s: 5000, p99_ms: 30 },
      note: 'a read is a first page plus, one time in five, the second page; load generator shares the machine',
    };
    return result;
  } finally {
    await server.stop();
  }
}

/**
 * social-channel-fanout: a channel with F followers (default 100,000) posts; how long until its
 * followers' Following feeds show the post. Feeds are read on demand, so this is the posting
 * request plus one feed read; sampled followers are polled until each sees the post.
 */
export async function socialChannelFanout() {
  const followers = envInt('SOCIAL_CHANNEL_FOLLOWERS', 100_000);
  const sample = Math.min(envInt('SOCIAL_CHANNEL_SAMPLE', 200), followers);
  const { server, fixture } = await startServer('social-channel', async (h) => {
    const { ids, tokens } = await seedAccounts(h, followers + 1, 'f');
    const db = h.db as unknown as Kysely<ChannelsDatabase>;
    const creator = ids[0] as number;
    const channel = await db
      .insertInto('channels')
      .values({ owner_id: creator, name: 'Bench channel', bio: '', follower_count: followers, created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.transaction().execute(async (trx) => {
      const rows = ids.slice(1).map((id) => ({ account_id: id, channel_id: channel.id, created_at: Date.now() }));
      await insertChunked(rows, (part) => trx.insertInto('channel_follows').values(part).execute());
    });
    return { ids, tokens, channelId: channel.id };
  });
  try {
    const creatorToken = fixture.tokens[0] as string;
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 120, b: 80 } } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('kind', 'image');
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'bench.png');
    const uploaded = await fetch(`${server.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${creatorToken}` }, body: form });
    const mediaId = ((await uploaded.json()) as { media: { id: string } }).media.id;
    const followerTokens = Array.from({ length: sample }, (_, i) => fixture.tokens[1 + Math.floor((i * followers) / sample)] as string);
    const t0 = now();
    const posted = await fetch(`${server.url}/api/v1/channel-posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ caption: 'fan-out probe', photoMediaIds: [mediaId] }),
    });
    const postId = ((await posted.json()) as { post: { id: string } }).post.id;
    const postMs = now() - t0;
    const seenAt: number[] = [];
    await Promise.all(
      followerTokens.map(async (token, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 50));
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const response = await fetch(`${server.url}/api/v1/channels/feed?kind=following&limit=1`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await response.json()) as { posts: { id: string }[] };
          if (body.posts[0]?.id === postId) {
            seenAt.push(now() - t0);
            return;
          }
        }
      }),
    );
    seenAt.sort((a, b) => a - b);
    return {
      scenario: 'social-channel-fanout',
      database: server.dialect,
      followers,
      sampled_followers: sample,
      saw_post: seenAt.length,
      post_request_ms: r2(postMs),
      visible_min_ms: r2(seenAt[0] ?? Number.NaN),
      visible_p50_ms: r2(pct(seenAt, 50)),
      visible_max_ms: r2(seenAt[seenAt.length - 1] ?? Number.NaN),
      target: { all_followers_ms: 2000 },
      note: 'feeds are pulled, so a committed post is in every follower feed; times include the sampled followers reading concurrently',
    };
  } finally {
    await server.stop();
  }
}
