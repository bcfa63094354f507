import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface ChannelTables {
  channels: {
    id: Generated<number>;
    owner_id: number;
    name: string;
    bio: string;
    follower_count: number;
    created_at: number;
    verified_at: number | null;
  };
  channel_posts: {
    id: Generated<number>;
    channel_id: number;
    kind: 'photos' | 'video';
    caption: string;
    /** JSON: presented media of the post (immutable uploads). */
    media: string;
    link: string | null;
    /** JSON: presented media shown as the cover instead of the first photo or the video's poster. */
    cover_media: string | null;
    like_count: number;
    comment_count: number;
    created_at: number;
  };
  channel_follows: { account_id: number; channel_id: number; created_at: number };
  channel_likes: { post_id: number; account_id: number; created_at: number };
  channel_comments: { id: Generated<number>; post_id: number; author_id: number; text: string; created_at: number };
  channel_media: { media_id: number; post_id: number };
  channel_verifications: {
    id: Generated<number>;
    channel_id: number;
    applicant_id: number;
    status: 'pending' | 'approved' | 'rejected';
    proof: string;
    follower_count_at_apply: number;
    note: string | null;
    reviewer_id: number | null;
    created_at: number;
    reviewed_at: number | null;
  };
  channel_verification_documents: { media_id: number; verification_id: number };
  channel_experiments: {
    id: Generated<number>;
    post_id: number;
    status: 'running' | 'promoted' | 'stopped';
    winner_variant_id: number | null;
    created_at: number;
    ended_at: number | null;
  };
  channel_experiment_variants: { id: Generated<number>; experiment_id: number; position: number; caption: string; cover_media: string | null };
  channel_experiment_views: { experiment_id: number; account_id: number; variant_id: number; completed: number; created_at: number };
}

export type ChannelsDatabase = Database & ChannelTables;
export type ChannelsTransaction = Transaction<ChannelsDatabase>;
export type ChannelRow = Selectable<ChannelTables['channels']>;
export type ChannelPostRow = Selectable<ChannelTables['channel_posts']>;
export type VerificationRow = Selectable<ChannelTables['channel_verifications']>;
export type ExperimentRow = Selectable<ChannelTables['channel_experiments']>;
export type VariantRow = Selectable<ChannelTables['channel_experiment_variants']>;
export type ChannelCommentRow = Selectable<ChannelTables['channel_comments']>;
export type ChannelsDb = Kysely<ChannelsDatabase>;
