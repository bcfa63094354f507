import type { Message } from '@plaza/client';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useMediaUrl } from '../../lib/media';
import { TID } from '../../testids';
import './channels.css';

interface ChannelCardContent {
  channelPostId?: string;
  channelName?: string;
  caption?: string;
  kind?: 'photos' | 'video';
  coverUrl?: string | null;
  path?: string;
}

/** A channel post shared into a chat: the channel, the caption and the cover; opens the post. */
export function ChannelPostCardMessage({ message }: { message: Message }) {
  const content = message.content as ChannelCardContent;
  const { t } = useTranslation();
  const navigate = useNavigate();
  const cover = useMediaUrl(content.coverUrl ?? null);
  return (
    <button
      type="button"
      className="channel-card"
      data-testid={TID.CHANNEL_CARD_MESSAGE}
      onClick={() => content.channelPostId && navigate(`/discover/channels/posts/${content.channelPostId}`)}
    >
      {cover ? <img src={cover} alt="" /> : null}
      <strong>{content.channelName}</strong>
      {content.caption ? <span>{content.caption}</span> : null}
      <span className="muted channel-card-source">{content.kind === 'video' ? t('Channels video') : t('Channels')}</span>
    </button>
  );
}
