import type { Account, Media } from '@plaza/client';
import { PlazaApiError } from '@plaza/client';
import { api, getAuth } from '../../lib/api';

export interface MenuButton {
  label: string;
  action: 'reply' | 'link';
  reply?: string;
  url?: string;
}

export interface OfficialAccount {
  id: string;
  type: 'subscription' | 'service';
  name: string;
  description: string;
  avatar: Media | null;
  status: 'pending' | 'verified' | 'rejected';
  verified: boolean;
  reviewNote: string;
  ownerId: string;
  menu: MenuButton[];
  followerCount: number;
  followedByMe: boolean;
  isAdmin: boolean;
  lastArticleAt: string | null;
  createdAt: string;
  owner?: Account | null;
}

export interface ArticleSummary {
  id: string;
  officialAccount: { id: string; name: string; avatar: Media | null };
  title: string;
  summary: string;
  cover: Media | null;
  asset: string;
  priceMinor: string;
  paid: boolean;
  unlocked: boolean;
  readCount: number;
  shareCount: number;
  commentCount: number;
  createdAt: string;
}

export interface Purchase {
  articleId: string;
  accountId: string;
  priceMinor: string;
  feeMinor: string;
  status: 'paid' | 'refunded';
  createdAt: string;
  account?: Account | null;
}

export interface Article extends ArticleSummary {
  locked: boolean;
  bodyHtml: string;
  isAdmin: boolean;
  following: boolean;
  purchase: Purchase | null;
}

export interface OfficialMessage {
  id: string;
  officialAccountId: string;
  memberId: string;
  direction: 'in' | 'out';
  auto: boolean;
  senderId: string | null;
  text: string;
  createdAt: string;
}

export interface Comment {
  id: string;
  author: Account | null;
  text: string;
  createdAt: string;
}

export interface AutoReply {
  id: string;
  keyword: string | null;
  reply: string;
}

export interface StatsDay {
  day: string;
  followers: number;
  follows: number;
  unfollows: number;
  reads: number;
  shares: number;
  revenueMinor: string;
  tipsMinor: string;
}

type Page<K extends string, T> = { [key in K]: T[] } & { nextCursor: string | null };

/** Money-moving calls carry a fresh Idempotency-Key; the shared client does not send one. */
async function money<T>(path: string, body: unknown): Promise<T> {
  const { token } = getAuth();
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }).catch((error: unknown) => {
    throw new PlazaApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : 'Network error');
  });
  const data = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string } }) | null;
  if (!response.ok) throw new PlazaApiError(response.status, data?.error?.code ?? 'HTTP_ERROR', data?.error?.message ?? response.statusText);
  return data as T;
}

const base = (id: string) => `/api/v1/official-accounts/${encodeURIComponent(id)}`;
const article = (id: string) => `/api/v1/official-articles/${encodeURIComponent(id)}`;

export const officialApi = {
  following: (cursor?: string) =>
    api.request<Page<'accounts', OfficialAccount & { latestArticle: ArticleSummary | null }>>('GET', '/api/v1/official-accounts/following', undefined, {
      cursor,
    }),
  search: (q: string, cursor?: string) => api.request<Page<'accounts', OfficialAccount>>('GET', '/api/v1/official-accounts/search', undefined, { q, cursor }),
  mine: () => api.request<Page<'accounts', OfficialAccount>>('GET', '/api/v1/official-accounts/mine', undefined, { limit: 50 }),
  register: (body: { type: string; name: string; description: string; avatarMediaId?: string }) =>
    api.request<{ account: OfficialAccount }>('POST', '/api/v1/official-accounts', body),
  get: (id: string) => api.request<{ account: OfficialAccount }>('GET', base(id)),
  update: (id: string, body: { description?: string; avatarMediaId?: string | null; menu?: MenuButton[] }) =>
    api.request<{ account: OfficialAccount }>('PATCH', base(id), body),
  follow: (id: string, on: boolean) => api.request<void>(on ? 'PUT' : 'DELETE', `${base(id)}/follow`, on ? {} : undefined),
  articles: (id: string, cursor?: string) => api.request<Page<'articles', ArticleSummary>>('GET', `${base(id)}/articles`, undefined, { cursor }),
  publish: (id: string, body: { title: string; bodyHtml: string; previewHtml?: string; priceMinor?: string; coverMediaId?: string; summary?: string }) =>
    api.request<{ article: ArticleSummary }>('POST', `${base(id)}/articles`, body),
  article: (id: string) => api.request<{ article: Article }>('GET', article(id)),
  share: (id: string) => api.request<{ shareCount: number }>('POST', `${article(id)}/shares`, {}),
  unlock: (id: string, pin: string) => money<{ purchase: Purchase }>(`${article(id)}/unlock`, { pin }),
  tip: (id: string, amountMinor: string, pin: string) => money<{ tip: unknown }>(`${article(id)}/tips`, { amountMinor, pin }),
  refund: (id: string, accountId: string, pin: string) => money<{ purchase: Purchase }>(`${article(id)}/refunds`, { accountId, pin }),
  purchases: (id: string) => api.request<Page<'purchases', Purchase>>('GET', `${article(id)}/purchases`, undefined, { limit: 50 }),
  comments: (id: string) => api.request<Page<'comments', Comment>>('GET', `${article(id)}/comments`, undefined, { limit: 50 }),
  comment: (id: string, text: string) => api.request<{ comment: Comment }>('POST', `${article(id)}/comments`, { text }),
  thread: (id: string) => api.request<Page<'messages', OfficialMessage>>('GET', `${base(id)}/messages`, undefined, { limit: 50 }),
  send: (id: string, text: string) => api.request<{ message: OfficialMessage; replies: OfficialMessage[] }>('POST', `${base(id)}/messages`, { text }),
  press: (id: string, index: number) => api.request<{ url: string | null; replies: OfficialMessage[] }>('POST', `${base(id)}/menu-presses`, { index }),
  threads: (id: string) =>
    api.request<Page<'threads', { member: Account | null; lastMessage: OfficialMessage | null }>>('GET', `${base(id)}/threads`, undefined, { limit: 50 }),
  memberThread: (id: string, memberId: string) =>
    api.request<Page<'messages', OfficialMessage>>('GET', `${base(id)}/threads/${encodeURIComponent(memberId)}/messages`, undefined, { limit: 50 }),
  reply: (id: string, memberId: string, text: string) =>
    api.request<{ message: OfficialMessage }>('POST', `${base(id)}/threads/${encodeURIComponent(memberId)}/messages`, { text }),
  admins: (id: string) => api.request<{ admins: (Account & { owner: boolean })[] }>('GET', `${base(id)}/admins`),
  addAdmin: (id: string, handle: string) => api.request<{ admins: (Account & { owner: boolean })[] }>('POST', `${base(id)}/admins`, { handle }),
  removeAdmin: (id: string, accountId: string) => api.request<void>('DELETE', `${base(id)}/admins/${encodeURIComponent(accountId)}`),
  autoReplies: (id: string) => api.request<{ autoReplies: AutoReply[] }>('GET', `${base(id)}/auto-replies`),
  addAutoReply: (id: string, keyword: string | null, reply: string) =>
    api.request<{ autoReplies: AutoReply[] }>('POST', `${base(id)}/auto-replies`, { keyword, reply }),
  removeAutoReply: (id: string, replyId: string) => api.request<void>('DELETE', `${base(id)}/auto-replies/${encodeURIComponent(replyId)}`),
  stats: (id: string, days = 30) => api.request<{ stats: { followerCount: number; days: StatsDay[] } }>('GET', `${base(id)}/stats`, undefined, { days }),
  reviewQueue: (status: string) =>
    api.request<Page<'accounts', OfficialAccount>>('GET', '/api/v1/operator/official-accounts', undefined, { status, limit: 50 }),
  review: (id: string, decision: 'verify' | 'reject', note: string) =>
    api.request<{ account: OfficialAccount }>('POST', `/api/v1/operator/official-accounts/${encodeURIComponent(id)}/review`, { decision, note }),
};

export const officialKeys = {
  all: ['official'] as const,
  following: ['official', 'following'] as const,
  /** The Chats row reads one plain page; the folder pages with useInfiniteQuery under its own key. */
  folderRow: ['official', 'folder-row'] as const,
  account: (id: string) => ['official', 'account', id] as const,
  articles: (id: string) => ['official', 'articles', id] as const,
  article: (id: string) => ['official', 'article', id] as const,
  thread: (id: string) => ['official', 'thread', id] as const,
  mine: ['official', 'mine'] as const,
};
