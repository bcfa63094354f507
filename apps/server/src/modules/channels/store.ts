import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface ChannelTables {
  channels: { id: Generated<number>; owner_id: number; name: string; bio: string; follower_count: number; created_at: number };
  channel_posts: {
    id: Generated<number>;
    channel_id: number;
    kind: 'photos' | 'video';
    caption: string;
    /** JSON: presented media of the post (immutable uploads). */
    media: string;
    link: string | null;
    like_count: number;
    comment_count: number;
    created_at: number;
  };
  channel_follows: { account_id: number; channel_id: number; created_at: number };
  channel_likes: { post_id: number; account_id: number; created_at: number };
  channel_comments: { id: Generated<number>; post_id: number; author_id: number; text: string; created_at: number };
  channel_media: { media_id: number; post_id: number };
}

export type ChannelsDatabase = Database & ChannelTables;
export type ChannelsTransaction = Transaction<ChannelsDatabase>;
export type ChannelRow = Selectable<ChannelTables['channels']>;
export type ChannelPostRow = Selectable<ChannelTables['channel_posts']>;
export type ChannelCommentRow = Selectable<ChannelTables['channel_comments']>;
export type ChannelsDb = Kysely<ChannelsDatabase>;
