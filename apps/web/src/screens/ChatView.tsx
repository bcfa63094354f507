import type { Account, Id, Message } from '@plaza/client';
import { Button, Checkbox, Dialog, Popup, Toast } from 'antd-mobile';
import {
  AddCircleOutline,
  AudioOutline,
  CameraOutline,
  CloseOutline,
  EnvironmentOutline,
  FileOutline,
  MoreOutline,
  PictureOutline,
  SmileOutline,
  TextOutline,
  UserContactOutline,
} from 'antd-mobile-icons';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Avatar } from '../components/Avatar';
import { MessageRow } from '../components/MessageBubble';
import { Page } from '../components/Page';
import { api, errorText, newClientMsgId, queryClient, useMyId } from '../lib/api';
import { chatTimestamp, displayName, messagePreview } from '../lib/format';
import { type ChatMessage, keys, mergeMessages, sortConversations, useContacts, useConversation, useConversations } from '../lib/queries';
import { setOpenConversation } from '../lib/realtime';
import { sendOutgoing } from '../lib/send';
import { TID } from '../testids';
import { ConversationAvatar, useConversationTitle } from './ChatsList';
import { RedPacketSheet, TransferSheet } from './wallet/ChatMoney';

const PAGE_SIZE = 50;
const TIMESTAMP_GAP_MS = 5 * 60_000;
const RECALL_WINDOW_MS = 2 * 60_000;
const MAX_VOICE_MS = 60_000;
const EMOJI = '😀 😁 😂 🤣 😊 😍 😘 😎 🤔 😅 😭 😡 😴 🙄 😱 🥳 👍 👎 👏 🙏 💪 🤝 👌 ✌️ ❤️ 💔 🔥 🎉 🌹 ☕ 🍻 🎂 ⭐ ✅ ❌ 💯 🙈 🐶 🐱 🌞'.split(' ');

function useMessages(conversationId: string) {
  return useQuery({
    queryKey: keys.messages(conversationId),
    queryFn: async (): Promise<ChatMessage[]> => {
      // Without afterSeq the server returns the newest page.
      const { messages } = await api.listMessages(conversationId, { limit: PAGE_SIZE });
      const old = queryClient.getQueryData<ChatMessage[]>(keys.messages(conversationId)) ?? [];
      return mergeMessages(old, messages);
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

type Mention = { id: Id | 'all'; label: string };

export function ChatView() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const myId = useMyId();
  const { data: conversations } = useConversations();
  const summary = conversations?.find((c) => c.id === id);
  const { data: detail } = useConversation(id);
  const conversation = detail?.conversation ?? summary;
  const members = detail?.members ?? [];
  const { data: contacts } = useContacts();
  const { data: messages = [], isLoading } = useMessages(id);
  const titleOf = useConversationTitle();
  const isGroup = conversation?.kind === 'group';
  const scroller = useRef<HTMLDivElement>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [noOlder, setNoOlder] = useState(false);

  const [text, setText] = useState('');
  const [mentions, setMentions] = useState<Mention[]>([]);
  const [quote, setQuote] = useState<ChatMessage | null>(null);
  const [panel, setPanel] = useState<'none' | 'emoji' | 'plus'>('none');
  const [voiceMode, setVoiceMode] = useState(false);
  const [menuFor, setMenuFor] = useState<ChatMessage | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [forwardIds, setForwardIds] = useState<Id[] | null>(null);
  const [mentionPicker, setMentionPicker] = useState(false);
  const [cardPicker, setCardPicker] = useState(false);
  const [moneySheet, setMoneySheet] = useState<'none' | 'transfer' | 'red_packet'>('none');
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setOpenConversation(id);
    setSelecting(false);
    setSelected(new Set());
    setQuote(null);
    setNoOlder(false);
    return () => setOpenConversation(null);
  }, [id]);

  const memberById = useMemo(() => new Map(members.map((m) => [m.account.id, m])), [members]);
  const senderOf = (message: Message): Account | undefined =>
    memberById.get(message.senderId ?? '')?.account ??
    message.sender ??
    (conversation?.peer?.id === message.senderId ? (conversation?.peer ?? undefined) : undefined);
  const nameOf = (accountId: Id | null | undefined): string => {
    if (!accountId) return '';
    const member = memberById.get(accountId);
    const account = member?.account ?? (conversation?.peer?.id === accountId ? conversation.peer : undefined);
    return member?.remark || displayName(account, contacts) || '';
  };

  // Mark as read whenever the newest server message changes while the chat is open.
  const newestSeq = messages.reduce((max, m) => (m.localStatus ? max : Math.max(max, m.seq)), 0);
  useEffect(() => {
    if (!id || newestSeq === 0) return;
    queryClient.setQueryData(keys.conversations, (old: typeof conversations) =>
      old?.map((c) => (c.id === id ? { ...c, unreadCount: 0, mentionedMe: false } : c)),
    );
    void api.markRead(id, newestSeq).catch(() => undefined);
  }, [id, newestSeq]);

  // Keep the newest message in view when messages arrive (not when loading older ones).
  const lastKey = messages.at(-1)?.clientMsgId ?? messages.at(-1)?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: lastKey and panel are the triggers, not inputs
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastKey, panel]);

  const loadOlder = async () => {
    const first = messages.find((m) => !m.localStatus);
    if (!first) return;
    setLoadingOlder(true);
    const el = scroller.current;
    const previousHeight = el?.scrollHeight ?? 0;
    try {
      const { messages: older } = await api.listMessages(id, { beforeSeq: first.seq, limit: PAGE_SIZE });
      if (older.length < PAGE_SIZE) setNoOlder(true);
      queryClient.setQueryData<ChatMessage[]>(keys.messages(id), (old) => mergeMessages(old ?? [], older));
      requestAnimationFrame(() => {
        if (el) el.scrollTop = el.scrollHeight - previousHeight;
      });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    } finally {
      setLoadingOlder(false);
    }
  };

  const sendText = () => {
    const body = text.trim();
    if (!body) return;
    const active = mentions.filter((m) => text.includes(`@${m.label}`));
    const mentionValue = active.some((m) => m.id === 'all') ? ('all' as const) : active.map((m) => m.id as Id);
    sendOutgoing(id, {
      body: {
        type: 'text',
        text: body,
        ...(mentionValue === 'all' || mentionValue.length > 0 ? { mentions: mentionValue } : {}),
        ...(quote && !quote.localStatus ? { quote: { messageId: quote.id } } : {}),
      },
    });
    setText('');
    setMentions([]);
    setQuote(null);
  };

  const onTextChange = (value: string) => {
    if (isGroup && value.length > text.length && value.endsWith('@')) setMentionPicker(true);
    setText(value);
  };

  const pickMention = (mention: Mention) => {
    setMentionPicker(false);
    setMentions((old) => [...old, mention]);
    setText((old) => `${old.endsWith('@') ? old : `${old}@`}${mention.label} `);
    inputRef.current?.focus();
  };

  const sendFile = (kind: 'image' | 'file' | 'video', file: File) => {
    const realKind = kind === 'file' && file.type.startsWith('image/') ? 'image' : kind === 'file' && file.type.startsWith('video/') ? 'video' : kind;
    sendOutgoing(id, { upload: { kind: realKind, file, fileName: file.name } });
    setPanel('none');
  };

  const shareLocation = () => {
    setPanel('none');
    const manual = async () => {
      let lat = '';
      let lon = '';
      let name = '';
      const ok = await Dialog.confirm({
        title: t('Share location'),
        content: (
          <div className="dialog-fields">
            <input className="plaza-input" placeholder={t('Place name')} onChange={(e) => (name = e.target.value)} aria-label={t('Place name')} />
            <input
              className="plaza-input"
              placeholder={t('Latitude')}
              inputMode="decimal"
              onChange={(e) => (lat = e.target.value)}
              aria-label={t('Latitude')}
            />
            <input
              className="plaza-input"
              placeholder={t('Longitude')}
              inputMode="decimal"
              onChange={(e) => (lon = e.target.value)}
              aria-label={t('Longitude')}
            />
          </div>
        ),
        confirmText: t('Send'),
        cancelText: t('Cancel'),
      });
      const latitude = Number(lat);
      const longitude = Number(lon);
      if (!ok) return;
      if (!lat || !lon || !Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        Toast.show({ content: t('Enter a valid latitude and longitude') });
        return;
      }
      sendOutgoing(id, { body: { type: 'location', latitude, longitude, ...(name ? { name } : {}) } });
    };
    if (!navigator.geolocation) {
      void manual();
      return;
    }
    Toast.show({ icon: 'loading', content: t('Locating…'), duration: 0 });
    navigator.geolocation.getCurrentPosition(
      (position) => {
        Toast.clear();
        sendOutgoing(id, {
          body: { type: 'location', latitude: position.coords.latitude, longitude: position.coords.longitude, name: t('My location') },
        });
      },
      () => {
        Toast.clear();
        void manual();
      },
      { timeout: 10_000, maximumAge: 60_000 },
    );
  };

  const recall = async (message: ChatMessage) => {
    try {
      const { message: updated } = await api.recallMessage(id, message.id);
      queryClient.setQueryData<ChatMessage[]>(keys.messages(id), (old) => old?.map((m) => (m.id === message.id ? { ...m, ...updated, recalled: true } : m)));
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };

  const deleteForMe = async (ids: Id[]) => {
    try {
      await Promise.all(ids.map((messageId) => api.deleteMessage(id, messageId)));
      queryClient.setQueryData<ChatMessage[]>(keys.messages(id), (old) => old?.filter((m) => !ids.includes(m.id)));
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };

  const menuActions = (message: ChatMessage) => {
    const own = message.senderId === myId;
    const canRecall = own && !message.localStatus && Date.now() - new Date(message.createdAt).getTime() < RECALL_WINDOW_MS;
    const items: { key: string; label: string; testId: string; danger?: boolean; run: () => void }[] = [];
    if (message.type === 'text')
      items.push({
        key: 'copy',
        label: t('Copy'),
        testId: TID.MESSAGE_MENU_COPY,
        run: () => void navigator.clipboard?.writeText(message.content.text ?? message.text ?? '').then(() => Toast.show({ content: t('Copied') })),
      });
    if (!message.localStatus) {
      items.push({ key: 'forward', label: t('Forward'), testId: TID.MESSAGE_MENU_FORWARD, run: () => setForwardIds([message.id]) });
      items.push({
        key: 'quote',
        label: t('Quote'),
        testId: TID.MESSAGE_MENU_QUOTE,
        run: () => {
          setQuote(message);
          setVoiceMode(false);
          inputRef.current?.focus();
        },
      });
      items.push({
        key: 'multi',
        label: t('Multi-select'),
        testId: TID.MESSAGE_MENU_MULTI,
        run: () => {
          setSelecting(true);
          setSelected(new Set([message.id]));
        },
      });
    }
    if (canRecall) items.push({ key: 'recall', label: t('Recall'), testId: TID.MESSAGE_MENU_RECALL, run: () => void recall(message) });
    if (!message.localStatus)
      items.push({ key: 'delete', label: t('Delete'), testId: TID.MESSAGE_MENU_DELETE, danger: true, run: () => void deleteForMe([message.id]) });
    return items;
  };

  if (!conversation && !isLoading && conversations) {
    return (
      <Page title={t('Chat')}>
        <div className="empty-state">{t('This chat is not available.')}</div>
      </Page>
    );
  }

  const title = conversation ? titleOf(conversation) : '';
  const canMentionAll = conversation?.role === 'owner' || conversation?.role === 'admin';
  const visible = messages;

  return (
    <Page
      className="chat-page"
      title={isGroup ? `${title} (${conversation?.memberCount ?? members.length})` : title}
      right={
        <button
          type="button"
          className="icon-button"
          aria-label={t('Chat info')}
          data-testid={TID.CHAT_INFO_BUTTON}
          onClick={() => navigate(`/chats/${id}/info`)}
        >
          <MoreOutline fontSize={22} />
        </button>
      }
    >
      {conversation?.notice && isGroup ? <div className="group-notice-bar">📢 {conversation.notice}</div> : null}
      <div className="messages" ref={scroller} onClick={() => panel !== 'none' && setPanel('none')} onKeyDown={undefined} role="log" aria-live="polite">
        {visible.length >= PAGE_SIZE && !noOlder ? (
          <div className="load-older">
            <Button size="mini" fill="none" loading={loadingOlder} onClick={() => void loadOlder()}>
              {t('Load earlier messages')}
            </Button>
          </div>
        ) : null}
        {visible.map((message, index) => {
          const previous = visible[index - 1];
          const gap = !previous || new Date(message.createdAt).getTime() - new Date(previous.createdAt).getTime() > TIMESTAMP_GAP_MS;
          const stamp = gap ? <div className="time-line">{chatTimestamp(message.createdAt, t, i18n.language)}</div> : null;
          if (message.type === 'system') {
            return (
              <Fragment key={message.id}>
                {stamp}
                <div className="system-line" data-testid={TID.MESSAGE_BUBBLE} data-seq={message.seq} data-type="system">
                  {message.content.text ?? message.text}
                </div>
              </Fragment>
            );
          }
          if (message.recalled || message.type === 'recalled') {
            const who = message.senderId === myId ? t('You') : nameOf(message.senderId) || t('Someone');
            return (
              <Fragment key={message.id}>
                {stamp}
                <div className="system-line" data-testid={TID.MESSAGE_BUBBLE} data-seq={message.seq} data-type="recalled" data-message-id={message.id}>
                  {t('{{name}} recalled a message', { name: who })}
                </div>
              </Fragment>
            );
          }
          const own = message.senderId === myId;
          return (
            <Fragment key={message.localStatus ? `local-${message.clientMsgId}` : message.id}>
              {stamp}
              <MessageRow
                message={message}
                own={own}
                sender={senderOf(message)}
                senderName={nameOf(message.senderId) || senderOf(message)?.displayName || ''}
                showName={isGroup && !own}
                selecting={selecting}
                selected={selected.has(message.id)}
                onToggleSelect={() =>
                  setSelected((old) => {
                    const next = new Set(old);
                    if (next.has(message.id)) next.delete(message.id);
                    else next.add(message.id);
                    return next;
                  })
                }
                onMenu={setMenuFor}
              />
            </Fragment>
          );
        })}
        {!isLoading && visible.length === 0 ? <div className="empty-state small">{t('Say hello 👋')}</div> : null}
      </div>

      {selecting ? (
        <div className="multi-bar">
          <Button fill="none" onClick={() => setSelecting(false)}>
            {t('Cancel')}
          </Button>
          <span className="muted">{t('{{count}} selected', { count: selected.size })}</span>
          <Button color="primary" disabled={selected.size === 0} data-testid={TID.MULTI_FORWARD} onClick={() => setForwardIds([...selected])}>
            {t('Forward')}
          </Button>
          <Button
            color="danger"
            fill="outline"
            disabled={selected.size === 0}
            onClick={() => {
              void deleteForMe([...selected]);
              setSelecting(false);
            }}
          >
            {t('Delete')}
          </Button>
        </div>
      ) : (
        <div className="input-area">
          {quote ? (
            <div className="quote-bar">
              <span>
                {nameOf(quote.senderId)}: {messagePreview(quote, t)}
              </span>
              <button type="button" className="icon-button" aria-label={t('Remove quote')} onClick={() => setQuote(null)}>
                <CloseOutline />
              </button>
            </div>
          ) : null}
          <div className="input-bar">
            <button
              type="button"
              className="icon-button round"
              aria-label={voiceMode ? t('Keyboard') : t('Voice input')}
              data-testid={TID.CHAT_VOICE_TOGGLE}
              onClick={() => {
                setVoiceMode((v) => !v);
                setPanel('none');
              }}
            >
              {voiceMode ? <TextOutline fontSize={22} /> : <AudioOutline fontSize={22} />}
            </button>
            {voiceMode ? (
              <HoldToTalk onRecorded={(file, durationMs) => sendOutgoing(id, { upload: { kind: 'voice', file, fileName: 'voice.webm', durationMs } })} />
            ) : (
              <textarea
                ref={inputRef}
                className="chat-input"
                rows={1}
                value={text}
                data-testid={TID.CHAT_INPUT}
                aria-label={t('Message')}
                onChange={(e) => onTextChange(e.target.value)}
                onFocus={() => setPanel('none')}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                    e.preventDefault();
                    sendText();
                  }
                }}
              />
            )}
            <button
              type="button"
              className="icon-button round"
              aria-label={t('Emoji')}
              data-testid={TID.CHAT_EMOJI_BUTTON}
              onClick={() => setPanel((p) => (p === 'emoji' ? 'none' : 'emoji'))}
            >
              <SmileOutline fontSize={22} />
            </button>
            {text.trim() && !voiceMode ? (
              <Button size="small" color="primary" className="send-button" data-testid={TID.CHAT_SEND} onClick={sendText}>
                {t('Send')}
              </Button>
            ) : (
              <button
                type="button"
                className="icon-button round"
                aria-label={t('More input options')}
                data-testid={TID.CHAT_PLUS_BUTTON}
                onClick={() => setPanel((p) => (p === 'plus' ? 'none' : 'plus'))}
              >
                <AddCircleOutline fontSize={22} />
              </button>
            )}
          </div>
          {panel === 'emoji' ? (
            <div className="emoji-panel" role="listbox" aria-label={t('Emoji')}>
              {EMOJI.map((emoji) => (
                <button key={emoji} type="button" role="option" aria-selected={false} aria-label={emoji} onClick={() => setText((v) => v + emoji)}>
                  {emoji}
                </button>
              ))}
            </div>
          ) : null}
          {/* The file inputs stay mounted so tests and the plus panel can use them at any time. */}
          <div className={`plus-panel ${panel === 'plus' ? '' : 'hidden'}`}>
            <label className="plus-item">
              <span className="plus-icon">
                <PictureOutline />
              </span>
              {t('Photos')}
              <input
                type="file"
                accept="image/*"
                multiple
                hidden
                data-testid={TID.ATTACH_IMAGE_INPUT}
                onChange={(e) => {
                  for (const file of Array.from(e.target.files ?? [])) sendFile('image', file);
                  e.target.value = '';
                }}
              />
            </label>
            <label className="plus-item">
              <span className="plus-icon">
                <CameraOutline />
              </span>
              {t('Camera')}
              <input
                type="file"
                accept="image/*"
                capture="environment"
                hidden
                data-testid={TID.ATTACH_CAMERA_INPUT}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) sendFile('image', file);
                  e.target.value = '';
                }}
              />
            </label>
            <button type="button" className="plus-item" data-testid={TID.ATTACH_LOCATION} onClick={shareLocation}>
              <span className="plus-icon">
                <EnvironmentOutline />
              </span>
              {t('Location')}
            </button>
            <button
              type="button"
              className="plus-item"
              data-testid={TID.ATTACH_CONTACT_CARD}
              onClick={() => {
                setCardPicker(true);
                setPanel('none');
              }}
            >
              <span className="plus-icon">
                <UserContactOutline />
              </span>
              {t('Contact Card')}
            </button>
            <button
              type="button"
              className="plus-item"
              data-testid="attach-red-packet"
              onClick={() => {
                setMoneySheet('red_packet');
                setPanel('none');
              }}
            >
              <span className="plus-icon">🧧</span>
              {t('Red Packet')}
            </button>
            {isGroup ? null : (
              <button
                type="button"
                className="plus-item"
                data-testid="attach-transfer"
                onClick={() => {
                  setMoneySheet('transfer');
                  setPanel('none');
                }}
              >
                <span className="plus-icon">¥</span>
                {t('Transfer', { context: 'money' })}
              </button>
            )}
            <label className="plus-item">
              <span className="plus-icon">
                <FileOutline />
              </span>
              {t('File')}
              <input
                type="file"
                hidden
                data-testid={TID.ATTACH_FILE_INPUT}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) sendFile('file', file);
                  e.target.value = '';
                }}
              />
            </label>
          </div>
        </div>
      )}

      <Popup visible={menuFor !== null} onMaskClick={() => setMenuFor(null)} onClose={() => setMenuFor(null)} bodyClassName="sheet">
        <div className="message-menu" role="menu">
          {menuFor
            ? menuActions(menuFor).map((item) => (
                <button
                  key={item.key}
                  type="button"
                  role="menuitem"
                  className={`sheet-item ${item.danger ? 'danger' : ''}`}
                  data-testid={item.testId}
                  onClick={() => {
                    setMenuFor(null);
                    item.run();
                  }}
                >
                  {item.label}
                </button>
              ))
            : null}
          <button type="button" className="sheet-item cancel" onClick={() => setMenuFor(null)}>
            {t('Cancel')}
          </button>
        </div>
      </Popup>

      <Popup visible={mentionPicker} onMaskClick={() => setMentionPicker(false)} bodyClassName="sheet tall">
        <div className="sheet-title">{t('Choose who to mention')}</div>
        <div className="picker-list">
          {canMentionAll ? (
            <button
              type="button"
              className="picker-row"
              data-testid={TID.MENTION_OPTION}
              data-account-id="all"
              onClick={() => pickMention({ id: 'all', label: t('All') })}
            >
              <Avatar name="@" size={36} />
              <span>{t('@All')}</span>
            </button>
          ) : null}
          {members
            .filter((m) => m.account.id !== myId)
            .map((m) => (
              <button
                key={m.account.id}
                type="button"
                className="picker-row"
                data-testid={TID.MENTION_OPTION}
                data-account-id={m.account.id}
                onClick={() => pickMention({ id: m.account.id, label: m.remark || m.account.displayName })}
              >
                <Avatar account={m.account} size={36} />
                <span>{m.remark || m.account.displayName}</span>
              </button>
            ))}
        </div>
      </Popup>

      <TransferSheet visible={moneySheet === 'transfer'} peerId={conversation?.peer?.id ?? null} onClose={() => setMoneySheet('none')} />
      {moneySheet === 'red_packet' ? (
        <RedPacketSheet
          visible
          conversationId={id}
          isGroup={isGroup}
          members={members.filter((m) => m.account.id !== myId).map((m) => ({ id: m.account.id, displayName: m.remark || m.account.displayName }))}
          onClose={() => setMoneySheet('none')}
        />
      ) : null}
      <ContactCardPicker
        visible={cardPicker}
        onClose={() => setCardPicker(false)}
        onPick={(accountId) => {
          setCardPicker(false);
          sendOutgoing(id, { body: { type: 'contact_card', accountId } });
        }}
      />
      <ForwardPicker
        messageIds={forwardIds}
        fromConversationId={id}
        onDone={() => {
          setForwardIds(null);
          setSelecting(false);
          setSelected(new Set());
        }}
      />
    </Page>
  );
}

function ContactCardPicker({ visible, onClose, onPick }: { visible: boolean; onClose: () => void; onPick: (accountId: Id) => void }) {
  const { t } = useTranslation();
  const { data: contacts = [] } = useContacts();
  return (
    <Popup visible={visible} onMaskClick={onClose} bodyClassName="sheet tall">
      <div className="sheet-title">{t('Send a contact card')}</div>
      <div className="picker-list">
        {contacts.map((c) => (
          <button key={c.account.id} type="button" className="picker-row" onClick={() => onPick(c.account.id)}>
            <Avatar account={c.account} size={36} />
            <span>{displayName(c.account, contacts)}</span>
          </button>
        ))}
        {contacts.length === 0 ? <div className="empty-state small">{t('No contacts yet')}</div> : null}
      </div>
    </Popup>
  );
}

function ForwardPicker({ messageIds, fromConversationId, onDone }: { messageIds: Id[] | null; fromConversationId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { data: conversations = [] } = useConversations();
  const titleOf = useConversationTitle();
  const [targets, setTargets] = useState<string[]>([]);
  const [mode, setMode] = useState<'separate' | 'combined'>('separate');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (messageIds) setTargets([]);
  }, [messageIds]);
  const submit = async () => {
    if (!messageIds || targets.length === 0) return;
    setBusy(true);
    try {
      await api.forwardMessages({
        fromConversationId,
        messageIds,
        toConversationIds: targets,
        mode: messageIds.length > 1 ? mode : 'separate',
        clientMsgId: newClientMsgId(),
      });
      Toast.show({ icon: 'success', content: t('Forwarded') });
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      for (const target of targets) void queryClient.invalidateQueries({ queryKey: keys.messages(target) });
      onDone();
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible={messageIds !== null} onMaskClick={onDone} bodyClassName="sheet tall">
      <div className="sheet-title">{t('Forward to')}</div>
      {messageIds && messageIds.length > 1 ? (
        <div className="forward-mode">
          <Button size="small" color={mode === 'separate' ? 'primary' : 'default'} onClick={() => setMode('separate')}>
            {t('One by one')}
          </Button>
          <Button size="small" color={mode === 'combined' ? 'primary' : 'default'} onClick={() => setMode('combined')}>
            {t('Combined')}
          </Button>
        </div>
      ) : null}
      <div className="picker-list">
        <Checkbox.Group value={targets} onChange={(v) => setTargets(v.map(String))}>
          {sortConversations(conversations).map((c) => (
            <Checkbox key={c.id} value={c.id} className="picker-row check-item" data-testid={TID.FORWARD_TARGET} data-conversation-id={c.id}>
              <span className="check-row">
                <ConversationAvatar conversation={c} size={36} />
                <span>{titleOf(c)}</span>
              </span>
            </Checkbox>
          ))}
        </Checkbox.Group>
      </div>
      <div className="sheet-actions">
        <Button onClick={onDone}>{t('Cancel')}</Button>
        <Button color="primary" loading={busy} disabled={targets.length === 0} onClick={() => void submit()} data-testid={TID.FORWARD_CONFIRM}>
          {t('Send ({{count}})', { count: targets.length })}
        </Button>
      </div>
    </Popup>
  );
}

/** Hold to talk: press to record (up to 60 s), release to send, slide up to cancel. */
function HoldToTalk({ onRecorded }: { onRecorded: (file: File, durationMs: number) => void }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'recording' | 'cancel'>('idle');
  const recorder = useRef<MediaRecorder | null>(null);
  const startY = useRef(0);
  const startedAt = useRef(0);
  const cancelled = useRef(false);
  const limitTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stop = () => {
    clearTimeout(limitTimer.current);
    if (recorder.current && recorder.current.state !== 'inactive') recorder.current.stop();
    setState('idle');
  };

  const start = async (y: number) => {
    startY.current = y;
    cancelled.current = false;
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      Toast.show({ content: t('Voice recording is not supported in this browser') });
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks: Blob[] = [];
      const rec = new MediaRecorder(stream);
      rec.ondataavailable = (e) => chunks.push(e.data);
      rec.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        const durationMs = Math.min(MAX_VOICE_MS, Date.now() - startedAt.current);
        if (cancelled.current || durationMs < 800) {
          if (!cancelled.current) Toast.show({ content: t('Too short') });
          return;
        }
        const type = rec.mimeType || 'audio/webm';
        onRecorded(new File(chunks, `voice.${type.includes('ogg') ? 'ogg' : type.includes('mp4') ? 'm4a' : 'webm'}`, { type }), durationMs);
      };
      recorder.current = rec;
      startedAt.current = Date.now();
      rec.start();
      setState('recording');
      limitTimer.current = setTimeout(stop, MAX_VOICE_MS);
    } catch {
      Toast.show({ content: t('Microphone permission is needed to record') });
    }
  };

  return (
    <>
      <button
        type="button"
        className={`hold-to-talk ${state !== 'idle' ? 'active' : ''}`}
        data-testid={TID.CHAT_HOLD_TO_TALK}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          void start(e.clientY);
        }}
        onPointerMove={(e) => {
          if (state === 'idle') return;
          const cancel = startY.current - e.clientY > 60;
          cancelled.current = cancel;
          setState(cancel ? 'cancel' : 'recording');
        }}
        onPointerUp={stop}
        onPointerCancel={() => {
          cancelled.current = true;
          stop();
        }}
        onContextMenu={(e) => e.preventDefault()}
      >
        {state === 'idle' ? t('Hold to talk') : t('Release to send')}
      </button>
      {state !== 'idle' ? (
        <div className={`recording-overlay ${state === 'cancel' ? 'cancel' : ''}`} role="status">
          <AudioOutline fontSize={48} />
          <p>{state === 'cancel' ? t('Release to cancel') : t('Slide up to cancel')}</p>
        </div>
      ) : null}
    </>
  );
}
