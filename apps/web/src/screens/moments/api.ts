import type { Account, Media } from '@plaza/client';
import { api } from '../../lib/api';

export interface MomentComment {
  id: string;
  postId: string;
  author: Account;
  text: string;
  replyToCommentId: string | null;
  replyTo: Account | null;
  createdAt: string;
}

export interface MomentPost {
  id: string;
  author: Account;
  kind: 'text' | 'photos' | 'video' | 'link';
  text: string;
  media: Media[];
  link: { url: string; title: string; description?: string; channelPostId?: string } | null;
  location: { name: string } | null;
  visibility?: 'friends' | 'include' | 'exclude';
  createdAt: string;
  likedByMe: boolean;
  likes: { account: Account; createdAt: string }[];
  comments: MomentComment[];
}

export interface MomentPage {
  posts: MomentPost[];
  nextCursor: string | null;
}

export interface NewMoment {
  text?: string;
  photoMediaIds?: string[];
  videoMediaId?: string;
  link?: { url: string; title: string };
  location?: { name: string };
  visibility?: 'friends' | 'include' | 'exclude';
  audience?: { accountIds?: string[]; tags?: string[] };
}

/** The Moments routes (the shared client does not know them yet). */
export const momentsApi = {
  timeline: (cursor?: string) => api.request<MomentPage>('GET', '/api/v1/moments/timeline', undefined, cursor ? { cursor, limit: 10 } : { limit: 10 }),
  album: (accountId: string, cursor?: string) =>
    api.request<MomentPage & { account: Account; coverUrl: string | null }>(
      'GET',
      `/api/v1/moments/accounts/${encodeURIComponent(accountId)}/posts`,
      undefined,
      cursor ? { cursor } : {},
    ),
  create: (body: NewMoment) => api.request<{ post: MomentPost }>('POST', '/api/v1/moments', body),
  remove: (id: string) => api.request<void>('DELETE', `/api/v1/moments/${encodeURIComponent(id)}`),
  like: (id: string) => api.request<void>('PUT', `/api/v1/moments/${encodeURIComponent(id)}/like`, {}),
  unlike: (id: string) => api.request<void>('DELETE', `/api/v1/moments/${encodeURIComponent(id)}/like`),
  comment: (id: string, text: string, replyToCommentId?: string) =>
    api.request<{ comment: MomentComment }>(
      'POST',
      `/api/v1/moments/${encodeURIComponent(id)}/comments`,
      replyToCommentId ? { text, replyToCommentId } : { text },
    ),
  deleteComment: (id: string, commentId: string) =>
    api.request<void>('DELETE', `/api/v1/moments/${encodeURIComponent(id)}/comments/${encodeURIComponent(commentId)}`),
  settings: () => api.request<{ settings: { historyWindow: 'all' | '6m' | '3d'; coverUrl: string | null } }>('GET', '/api/v1/moments/settings'),
  updateSettings: (body: { historyWindow?: 'all' | '6m' | '3d'; coverMediaId?: string | null }) =>
    api.request<{ settings: { historyWindow: string; coverUrl: string | null } }>('PATCH', '/api/v1/moments/settings', body),
};
