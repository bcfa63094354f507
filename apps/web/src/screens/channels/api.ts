import type { Media } from '@plaza/client';
import { api, queryClient } from '../../lib/api';

export type FeedKind = 'following' | 'friends-liked' | 'recommended';

export interface ChannelSummary {
  id: string;
  name: string;
  verified: boolean;
}

export interface ChannelPost {
  id: string;
  channel: ChannelSummary | null;
  kind: 'photos' | 'video';
  caption: string;
  media: Media[];
  cover: Media | null;
  link: { url: string; title: string } | null;
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  createdAt: string;
  why: string | null;
  /** The A/B test this viewer is part of, and which variant they see. */
  experiment: { id: string; variantId: string } | null;
  ownedByMe: boolean;
}

export interface Channel {
  id: string;
  ownerId: string;
  name: string;
  bio: string;
  followerCount: number;
  followedByMe: boolean;
  verified: boolean;
  verifiedAt: string | null;
}

export interface ChannelComment {
  id: string;
  author: { id: string; displayName: string } | null;
  text: string;
  createdAt: string;
}

export interface FeedPage {
  posts: ChannelPost[];
  nextCursor: string | null;
}

export interface VerificationProof {
  links: string[];
  followerCounts: { platform: string; count: number }[];
  documentMediaIds: string[];
  statement?: string;
}

export interface VerificationApplication {
  id: string;
  channel: { id: string; name: string; followerCount: number } | null;
  status: 'pending' | 'approved' | 'rejected';
  proof: VerificationProof & { documents: Media[] };
  followerCountAtApply: number;
  note: string | null;
  createdAt: string;
  reviewedAt: string | null;
}

export interface VariantReport {
  id: string;
  label: string;
  caption: string;
  cover: Media | null;
  impressions: number;
  likes: number;
  completions: number;
  likeRate: number;
  completionRate: number;
  /** Two-sided p-values of a two-proportion z-test against the first variant (null for it). */
  likeRatePValue: number | null;
  completionRatePValue: number | null;
}

export interface Experiment {
  id: string;
  postId: string;
  status: 'running' | 'promoted' | 'stopped';
  winnerVariantId: string | null;
  createdAt: string;
  endedAt: string | null;
  variants: VariantReport[];
}

const p = encodeURIComponent;

export const channelsApi = {
  feed: (kind: FeedKind, cursor?: string) => api.request<FeedPage>('GET', '/api/v1/channels/feed', undefined, cursor ? { kind, cursor } : { kind }),
  mine: () => api.request<{ channel: Channel | null }>('GET', '/api/v1/channels/mine'),
  channel: (id: string) => api.request<{ channel: Channel }>('GET', `/api/v1/channels/${p(id)}`),
  open: (name: string) => api.request<{ channel: Channel }>('POST', '/api/v1/channels', { name }),
  post: (body: { caption?: string; photoMediaIds?: string[]; videoMediaId?: string; link?: { url: string; title: string } }) =>
    api.request<{ post: ChannelPost }>('POST', '/api/v1/channel-posts', body),
  getPost: (id: string) => api.request<{ post: ChannelPost }>('GET', `/api/v1/channel-posts/${p(id)}`),
  like: (id: string, on: boolean) => api.request<void>(on ? 'PUT' : 'DELETE', `/api/v1/channel-posts/${p(id)}/like`, on ? {} : undefined),
  follow: (channelId: string, on = true) => api.request<void>(on ? 'PUT' : 'DELETE', `/api/v1/channels/${p(channelId)}/follow`, on ? {} : undefined),
  comments: (id: string) => api.request<{ comments: ChannelComment[]; nextCursor: string | null }>('GET', `/api/v1/channel-posts/${p(id)}/comments`),
  deleteComment: (id: string, commentId: string) => api.request<void>('DELETE', `/api/v1/channel-posts/${p(id)}/comments/${p(commentId)}`),
  comment: (id: string, text: string) => api.request<{ comment: ChannelComment }>('POST', `/api/v1/channel-posts/${p(id)}/comments`, { text }),
  shareToChat: (id: string, conversationId: string, clientMsgId: string) =>
    api.request<unknown>('POST', `/api/v1/channel-posts/${p(id)}/share`, { to: 'chat', conversationId, clientMsgId }),
  shareToMoments: (id: string, text: string) =>
    api.request<unknown>('POST', `/api/v1/channel-posts/${p(id)}/share`, text ? { to: 'moments', text } : { to: 'moments' }),
  view: (id: string, completed: boolean) => api.request<void>('POST', `/api/v1/channel-posts/${p(id)}/views`, { completed }),
  verification: () =>
    api.request<{ eligibility: { minFollowers: number; followerCount: number; eligible: boolean }; application: VerificationApplication | null }>(
      'GET',
      '/api/v1/channels/mine/verification',
    ),
  applyForVerification: (proof: VerificationProof) =>
    api.request<{ application: VerificationApplication }>('POST', '/api/v1/channels/mine/verification', proof),
  reviewQueue: (status: 'pending' | 'approved' | 'rejected') =>
    api.request<{ applications: VerificationApplication[]; nextCursor: string | null }>('GET', '/api/v1/operator/channel-verifications', undefined, { status }),
  decide: (id: string, approve: boolean, note: string) =>
    api.request<{ application: VerificationApplication }>('POST', `/api/v1/operator/channel-verifications/${p(id)}/decision`, { approve, note }),
  experiments: (postId: string) => api.request<{ experiments: Experiment[] }>('GET', `/api/v1/channel-posts/${p(postId)}/experiments`),
  startExperiment: (postId: string, variants: { caption?: string; coverMediaId?: string }[]) =>
    api.request<{ experiment: Experiment }>('POST', `/api/v1/channel-posts/${p(postId)}/experiments`, { variants }),
  promote: (experimentId: string, variantId: string) =>
    api.request<{ experiment: Experiment }>('POST', `/api/v1/channel-experiments/${p(experimentId)}/promote`, { variantId }),
};

export const refreshChannels = () => void queryClient.invalidateQueries({ queryKey: ['channels'] });
