import type { Conversation } from '@plaza/client';
import { Badge, Popup, SearchBar, Toast } from 'antd-mobile';
import { BellMuteOutline } from 'antd-mobile-icons';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { Avatar, GroupAvatar } from '../components/Avatar';
import { TopBar, useUnreadTotal } from '../components/Shell';
import { api, errorText, queryClient, useMyId } from '../lib/api';
import { displayName, messagePreview, relativeTime } from '../lib/format';
import { keys, sortConversations, useContacts, useConversation, useConversations } from '../lib/queries';
import { TID } from '../testids';
import { OfficialFolderRow } from './official/OfficialPages';

export function useConversationTitle() {
  const { data: contacts } = useContacts();
  const { t } = useTranslation();
  return (c: Conversation) =>
    c.kind === 'direct' ? displayName(c.peer, contacts) || t('Chat') : c.title || t('Group chat ({{count}})', { count: c.memberCount });
}

function GroupConversationAvatar({ conversation, size }: { conversation: Conversation; size: number }) {
  // The list does not carry members; the detail query is cached and shared with the chat view.
  const { data } = useConversation(conversation.id);
  const members = conversation.memberPreview ?? data?.members.map((m) => m.account) ?? [];
  return <GroupAvatar members={members} title={conversation.title ?? ''} size={size} />;
}

export function ConversationAvatar({ conversation, size = 48 }: { conversation: Conversation; size?: number }) {
  if (conversation.kind === 'direct') return <Avatar account={conversation.peer} size={size} />;
  return <GroupConversationAvatar conversation={conversation} size={size} />;
}

function ConversationRow({ conversation, active, onMenu }: { conversation: Conversation; active: boolean; onMenu: (conversation: Conversation) => void }) {
  const pressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const myId = useMyId();
  const titleOf = useConversationTitle();
  const last = conversation.lastMessage;
  let preview = last ? messagePreview(last, t) : '';
  if (last && (last.recalled || last.type === 'recalled')) {
    const who = last.senderId === myId ? t('You') : (last.senderName ?? last.sender?.displayName ?? t('Someone'));
    preview = t('{{name}} recalled a message', { name: who });
  }
  if (last && conversation.kind === 'group' && last.senderId && last.type !== 'system' && last.type !== 'recalled' && !last.recalled) {
    const name = last.senderId === myId ? t('Me') : (last.senderName ?? last.sender?.displayName ?? '');
    if (name) preview = `${name}: ${preview}`;
  }
  const badge = conversation.unreadCount > 0 ? (conversation.muted ? Badge.dot : conversation.unreadCount > 99 ? '99+' : conversation.unreadCount) : undefined;
  return (
    <button
      type="button"
      className={`conversation-row ${conversation.pinned ? 'pinned' : ''} ${active ? 'active' : ''}`}
      data-testid={TID.CONVERSATION_ROW}
      data-conversation-id={conversation.id}
      onClick={() => navigate(`/chats/${conversation.id}`)}
      onContextMenu={(e) => {
        e.preventDefault();
        onMenu(conversation);
      }}
      onTouchStart={() => {
        pressTimer.current = setTimeout(() => onMenu(conversation), 550);
      }}
      onTouchEnd={() => clearTimeout(pressTimer.current)}
      onTouchMove={() => clearTimeout(pressTimer.current)}
    >
      <Badge content={badge} style={{ '--right': '2px', '--top': '2px' }}>
        <ConversationAvatar conversation={conversation} />
      </Badge>
      <span className="conversation-main">
        <span className="conversation-top">
          <span className="conversation-title">{titleOf(conversation)}</span>
          <span className="conversation-time">{relativeTime(conversation.lastMessageAt ?? last?.createdAt, t, i18n.language)}</span>
        </span>
        <span className="conversation-bottom">
          <span className="conversation-preview">
            {conversation.mentionedMe && conversation.unreadCount > 0 ? <span className="mention-flag">{t('[You were mentioned]')} </span> : null}
            {conversation.muted && conversation.unreadCount > 1 ? `[${conversation.unreadCount}] ` : ''}
            {preview}
          </span>
          {conversation.muted ? <BellMuteOutline className="muted-icon" aria-label={t('Muted')} /> : null}
        </span>
      </span>
    </button>
  );
}

export function ChatsList() {
  const { t } = useTranslation();
  const { data, isLoading } = useConversations();
  const [query, setQuery] = useState('');
  const unread = useUnreadTotal();
  const titleOf = useConversationTitle();
  const [menuFor, setMenuFor] = useState<Conversation | null>(null);
  const activeId = useLocation().pathname.match(/^\/chats\/(\d+)/)?.[1];
  const list = useMemo(() => {
    const sorted = sortConversations(data ?? []);
    const q = query.trim().toLowerCase();
    if (!q) return sorted;
    return sorted.filter((c) => titleOf(c).toLowerCase().includes(q) || (c.lastMessage && messagePreview(c.lastMessage, t).toLowerCase().includes(q)));
  }, [data, query, titleOf, t]);
  return (
    <>
      <TopBar title={unread > 0 ? `${t('Chats')} (${unread})` : t('Chats')} />
      <div className="search-wrap">
        <SearchBar placeholder={t('Search')} value={query} onChange={setQuery} data-testid={TID.CHAT_SEARCH} aria-label={t('Search chats')} />
      </div>
      {query ? null : <OfficialFolderRow />}
      {list.map((c) => (
        <ConversationRow key={c.id} conversation={c} active={c.id === activeId} onMenu={setMenuFor} />
      ))}
      {!isLoading && list.length === 0 ? (
        <div className="empty-state" data-testid={TID.CHATS_EMPTY}>
          {query ? t('No chats match your search.') : t('No chats yet: add a friend by ID or scan their code.')}
        </div>
      ) : null}
      <ConversationMenu conversation={menuFor} onClose={() => setMenuFor(null)} />
    </>
  );
}

/** Long-press (right-click) on a chat row: pin, mute, mark as read. */
function ConversationMenu({ conversation, onClose }: { conversation: Conversation | null; onClose: () => void }) {
  const { t } = useTranslation();
  const update = async (action: () => Promise<unknown>) => {
    onClose();
    try {
      await action();
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
    void queryClient.invalidateQueries({ queryKey: keys.conversations });
  };
  const c = conversation;
  return (
    <Popup visible={c !== null} onMaskClick={onClose} bodyClassName="sheet">
      {c ? (
        <>
          <button type="button" className="sheet-item" onClick={() => void update(() => api.updateConversationSettings(c.id, { pinned: !c.pinned }))}>
            {c.pinned ? t('Unpin') : t('Pin to top')}
          </button>
          <button type="button" className="sheet-item" onClick={() => void update(() => api.updateConversationSettings(c.id, { muted: !c.muted }))}>
            {c.muted ? t('Unmute') : t('Mute notifications')}
          </button>
          {c.unreadCount > 0 ? (
            <button type="button" className="sheet-item" onClick={() => void update(() => api.markRead(c.id, c.lastSeq))}>
              {t('Mark as read')}
            </button>
          ) : null}
        </>
      ) : null}
      <button type="button" className="sheet-item cancel" onClick={onClose}>
        {t('Cancel')}
      </button>
    </Popup>
  );
}
