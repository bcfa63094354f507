import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Row types of the Official Accounts tables (see migrations/2026-12-03T1200-official-accounts.ts). */
export interface OfficialTables {
  official_accounts: {
    id: Generated<number>;
    owner_id: number;
    type: 'subscription' | 'service';
    name: string;
    name_lower: string;
    description: string;
    avatar_media_id: number | null;
    /** JSON: the presented avatar media, or null. */
    avatar: string | null;
    status: 'pending' | 'verified' | 'rejected';
    review_note: string;
    reviewed_by: number | null;
    /** JSON: MenuButton[]. */
    menu: string;
    follower_count: number;
    broadcast_period: string;
    broadcast_count: number;
    last_article_at: number;
    created_at: number;
  };
  official_admins: { official_id: number; account_id: number; created_at: number };
  official_follows: { official_id: number; account_id: number; created_at: number };
  official_follow_log: { id: Generated<number>; official_id: number; account_id: number; delta: number; created_at: number };
  official_articles: {
    id: Generated<number>;
    official_id: number;
    author_id: number;
    title: string;
    summary: string;
    body_html: string;
    preview_html: string;
    cover_media_id: number | null;
    cover: string | null;
    price_minor: number;
    asset: string;
    read_count: number;
    share_count: number;
    comment_count: number;
    created_at: number;
    /** Followers with ids up to this one have their broadcast notification. */
    fanout_after: Generated<number>;
    /** 0 while the broadcast's notifications are being written; 1 after. */
    fanout_done: Generated<number>;
  };
  official_article_media: { media_id: number; article_id: number; in_preview: number };
  official_reads: { article_id: number; account_id: number; official_id: number; created_at: number };
  official_shares: { id: Generated<number>; article_id: number; official_id: number; account_id: number; created_at: number };
  official_comments: { id: Generated<number>; article_id: number; author_id: number; text: string; created_at: number };
  official_purchases: {
    article_id: number;
    account_id: number;
    official_id: number;
    price_minor: number;
    fee_minor: number;
    status: 'paid' | 'refunded';
    payment_transfer_id: number;
    created_at: number;
    refunded_at: number | null;
  };
  official_tips: {
    id: Generated<number>;
    article_id: number;
    official_id: number;
    account_id: number;
    amount_minor: number;
    transfer_id: number;
    created_at: number;
  };
  official_auto_replies: { id: Generated<number>; official_id: number; keyword: string | null; reply: string; created_at: number };
  official_messages: {
    id: Generated<number>;
    official_id: number;
    member_id: number;
    direction: 'in' | 'out';
    sender_id: number | null;
    auto: number;
    text: string;
    created_at: number;
  };
}

export type OfficialDatabase = Database & OfficialTables;
export type OfficialDb = Kysely<OfficialDatabase>;
export type OfficialTrx = Transaction<OfficialDatabase>;
export type OfficialAccountRow = Selectable<OfficialTables['official_accounts']>;
export type ArticleRow = Selectable<OfficialTables['official_articles']>;
export type PurchaseRow = Selectable<OfficialTables['official_purchases']>;
export type OfficialMessageRow = Selectable<OfficialTables['official_messages']>;
export type OfficialCommentRow = Selectable<OfficialTables['official_comments']>;
