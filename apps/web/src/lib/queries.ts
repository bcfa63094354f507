import type { Conversation, Message } from '@plaza/client';
import { useQuery } from '@tanstack/react-query';
import { api, useAuth } from './api';

export const keys = {
  me: ['me'] as const,
  conversations: ['conversations'] as const,
  conversation: (id: string) => ['conversation', id] as const,
  messages: (id: string) => ['messages', id] as const,
  contacts: ['contacts'] as const,
  friendRequests: ['friend-requests'] as const,
  sessions: ['sessions'] as const,
  account: (id: string) => ['account', id] as const,
  blocks: ['blocks'] as const,
};

/** A message as the UI holds it: server messages plus local ones still sending or failed. */
export type ChatMessage = Message & { localStatus?: 'sending' | 'failed' };

export function useMe() {
  const { token, account } = useAuth();
  return useQuery({
    queryKey: keys.me,
    queryFn: async () => (await api.me()).account,
    enabled: Boolean(token),
    placeholderData: account ?? undefined,
  });
}

export function useConversations() {
  return useQuery({
    queryKey: keys.conversations,
    queryFn: async () => (await api.listConversations()).conversations,
  });
}

export function useConversation(id: string) {
  return useQuery({
    queryKey: keys.conversation(id),
    queryFn: () => api.getConversation(id),
    enabled: Boolean(id),
  });
}

export function useContacts() {
  return useQuery({ queryKey: keys.contacts, queryFn: async () => (await api.listContacts()).contacts });
}

export function useFriendRequests() {
  return useQuery({ queryKey: keys.friendRequests, queryFn: async () => (await api.listFriendRequests()).requests });
}

export function useAccount(id: string) {
  return useQuery({ queryKey: keys.account(id), queryFn: async () => (await api.getAccount(id)).account, enabled: Boolean(id) });
}

export function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => {
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    const at = a.lastMessageAt ?? a.lastMessage?.createdAt ?? a.createdAt;
    const bt = b.lastMessageAt ?? b.lastMessage?.createdAt ?? b.createdAt;
    return bt.localeCompare(at);
  });
}

/** Merges messages by id (and clientMsgId for local echoes), ascending by seq, local ones last. */
export function mergeMessages(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byKey = new Map<string, ChatMessage>();
  const keyOf = (m: ChatMessage) => (m.clientMsgId ? `c:${m.clientMsgId}` : `i:${m.id}`);
  for (const m of existing) byKey.set(keyOf(m), m);
  for (const m of incoming) {
    const key = keyOf(m);
    const previous = byKey.get(key);
    // A server copy always wins over a local echo; a local echo never overwrites a server copy.
    if (previous && !previous.localStatus && m.localStatus) continue;
    byKey.set(key, m);
  }
  const seen = new Set<string>();
  const result: ChatMessage[] = [];
  for (const m of byKey.values()) {
    if (!m.localStatus) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
    }
    result.push(m);
  }
  return result.sort((a, b) => {
    if (Boolean(a.localStatus) !== Boolean(b.localStatus)) return a.localStatus ? 1 : -1;
    if (a.localStatus) return a.createdAt.localeCompare(b.createdAt);
    return a.seq - b.seq;
  });
}
