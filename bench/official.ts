/**
 * official-broadcast: one Official Account with F followers (default 100,000) publishes an
 * article. The publish request commits the article; one small inbox pointer per follower follows,
 * a chunk of followers per transaction. The figures are that request's time and when sampled
 * followers see the article in their Official Accounts folder (read on demand) and as an inbox event. Fixtures go straight
 * into the database; measured traffic is HTTP over loopback against a real server child.
 */
import type { Kysely } from 'kysely';
import type { OfficialDatabase } from '../apps/server/src/modules/official/store.js';
import { envInt, now, pct, r2, seedAccounts, sleep, startServer } from './lib.js';

const CHUNK = 400;

export async function officialBroadcast() {
  const followers = envInt('OFFICIAL_FOLLOWERS', 100_000);
  const sample = Math.min(envInt('OFFICIAL_SAMPLE', 200), followers);
  const { server, fixture } = await startServer('official-broadcast', async (h) => {
    const { ids, tokens } = await seedAccounts(h, followers + 1, 'o');
    const db = h.db as unknown as Kysely<OfficialDatabase>;
    const owner = ids[0] as number;
    const at = Date.now();
    const account = await db
      .insertInto('official_accounts')
      .values({
        owner_id: owner,
        type: 'service',
        name: 'Bench Weekly',
        name_lower: 'bench weekly',
        description: '',
        avatar_media_id: null,
        avatar: null,
        status: 'verified',
        review_note: '',
        reviewed_by: null,
        menu: '[]',
        follower_count: followers,
        broadcast_period: '',
        broadcast_count: 0,
        last_article_at: 0,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.transaction().execute(async (trx) => {
      const rows = ids.slice(1).map((id) => ({ official_id: account.id, account_id: id, created_at: at }));
      for (let i = 0; i < rows.length; i += CHUNK)
        await trx
          .insertInto('official_follows')
          .values(rows.slice(i, i + CHUNK))
          .execute();
    });
    return { tokens, officialId: account.id };
  });
  try {
    const ownerToken = fixture.tokens[0] as string;
    const followerTokens = Array.from({ length: sample }, (_, i) => fixture.tokens[1 + Math.floor((i * followers) / sample)] as string);
    const t0 = now();
    const published = await fetch(`${server.url}/api/v1/official-accounts/${fixture.officialId}/articles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Broadcast probe', bodyHtml: '<p>hello, followers</p>' }),
    });
    const publishMs = now() - t0;
    if (published.status !== 201) throw new Error(`publish failed: ${published.status} ${await published.text()}`);
    const articleId = ((await published.json()) as { article: { id: string } }).article.id;
    const folderAt: number[] = [];
    const inboxAt: number[] = [];
    await Promise.all(
      followerTokens.map(async (token) => {
        const headers = { authorization: `Bearer ${token}` };
        const folder = (await (await fetch(`${server.url}/api/v1/official-accounts/following?limit=1`, { headers })).json()) as {
          accounts: { latestArticle: { id: string } | null }[];
        };
        if (folder.accounts[0]?.latestArticle?.id === articleId) folderAt.push(now() - t0);
        // Notifications are written after the article commits, a chunk of followers at a time: poll (bounded).
        for (let attempt = 0; attempt < 400; attempt += 1) {
          const sync = (await (await fetch(`${server.url}/api/v1/sync?afterSeq=0&limit=10`, { headers })).json()) as {
            events: { type: string; articleId?: string }[];
          };
          if (sync.events.some((e) => e.type === 'official.broadcast' && e.articleId === articleId)) {
            inboxAt.push(now() - t0);
            return;
          }
          await sleep(250);
        }
      }),
    );
    folderAt.sort((a, b) => a - b);
    inboxAt.sort((a, b) => a - b);
    return {
      scenario: 'official-broadcast',
      database: server.dialect,
      followers,
      sampled_followers: sample,
      publish_request_ms: r2(publishMs),
      saw_in_folder: folderAt.length,
      saw_inbox_event: inboxAt.length,
      folder_visible_p50_ms: r2(pct(folderAt, 50)),
      folder_visible_max_ms: r2(folderAt[folderAt.length - 1] ?? Number.NaN),
      inbox_event_p50_ms: r2(pct(inboxAt, 50)),
      inbox_event_max_ms: r2(inboxAt[inboxAt.length - 1] ?? Number.NaN),
      note: 'the publish request commits the article (in every folder at once); inbox pointers follow, 1,000 followers per transaction',
    };
  } finally {
    await server.stop();
  }
}
