import type { Kysely } from 'kysely';
import { type ExperimentBody, socialLimits } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { fail } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { MediaService } from '../media/index.js';
import { twoProportionZTest, variantIndex } from './ab-stats.js';
import type { ChannelPostRow, ChannelsDatabase, ExperimentRow, VariantRow } from './store.js';

type PresentedMedia = ReturnType<MediaService['present']>;

/**
 * A/B tests of a post's caption and cover. Members other than the owner are split among the
 * variants by `variantIndex`; an impression is one member who was shown the post (recorded once),
 * a like counts for the variant its member saw, and completion is watching to the end (or, for
 * photos, opening the post). Each variant is compared with the first by a two-proportion z-test.
 */
export function createChannelExperiments(ctx: AppContext, deps: { accounts: AccountsService; media: MediaService; nowMs: () => number }) {
  const db = ctx.db as unknown as Kysely<ChannelsDatabase>;
  const { accounts, media } = deps;

  async function loadPostAndOwner(postId: number) {
    const post = await db.selectFrom('channel_posts').selectAll().where('id', '=', postId).executeTakeFirst();
    if (!post) fail('CHANNELS_POST_NOT_FOUND');
    const channel = await db.selectFrom('channels').select(['owner_id']).where('id', '=', post.channel_id).executeTakeFirstOrThrow();
    return { post, ownerId: channel.owner_id };
  }

  async function requireOwnerOrOperator(accountId: number, ownerId: number) {
    if (accountId === ownerId) return;
    if ((await accounts.getAccount(accountId)).is_operator !== 1) fail('CHANNELS_FORBIDDEN');
  }

  async function variantsOf(experimentIds: number[]): Promise<Map<number, VariantRow[]>> {
    const rows = experimentIds.length
      ? await db.selectFrom('channel_experiment_variants').selectAll().where('experiment_id', 'in', experimentIds).orderBy('position').execute()
      : [];
    const map = new Map<number, VariantRow[]>();
    for (const row of rows) map.set(row.experiment_id, [...(map.get(row.experiment_id) ?? []), row]);
    return map;
  }

  async function runningFor(postIds: number[]): Promise<Map<number, { experiment: ExperimentRow; variants: VariantRow[] }>> {
    const running = postIds.length
      ? await db.selectFrom('channel_experiments').selectAll().where('post_id', 'in', postIds).where('status', '=', 'running').execute()
      : [];
    const variants = await variantsOf(running.map((e) => e.id));
    return new Map(running.map((e) => [e.post_id, { experiment: e, variants: variants.get(e.id) ?? [] }]));
  }

  /**
   * What each post of a page looks like to this viewer: for a post under test, the caption and
   * cover of the viewer's variant. The owner always sees the post as it is.
   */
  async function variantsForViewer(viewerId: number, posts: { row: ChannelPostRow; ownerId: number }[]) {
    const tested = await runningFor(posts.filter((p) => p.ownerId !== viewerId).map((p) => p.row.id));
    const shown = new Map<number, { experimentId: number; variant: VariantRow }>();
    for (const [postId, { experiment, variants }] of tested) {
      const variant = variants[variantIndex(experiment.id, viewerId, variants.length)];
      if (variant) shown.set(postId, { experimentId: experiment.id, variant });
    }
    return shown;
  }

  async function start(ownerId: number, postId: number, body: ExperimentBody) {
    const { post, ownerId: owner } = await loadPostAndOwner(postId);
    if (owner !== ownerId) fail('CHANNELS_FORBIDDEN');
    const variants: { caption: string; cover: PresentedMedia | null }[] = [];
    for (const v of body.variants) {
      if (v.caption === undefined && v.coverMediaId === undefined) fail('CHANNELS_INVALID_VARIANT');
      let cover: PresentedMedia | null = null;
      if (v.coverMediaId !== undefined) {
        const row = await media.load(parseId(v.coverMediaId, 'coverMediaId'));
        if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
        if (row.kind !== 'image') fail('CHANNELS_INVALID_VARIANT', 'A cover is an image upload.');
        cover = media.present(row);
      }
      variants.push({ caption: (v.caption ?? post.caption).trim(), cover });
    }
    const experiment = await db.transaction().execute(async (trx) => {
      const running = await trx.selectFrom('channel_experiments').select('id').where('post_id', '=', postId).where('status', '=', 'running').executeTakeFirst();
      if (running) fail('CHANNELS_EXPERIMENT_RUNNING');
      const row = await trx
        .insertInto('channel_experiments')
        .values({ post_id: postId, status: 'running', winner_variant_id: null, created_at: deps.nowMs(), ended_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('channel_experiment_variants')
        .values(variants.map((v, position) => ({ experiment_id: row.id, position, caption: v.caption, cover_media: v.cover ? JSON.stringify(v.cover) : null })))
        .execute();
      // Covers become part of the post: public like its other media, and kept while it exists.
      const covers = [...new Set(variants.flatMap((v) => (v.cover ? [Number(v.cover.id)] : [])))];
      for (const mediaId of covers)
        await trx
          .insertInto('channel_media')
          .values({ media_id: mediaId, post_id: postId })
          .onConflict((oc) => oc.columns(['media_id', 'post_id']).doNothing())
          .execute();
      return row;
    });
    return report(experiment);
  }

  /** Records that the viewer was shown the post (once), and whether they finished it. */
  async function view(viewerId: number, postId: number, completed: boolean) {
    const { ownerId } = await loadPostAndOwner(postId);
    if (ownerId === viewerId) return;
    const tested = (await runningFor([postId])).get(postId);
    if (!tested) return;
    const variant = tested.variants[variantIndex(tested.experiment.id, viewerId, tested.variants.length)];
    if (!variant) return;
    await db
      .insertInto('channel_experiment_views')
      .values({ experiment_id: tested.experiment.id, account_id: viewerId, variant_id: variant.id, completed: completed ? 1 : 0, created_at: deps.nowMs() })
      .onConflict((oc) => oc.columns(['experiment_id', 'account_id']).doNothing())
      .execute();
    if (completed)
      await db
        .updateTable('channel_experiment_views')
        .set({ completed: 1 })
        .where('experiment_id', '=', tested.experiment.id)
        .where('account_id', '=', viewerId)
        .execute();
  }

  async function report(experiment: ExperimentRow) {
    const variants = (await variantsOf([experiment.id])).get(experiment.id) ?? [];
    const counts = await db
      .selectFrom('channel_experiment_views as v')
      .leftJoin('channel_likes as l', (join) => join.onRef('l.account_id', '=', 'v.account_id').on('l.post_id', '=', experiment.post_id))
      .select((eb) => [
        'v.variant_id',
        eb.fn.countAll<number>().as('impressions'),
        eb.fn.sum<number>('v.completed').as('completions'),
        eb.fn.count<number>('l.account_id').as('likes'),
      ])
      .where('v.experiment_id', '=', experiment.id)
      .groupBy('v.variant_id')
      .execute();
    const byVariant = new Map(
      counts.map((c) => [c.variant_id, { impressions: Number(c.impressions), completions: Number(c.completions ?? 0), likes: Number(c.likes) }]),
    );
    const figures = variants.map((v) => ({ variant: v, ...(byVariant.get(v.id) ?? { impressions: 0, completions: 0, likes: 0 }) }));
    const control = figures[0];
    return {
      id: idString(experiment.id),
      postId: idString(experiment.post_id),
      status: experiment.status,
      winnerVariantId: experiment.winner_variant_id === null ? null : idString(experiment.winner_variant_id),
      createdAt: toIso(experiment.created_at),
      endedAt: experiment.ended_at === null ? null : toIso(experiment.ended_at),
      variants: figures.map((f, index) => {
        const likeTest = index === 0 || !control ? null : twoProportionZTest(control.likes, control.impressions, f.likes, f.impressions);
        const completionTest = index === 0 || !control ? null : twoProportionZTest(control.completions, control.impressions, f.completions, f.impressions);
        return {
          id: idString(f.variant.id),
          label: String.fromCharCode(65 + f.variant.position),
          caption: f.variant.caption,
          cover: f.variant.cover_media ? (JSON.parse(f.variant.cover_media) as PresentedMedia) : null,
          impressions: f.impressions,
          likes: f.likes,
          completions: f.completions,
          likeRate: f.impressions ? f.likes / f.impressions : 0,
          completionRate: f.impressions ? f.completions / f.impressions : 0,
          likeRatePValue: likeTest?.pValue ?? null,
          completionRatePValue: completionTest?.pValue ?? null,
        };
      }),
    };
  }

  async function loadExperiment(experimentId: number): Promise<ExperimentRow> {
    const row = await db.selectFrom('channel_experiments').selectAll().where('id', '=', experimentId).executeTakeFirst();
    if (!row) fail('CHANNELS_EXPERIMENT_NOT_FOUND');
    return row;
  }

  /** The post's tests, newest first, with their figures: for its owner and for operators. */
  async function list(viewerId: number, postId: number) {
    const { ownerId } = await loadPostAndOwner(postId);
    await requireOwnerOrOperator(viewerId, ownerId);
    const rows = await db
      .selectFrom('channel_experiments')
      .selectAll()
      .where('post_id', '=', postId)
      .orderBy('id', 'desc')
      .limit(socialLimits.experimentsPerPostMax)
      .execute();
    const experiments = [];
    for (const row of rows) experiments.push(await report(row));
    return { experiments };
  }

  async function get(viewerId: number, experimentId: number) {
    const experiment = await loadExperiment(experimentId);
    const { ownerId } = await loadPostAndOwner(experiment.post_id);
    await requireOwnerOrOperator(viewerId, ownerId);
    return report(experiment);
  }

  /** Makes the chosen variant the post's caption and cover for everyone, and ends the test. */
  async function promote(ownerId: number, experimentId: number, variantId: number) {
    const experiment = await loadExperiment(experimentId);
    const { ownerId: owner } = await loadPostAndOwner(experiment.post_id);
    if (owner !== ownerId) fail('CHANNELS_FORBIDDEN');
    const ended = await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('channel_experiments').selectAll().where('id', '=', experimentId).executeTakeFirstOrThrow();
      if (current.status !== 'running') fail('CHANNELS_EXPERIMENT_CLOSED');
      const variant = await trx
        .selectFrom('channel_experiment_variants')
        .selectAll()
        .where('id', '=', variantId)
        .where('experiment_id', '=', experimentId)
        .executeTakeFirst();
      if (!variant) fail('CHANNELS_INVALID_VARIANT');
      await trx.updateTable('channel_posts').set({ caption: variant.caption, cover_media: variant.cover_media }).where('id', '=', experiment.post_id).execute();
      return trx
        .updateTable('channel_experiments')
        .set({ status: 'promoted', winner_variant_id: variant.id, ended_at: deps.nowMs() })
        .where('id', '=', experimentId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return report(ended);
  }

  /** Removes a deleted post's tests (inside its deleting transaction). */
  async function deleteForPost(trx: Kysely<ChannelsDatabase>, postId: number) {
    const ids = (await trx.selectFrom('channel_experiments').select('id').where('post_id', '=', postId).execute()).map((r) => r.id);
    if (ids.length === 0) return;
    await trx.deleteFrom('channel_experiment_views').where('experiment_id', 'in', ids).execute();
    await trx.deleteFrom('channel_experiment_variants').where('experiment_id', 'in', ids).execute();
    await trx.deleteFrom('channel_experiments').where('id', 'in', ids).execute();
  }

  return { start, view, list, get, promote, variantsForViewer, deleteForPost };
}
