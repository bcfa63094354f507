/**
 * Recommended ranking, in the open: popularity over age with a decay like Hacker News's.
 * score = (likes + 2 × comments + 1) / (ageHours + 2)^1.5. Every item carries the numbers behind
 * its place, so a member can see why it is shown.
 */
export interface RankInput {
  likeCount: number;
  commentCount: number;
  createdAt: number;
}

export const DECAY_EXPONENT = 1.5;

export function popularityScore(post: RankInput, nowMs: number): number {
  const ageHours = Math.max(0, nowMs - post.createdAt) / 3_600_000;
  return (post.likeCount + 2 * post.commentCount + 1) / (ageHours + 2) ** DECAY_EXPONENT;
}

export function explainScore(post: RankInput, nowMs: number): string {
  const ageHours = Math.max(0, nowMs - post.createdAt) / 3_600_000;
  const age = ageHours < 1 ? 'under an hour' : ageHours < 48 ? `${Math.floor(ageHours)} hours` : `${Math.floor(ageHours / 24)} days`;
  return `Popular: ${post.likeCount} likes and ${post.commentCount} comments, posted ${age} ago (score ${popularityScore(post, nowMs).toFixed(3)} = (likes + 2×comments + 1) / (hours + 2)^1.5)`;
}
