import type { Media } from '@plaza/client';
import { ActionSheet, Button, Dialog, ImageUploader, type ImageUploadItem, Input, Popup, Radio, Tabs, TextArea, Toast } from 'antd-mobile';
import { AddOutline, CheckShieldFill, HeartFill, HeartOutline, SendOutline, UserOutline } from 'antd-mobile-icons';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { Page } from '../../components/Page';
import { api, errorText, newClientMsgId, useMyId } from '../../lib/api';
import { relativeTime } from '../../lib/format';
import { pickVideoWithPoster, useMediaUrl, useStreamUrl } from '../../lib/media';
import { sortConversations, useConversations } from '../../lib/queries';
import { TID } from '../../testids';
import { useConversationTitle } from '../ChatsList';
import { type ChannelPost, type ChannelSummary, channelsApi, type FeedKind, type FeedPage, refreshChannels } from './api';
import { ExperimentPanel } from './ExperimentPanel';
import '../moments/moments.css';
import './channels.css';

const refresh = refreshChannels;

/** Views already reported this page load: an A/B impression counts once per member anyway. */
const reportedViews = new Set<string>();

function reportView(post: ChannelPost, completed: boolean) {
  if (!post.experiment || post.ownedByMe) return;
  const key = `${post.id}:${completed}`;
  if (reportedViews.has(key)) return;
  reportedViews.add(key);
  void channelsApi.view(post.id, completed).catch(() => reportedViews.delete(key));
}

function MediaView({ media, video, cover, onEnded }: { media: Media; video: boolean; cover: Media | null; onEnded?: () => void }) {
  const picture = useMediaUrl(video ? null : (media.thumbUrl ?? media.url));
  const stream = useStreamUrl(video ? media.id : null);
  const src = video ? stream : picture;
  const poster = useMediaUrl(video ? (cover?.thumbUrl ?? cover?.url ?? media.thumbUrl) : null);
  if (!src) return <span className="moment-photo-placeholder" />;
  return video ? (
    <video className="moment-video" src={src} poster={poster} controls preload="metadata" data-testid={TID.CHANNEL_VIDEO} onEnded={onEnded}>
      <track kind="captions" />
    </video>
  ) : (
    <img src={src} alt="" />
  );
}

export function VerifiedBadge({ channel }: { channel: ChannelSummary | null | undefined }) {
  const { t } = useTranslation();
  if (!channel?.verified) return null;
  return (
    <span className="channel-verified" title={t('Verified creator')} data-testid={TID.CHANNEL_VERIFIED_BADGE}>
      <CheckShieldFill aria-hidden /> <span className="visually-hidden">{t('Verified creator')}</span>
    </span>
  );
}

function ChannelPostCard({ post, detail = false }: { post: ChannelPost; detail?: boolean }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [sharing, setSharing] = useState(false);
  useEffect(() => {
    reportView(post, detail && post.kind === 'photos');
  }, [post, detail]);
  const like = useMutation({ mutationFn: () => channelsApi.like(post.id, !post.likedByMe), onSuccess: refresh, onError: (e) => Toast.show(errorText(e)) });
  const follow = useMutation({
    mutationFn: () => channelsApi.follow(post.channel?.id ?? ''),
    onSuccess: () => {
      Toast.show(t('Following'));
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const shown = post.kind === 'photos' && post.cover ? [post.cover, ...post.media.slice(1)] : post.media;
  return (
    <article className="moment" data-testid={TID.CHANNEL_POST} data-post-id={post.id}>
      <div className="moment-main">
        <div className="moment-meta">
          <Link className="moment-author" to={`/discover/channels/c/${post.channel?.id ?? ''}`} data-testid={TID.CHANNEL_OPEN}>
            {post.channel?.name}
          </Link>
          <VerifiedBadge channel={post.channel} />
          {post.ownedByMe ? null : (
            <button type="button" className="link-button" onClick={() => follow.mutate()}>
              {t('Follow')}
            </button>
          )}
        </div>
        {post.why ? <div className="muted channel-why">{post.why}</div> : null}
        {post.caption ? (
          <div className="moment-text" data-testid={TID.CHANNEL_POST_CAPTION}>
            {post.caption}
          </div>
        ) : null}
        <div className={shown.length === 1 ? 'moment-photos one' : 'moment-photos grid'}>
          {shown.map((m) => (
            <span key={m.id} className="moment-photo">
              <MediaView media={m} video={post.kind === 'video'} cover={post.cover} onEnded={() => reportView(post, true)} />
            </span>
          ))}
        </div>
        {post.link?.url.startsWith('/') ? (
          <Link className="moment-link" to={post.link.url}>
            <strong>{post.link.title || post.link.url}</strong>
          </Link>
        ) : post.link ? (
          <a className="moment-link" href={post.link.url} target="_blank" rel="noreferrer noopener">
            <strong>{post.link.title || post.link.url}</strong>
          </a>
        ) : null}
        <div className="moment-meta">
          <span className="muted">{relativeTime(post.createdAt, t, i18n.language)}</span>
          <button type="button" className="link-button" aria-label={t('Like')} onClick={() => like.mutate()}>
            {post.likedByMe ? <HeartFill color="#eb5757" /> : <HeartOutline />} {post.likeCount}
          </button>
          <button
            type="button"
            className="link-button"
            data-testid={TID.CHANNEL_POST_OPEN}
            onClick={() => (detail ? undefined : navigate(`/discover/channels/posts/${post.id}`))}
          >
            {post.commentCount} {t('Comments')}
          </button>
          <button type="button" className="link-button" aria-label={t('Share')} data-testid={TID.CHANNEL_SHARE} onClick={() => setSharing(true)}>
            <SendOutline /> {t('Share')}
          </button>
        </div>
      </div>
      {sharing ? <ShareSheet post={post} onClose={() => setSharing(false)} /> : null}
    </article>
  );
}

/** Share into a chat (a card message) or into my Moments (a link card). */
function ShareSheet({ post, onClose }: { post: ChannelPost; onClose: () => void }) {
  const { t } = useTranslation();
  const [target, setTarget] = useState<'choose' | 'chat' | 'moments'>('choose');
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const { data: conversations = [] } = useConversations();
  const titleOf = useConversationTitle();
  const send = useMutation({
    mutationFn: () =>
      target === 'chat' && conversationId
        ? channelsApi.shareToChat(post.id, conversationId, newClientMsgId())
        : channelsApi.shareToMoments(post.id, text.trim()),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('Shared') });
      onClose();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  if (target === 'choose')
    return (
      <ActionSheet
        visible
        onClose={onClose}
        cancelText={t('Cancel')}
        actions={[
          { key: 'chat', text: t('Send to chat'), onClick: () => setTarget('chat') },
          { key: 'moments', text: t('Share to Moments'), onClick: () => setTarget('moments') },
        ]}
      />
    );
  return (
    <Popup visible onMaskClick={onClose} bodyClassName="sheet tall">
      <div className="sheet-title">{target === 'chat' ? t('Send to chat') : t('Share to Moments')}</div>
      {target === 'chat' ? (
        <div className="picker-list">
          <Radio.Group value={conversationId ?? undefined} onChange={(v) => setConversationId(String(v))}>
            {sortConversations(conversations).map((c) => (
              <Radio key={c.id} value={c.id} className="picker-row" data-testid={TID.CHANNEL_SHARE_TARGET} data-conversation-id={c.id}>
                {titleOf(c)}
              </Radio>
            ))}
          </Radio.Group>
        </div>
      ) : (
        <TextArea value={text} onChange={setText} placeholder={t('Say something about it')} maxLength={2000} autoSize={{ minRows: 2, maxRows: 5 }} />
      )}
      <div className="sheet-actions">
        <Button onClick={onClose}>{t('Cancel')}</Button>
        <Button
          color="primary"
          loading={send.isPending}
          disabled={target === 'chat' && !conversationId}
          onClick={() => send.mutate()}
          data-testid={TID.CHANNEL_SHARE_CONFIRM}
        >
          {t('Share')}
        </Button>
      </div>
    </Popup>
  );
}

function Feed({ kind }: { kind: FeedKind }) {
  const { t } = useTranslation();
  const feed = useInfiniteQuery({
    queryKey: ['channels', 'feed', kind],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => channelsApi.feed(kind, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const posts = feed.data?.pages.flatMap((p) => p.posts) ?? [];
  return (
    <>
      {posts.map((p) => (
        <ChannelPostCard key={p.id} post={p} />
      ))}
      {posts.length === 0 && !feed.isFetching ? <p className="empty muted">{t('Nothing here yet: follow a channel from Recommended.')}</p> : null}
      {feed.hasNextPage ? (
        <Button block fill="none" loading={feed.isFetching} onClick={() => void feed.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </>
  );
}

function Publish({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ['channels', 'mine'], queryFn: () => channelsApi.mine() });
  const [name, setName] = useState('');
  const [caption, setCaption] = useState('');
  const [items, setItems] = useState<ImageUploadItem[]>([]);
  const [video, setVideo] = useState<string | null>(null);
  const [linkUrl, setLinkUrl] = useState('');
  const [linkTitle, setLinkTitle] = useState('');
  const publish = useMutation({
    mutationFn: async () => {
      if (!mine.data?.channel) await channelsApi.open(name.trim());
      const link = linkUrl.trim() ? { url: linkUrl.trim(), title: linkTitle.trim() } : undefined;
      return channelsApi.post(video ? { caption, videoMediaId: video, link } : { caption, photoMediaIds: items.map((i) => i.key as string), link });
    },
    onSuccess: () => {
      setCaption('');
      setItems([]);
      setVideo(null);
      refresh();
      onClose();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const pickVideo = () => pickVideoWithPoster(setVideo, (e) => void Dialog.alert({ content: errorText(e) }));
  return (
    <Popup visible={visible} onMaskClick={onClose} position="bottom" bodyClassName="moment-compose" destroyOnClose>
      <div className="moment-compose-bar">
        <button type="button" className="link-button" onClick={onClose}>
          {t('Cancel')}
        </button>
        <Button
          size="small"
          color="primary"
          disabled={(!items.length && !video) || (!mine.data?.channel && !name.trim())}
          loading={publish.isPending}
          onClick={() => publish.mutate()}
          data-testid={TID.CHANNEL_PUBLISH}
        >
          {t('Publish')}
        </Button>
      </div>
      {mine.data && !mine.data.channel ? (
        <Input value={name} onChange={setName} placeholder={t('Name your channel')} data-testid={TID.CHANNEL_NAME_INPUT} />
      ) : null}
      <TextArea
        value={caption}
        onChange={setCaption}
        placeholder={t('Caption')}
        maxLength={1000}
        autoSize={{ minRows: 2, maxRows: 6 }}
        data-testid={TID.CHANNEL_CAPTION_INPUT}
      />
      {video ? (
        <span className="muted" data-testid={TID.CHANNEL_VIDEO_READY}>
          {t('Video ready')}
        </span>
      ) : (
        <ImageUploader
          value={items}
          onChange={setItems}
          maxCount={9}
          multiple
          accept="image/*"
          upload={async (file) => ({ key: (await api.uploadMedia('image', file, file.name)).media.id, url: URL.createObjectURL(file) })}
        />
      )}
      <Input value={linkUrl} onChange={setLinkUrl} placeholder={t('Link (optional): a web address or a Plaza page')} maxLength={2000} />
      {linkUrl.trim() ? <Input value={linkTitle} onChange={setLinkTitle} placeholder={t('Link title')} maxLength={200} /> : null}
      {!items.length && !video ? (
        <Button size="small" onClick={pickVideo} data-testid={TID.CHANNEL_PICK_VIDEO}>
          {t('Choose a video (up to 1 minute)')}
        </Button>
      ) : null}
    </Popup>
  );
}

export function ChannelsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [publishing, setPublishing] = useState(false);
  return (
    <Page
      title={t('Channels')}
      fallback="/discover"
      className="moments-page"
      right={
        <>
          <button
            type="button"
            className="icon-button"
            aria-label={t('My channel')}
            data-testid={TID.CHANNEL_MINE_OPEN}
            onClick={() => navigate('/discover/channels/mine')}
          >
            <UserOutline fontSize={22} />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={t('Publish to my channel')}
            data-testid={TID.CHANNEL_PUBLISH_OPEN}
            onClick={() => setPublishing(true)}
          >
            <AddOutline fontSize={22} />
          </button>
        </>
      }
    >
      <Tabs defaultActiveKey="recommended">
        <Tabs.Tab title={t('Following')} key="following">
          <Feed kind="following" />
        </Tabs.Tab>
        <Tabs.Tab title={t('Friends liked')} key="friends-liked">
          <Feed kind="friends-liked" />
        </Tabs.Tab>
        <Tabs.Tab title={t('Recommended')} key="recommended">
          <Feed kind="recommended" />
        </Tabs.Tab>
      </Tabs>
      <Publish visible={publishing} onClose={() => setPublishing(false)} />
    </Page>
  );
}

/** One post with its comments; where a shared card leads. */
export function ChannelPostPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const post = useQuery({ queryKey: ['channels', 'post', id], queryFn: () => channelsApi.getPost(id) });
  const comments = useQuery({ queryKey: ['channels', 'comments', id], queryFn: () => channelsApi.comments(id) });
  const [text, setText] = useState('');
  const me = useMyId();
  const removeComment = useMutation({
    mutationFn: (commentId: string) => channelsApi.deleteComment(id, commentId),
    onSuccess: refresh,
    onError: (e) => Toast.show(errorText(e)),
  });
  const send = useMutation({
    mutationFn: () => channelsApi.comment(id, text.trim()),
    onSuccess: () => {
      setText('');
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <Page title={t('Channels')} fallback="/discover/channels" className="moments-page">
      {post.data ? <ChannelPostCard post={post.data.post} detail /> : null}
      {post.error ? <p className="empty muted">{errorText(post.error)}</p> : null}
      <div className="channel-comments">
        {(comments.data?.comments ?? []).map((c) => (
          <div key={c.id} className="channel-comment" data-testid={TID.CHANNEL_COMMENT}>
            <strong>{c.author?.displayName}</strong> {c.text} <span className="muted">{relativeTime(c.createdAt, t, i18n.language)}</span>{' '}
            {c.author?.id === me || post.data?.post.ownedByMe ? (
              <button type="button" className="link-button" onClick={() => removeComment.mutate(c.id)}>
                {t('Delete')}
              </button>
            ) : null}
          </div>
        ))}
        <div className="moment-reply">
          <Input value={text} onChange={setText} placeholder={t('Comment')} maxLength={500} data-testid={TID.CHANNEL_COMMENT_INPUT} />
          <Button size="small" color="primary" disabled={!text.trim()} loading={send.isPending} onClick={() => send.mutate()}>
            {t('Send')}
          </Button>
        </div>
      </div>
      {post.data?.post.ownedByMe ? <ExperimentPanel post={post.data.post} /> : null}
    </Page>
  );
}

export function ChannelLinkCard({ path, title, caption }: { path: string; title: string; caption: string }) {
  return (
    <Link className="moment-link" to={path} data-testid={TID.CHANNEL_LINK_CARD}>
      <strong>{title}</strong>
      {caption ? <span className="muted">{caption}</span> : null}
    </Link>
  );
}

/** A channel: who it is, whether I follow it, and its posts, newest first. */
export function ChannelPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const channel = useQuery({ queryKey: ['channels', 'channel', id], queryFn: () => channelsApi.channel(id) });
  const posts = useInfiniteQuery({
    queryKey: ['channels', 'channel-posts', id],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      api.request<FeedPage>('GET', `/api/v1/channels/${encodeURIComponent(id)}/posts`, undefined, pageParam ? { cursor: pageParam } : {}),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const follow = useMutation({
    mutationFn: (on: boolean) => channelsApi.follow(id, on),
    onSuccess: refresh,
    onError: (e) => Toast.show(errorText(e)),
  });
  const c = channel.data?.channel;
  const me = useMyId();
  const mine = c?.ownerId === me;
  const list = posts.data?.pages.flatMap((p) => p.posts) ?? [];
  return (
    <Page title={c?.name ?? t('Channels')} fallback="/discover/channels" className="moments-page">
      {c ? (
        <div className="channel-section" data-testid={TID.CHANNEL_HEADER}>
          <h3>
            {c.name} <VerifiedBadge channel={c} />
          </h3>
          {c.bio ? <span>{c.bio}</span> : null}
          <span className="muted">{t('{{count}} followers', { count: c.followerCount })}</span>
          {mine ? null : (
            <Button
              size="small"
              color={c.followedByMe ? 'default' : 'primary'}
              loading={follow.isPending}
              onClick={() => follow.mutate(!c.followedByMe)}
              data-testid={TID.CHANNEL_FOLLOW_TOGGLE}
            >
              {c.followedByMe ? t('Unfollow') : t('Follow')}
            </Button>
          )}
        </div>
      ) : null}
      {list.map((p) => (
        <ChannelPostCard key={p.id} post={p} />
      ))}
      {posts.hasNextPage ? (
        <Button block fill="none" loading={posts.isFetching} onClick={() => void posts.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}
