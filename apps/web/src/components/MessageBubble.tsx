import type { Account, Message } from '@plaza/client';
import { Dialog, ImageViewer, SpinLoading } from 'antd-mobile';
import { DownlandOutline, EnvironmentOutline, ExclamationCircleFill, FileOutline, SoundOutline } from 'antd-mobile-icons';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { formatBytes } from '../lib/format';
import { downloadMedia, useMediaUrl } from '../lib/media';
import type { ChatMessage } from '../lib/queries';
import { retrySend } from '../lib/send';
import { TID } from '../testids';
import { Avatar } from './Avatar';
import { RedPacketCard, TransferCard } from '../screens/wallet/ChatMoney';
import { ChannelPostCardMessage } from '../screens/channels/ChannelCard';

function ImageContent({ message }: { message: Message }) {
  const media = message.content.media;
  const thumb = useMediaUrl(media?.thumbUrl || media?.url);
  const full = useMediaUrl(media?.url);
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const w = media?.width ?? 0;
  const h = media?.height ?? 0;
  const ratio = w > 0 && h > 0 ? h / w : 0.75;
  const width = Math.min(200, ratio > 1 ? 200 / ratio : 200);
  return (
    <>
      <button
        type="button"
        className="image-message"
        aria-label={t('Open photo')}
        onClick={() => setOpen(true)}
        style={{ width, height: Math.max(60, width * ratio) }}
      >
        {thumb ? <img src={thumb} alt={t('Photo')} /> : <span className="image-placeholder" />}
      </button>
      <ImageViewer image={full ?? thumb ?? ''} visible={open} onClose={() => setOpen(false)} />
    </>
  );
}

function VoiceContent({ message, own }: { message: Message; own: boolean }) {
  const media = message.content.media;
  const src = useMediaUrl(media?.url);
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const { t } = useTranslation();
  const seconds = Math.max(1, Math.round((media?.durationMs ?? 0) / 1000));
  const toggle = () => {
    const element = audio.current;
    if (!element) return;
    if (playing) {
      element.pause();
      element.currentTime = 0;
    } else void element.play();
  };
  return (
    <button
      type="button"
      className={`voice-message ${playing ? 'playing' : ''} ${own ? 'own' : ''}`}
      style={{ width: Math.min(220, 70 + seconds * 4) }}
      onClick={toggle}
      aria-label={t('Play voice message, {{seconds}} seconds', { seconds })}
    >
      <SoundOutline className="voice-icon" />
      <span>{seconds}″</span>
      {/* biome-ignore lint/a11y/useMediaCaption: voice notes have no captions */}
      <audio ref={audio} src={src} onPlay={() => setPlaying(true)} onEnded={() => setPlaying(false)} onPause={() => setPlaying(false)} />
    </button>
  );
}

function FileContent({ message }: { message: Message }) {
  const media = message.content.media;
  const { t } = useTranslation();
  const name = media?.fileName ?? t('File');
  return (
    <button
      type="button"
      className="file-message"
      onClick={() => media?.url && void downloadMedia(media.url, name)}
      aria-label={t('Download {{name}}', { name })}
    >
      <span className="file-text">
        <strong>{name}</strong>
        <span className="muted">{formatBytes(media?.sizeBytes ?? 0)}</span>
      </span>
      <span className="file-icon">
        <FileOutline fontSize={28} />
        <DownlandOutline fontSize={12} />
      </span>
    </button>
  );
}

function LocationContent({ message }: { message: Message }) {
  const { latitude = 0, longitude = 0, name, address } = message.content;
  const { t } = useTranslation();
  const url = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
  return (
    <a className="location-message" href={url} target="_blank" rel="noreferrer">
      <strong>{name || t('Shared location')}</strong>
      {address ? <span className="muted">{address}</span> : null}
      <span className="location-map">
        <EnvironmentOutline fontSize={28} />
        <span>
          {latitude.toFixed(5)}, {longitude.toFixed(5)}
        </span>
      </span>
    </a>
  );
}

function ContactCardContent({ message }: { message: Message }) {
  const account = message.content.account;
  const navigate = useNavigate();
  const { t } = useTranslation();
  if (!account) return null;
  return (
    <button type="button" className="card-message" onClick={() => navigate(`/profile/${account.id}`)}>
      <span className="card-body">
        <Avatar account={account} size={40} />
        <span>
          <strong>{account.displayName}</strong>
          <span className="muted">{account.handle}</span>
        </span>
      </span>
      <span className="card-foot">{t('Contact Card')}</span>
    </button>
  );
}

function ChatHistoryContent({ message }: { message: Message }) {
  const { t } = useTranslation();
  const { title, items = [] } = message.content;
  const show = () =>
    Dialog.alert({
      title: title ?? t('Chat History'),
      content: (
        <div className="history-dialog">
          {items.map((item, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: history items have no ids and never reorder
            <div key={index} className="history-item">
              <strong>{item.senderName}</strong>
              <span className="muted"> {new Date(item.createdAt).toLocaleString()}</span>
              <div>{item.preview}</div>
            </div>
          ))}
        </div>
      ),
      confirmText: t('Close'),
    });
  return (
    <button type="button" className="card-message" onClick={show}>
      <span className="history-body">
        <strong>{title ?? t('Chat History')}</strong>
        {items.slice(0, 4).map((item, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: preview lines have no ids
          <span key={index} className="muted history-line">
            {item.senderName}: {item.preview}
          </span>
        ))}
      </span>
      <span className="card-foot">{t('Chat History')}</span>
    </button>
  );
}

function TextContent({ message }: { message: Message }) {
  const quote = message.content.quote;
  return (
    <>
      <span className="text-message">{message.content.text ?? message.text}</span>
      {quote ? (
        <span className="quote-under">
          {quote.senderName}: {quote.preview}
        </span>
      ) : null}
    </>
  );
}

export function MessageBody({ message, own }: { message: Message; own: boolean }) {
  // Wallet cards are module message types the shared client type does not list.
  if ((message.type as string) === 'transfer') return <TransferCard message={message} />;
  if ((message.type as string) === 'red_packet') return <RedPacketCard message={message} />;
  if ((message.type as string) === 'channel_post') return <ChannelPostCardMessage message={message} />;
  switch (message.type) {
    case 'image':
      return <ImageContent message={message} />;
    case 'voice':
      return <VoiceContent message={message} own={own} />;
    case 'video':
    case 'file':
      return <FileContent message={message} />;
    case 'location':
      return <LocationContent message={message} />;
    case 'contact_card':
      return <ContactCardContent message={message} />;
    case 'chat_history':
      return <ChatHistoryContent message={message} />;
    default:
      return <TextContent message={message} />;
  }
}

const BARE_TYPES = new Set(['image', 'file', 'video', 'location', 'contact_card', 'chat_history', 'transfer', 'red_packet', 'channel_post']);

export function MessageRow({
  message,
  own,
  sender,
  senderName,
  showName,
  selecting,
  selected,
  onToggleSelect,
  onMenu,
}: {
  message: ChatMessage;
  own: boolean;
  sender: Account | undefined;
  senderName: string;
  showName: boolean;
  selecting: boolean;
  selected: boolean;
  onToggleSelect: () => void;
  onMenu: (message: ChatMessage) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const pressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const startPress = () => {
    pressTimer.current = setTimeout(() => onMenu(message), 500);
  };
  const endPress = () => clearTimeout(pressTimer.current);
  const bubbleClass = BARE_TYPES.has(message.type) ? 'bubble bare' : 'bubble';
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the row selects itself in multi-select mode
    <div className={`message-row ${own ? 'own' : ''} ${selecting ? 'selecting' : ''}`} onClick={selecting ? onToggleSelect : undefined} onKeyDown={undefined}>
      {selecting ? <input type="checkbox" className="select-box" checked={selected} onChange={onToggleSelect} aria-label={t('Select message')} /> : null}
      <button type="button" className="avatar-button" aria-label={senderName} onClick={() => sender && !selecting && navigate(`/profile/${sender.id}`)}>
        <Avatar account={sender} name={senderName} size={40} />
      </button>
      <div className="message-column">
        {showName ? <div className="sender-name">{senderName}</div> : null}
        <div className="bubble-line">
          {own && message.localStatus === 'sending' ? <SpinLoading style={{ '--size': '16px' }} aria-label={t('Sending')} /> : null}
          {own && message.localStatus === 'failed' ? (
            <button
              type="button"
              className="retry-button"
              aria-label={t('Failed to send. Tap to retry')}
              data-testid={TID.MESSAGE_RETRY}
              onClick={() => message.clientMsgId && retrySend(message.clientMsgId)}
            >
              <ExclamationCircleFill fontSize={20} />
            </button>
          ) : null}
          {/* biome-ignore lint/a11y/useSemanticElements: the bubble holds buttons (photo, voice, card), which a <button> may not contain */}
          <div
            className={bubbleClass}
            role="button"
            aria-haspopup="menu"
            data-testid={TID.MESSAGE_BUBBLE}
            data-seq={message.localStatus ? undefined : message.seq}
            data-message-id={message.id}
            data-status={message.localStatus ?? 'sent'}
            data-type={message.type}
            tabIndex={0}
            onContextMenu={(e) => {
              e.preventDefault();
              if (!selecting) onMenu(message);
            }}
            onKeyDown={(e) => {
              if ((e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) && !selecting) {
                e.preventDefault();
                onMenu(message);
              }
            }}
            onTouchStart={startPress}
            onTouchEnd={endPress}
            onTouchMove={endPress}
          >
            <MessageBody message={message} own={own} />
          </div>
        </div>
      </div>
    </div>
  );
}
