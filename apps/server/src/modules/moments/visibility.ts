import { type HistoryWindow, historyWindowMs } from '@plaza/protocol';

/** What deciding "may this viewer see this post" needs, all known before the decision. */
export interface PostAccess {
  authorId: number;
  visibility: 'friends' | 'include' | 'exclude';
  /** Allowed ids for include, denied ids for exclude, ignored for friends. */
  audienceIds: ReadonlySet<number>;
  createdAt: number;
}

export function parseHistoryWindow(value: string | null | undefined): HistoryWindow {
  return value === '3d' || value === '6m' ? value : 'all';
}

/**
 * The one rule for seeing a Moments post: the author always does; anyone else must be a mutual
 * friend of the author now, be in the post's audience, and the post must lie inside the author's
 * history window.
 */
export function canSeePost(post: PostAccess, viewerId: number, viewerIsFriend: boolean, window: HistoryWindow, nowMs: number): boolean {
  if (viewerId === post.authorId) return true;
  if (!viewerIsFriend) return false;
  if (post.visibility === 'include' && !post.audienceIds.has(viewerId)) return false;
  if (post.visibility === 'exclude' && post.audienceIds.has(viewerId)) return false;
  const windowMs = historyWindowMs[window];
  return windowMs === null || post.createdAt >= nowMs - windowMs;
}

/**
 * The WeChat rule for likes and comments on a post the viewer can see: shown to the poster, to
 * the one who wrote it, and to mutual friends of whoever wrote it; hidden from everyone else.
 */
export function canSeeInteraction(interactionAuthorId: number, postAuthorId: number, viewerId: number, viewerFriends: ReadonlySet<number>): boolean {
  return viewerId === postAuthorId || viewerId === interactionAuthorId || viewerFriends.has(interactionAuthorId);
}
