import type { Media } from '@plaza/client';
import { Button, Dialog, ImageUploader, type ImageUploadItem, Input, Popup, Tabs, TextArea, Toast } from 'antd-mobile';
import { AddOutline, HeartFill, HeartOutline } from 'antd-mobile-icons';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';
import { api, errorText, queryClient } from '../../lib/api';
import { relativeTime } from '../../lib/format';
import { useMediaUrl } from '../../lib/media';
import '../moments/moments.css';

type FeedKind = 'following' | 'friends-liked' | 'recommended';

interface ChannelPost {
  id: string;
  channel: { id: string; name: string } | null;
  kind: 'photos' | 'video';
  caption: string;
  media: Media[];
  link: { url: string; title: string } | null;
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  createdAt: string;
  why: string | null;
}

interface FeedPage {
  posts: ChannelPost[];
  nextCursor: string | null;
}

const channelsApi = {
  feed: (kind: FeedKind, cursor?: string) => api.request<FeedPage>('GET', '/api/v1/channels/feed', undefined, cursor ? { kind, cursor } : { kind }),
  mine: () => api.request<{ channel: { id: string; name: string; followerCount: number } | null }>('GET', '/api/v1/channels/mine'),
  open: (name: string) => api.request<{ channel: { id: string } }>('POST', '/api/v1/channels', { name }),
  post: (body: { caption?: string; photoMediaIds?: string[]; videoMediaId?: string }) =>
    api.request<{ post: ChannelPost }>('POST', '/api/v1/channel-posts', body),
  like: (id: string, on: boolean) => api.request<void>(on ? 'PUT' : 'DELETE', `/api/v1/channel-posts/${encodeURIComponent(id)}/like`, on ? {} : undefined),
  follow: (channelId: string) => api.request<void>('PUT', `/api/v1/channels/${encodeURIComponent(channelId)}/follow`, {}),
};

const refresh = () => void queryClient.invalidateQueries({ queryKey: ['channels'] });

/**
 * The poster frame: the server has no video decoder, so the browser draws an early frame of the
 * chosen file onto a canvas and uploads it as a still image.
 */
async function posterFrame(file: Blob): Promise<Blob | null> {
  const url = URL.createObjectURL(file);
  try {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.src = url;
    await new Promise<void>((resolve, reject) => {
      video.onloadeddata = () => resolve();
      video.onerror = () => reject(new Error('video could not be decoded'));
    });
    await new Promise<void>((resolve) => {
      video.onseeked = () => resolve();
      video.currentTime = Math.min(0.1, (video.duration || 0) / 2);
    });
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function MediaView({ media, video }: { media: Media; video: boolean }) {
  const src = useMediaUrl(video ? media.url : (media.thumbUrl ?? media.url));
  const poster = useMediaUrl(video ? media.thumbUrl : null);
  if (!src) return <span className="moment-photo-placeholder" />;
  return video ? (
    <video className="moment-video" src={src} poster={poster} controls preload="metadata" data-testid="channel-video">
      <track kind="captions" />
    </video>
  ) : (
    <img src={src} alt="" />
  );
}

function ChannelPostCard({ post }: { post: ChannelPost }) {
  const { t, i18n } = useTranslation();
  const like = useMutation({ mutationFn: () => channelsApi.like(post.id, !post.likedByMe), onSuccess: refresh, onError: (e) => Toast.show(errorText(e)) });
  const follow = useMutation({
    mutationFn: () => channelsApi.follow(post.channel?.id ?? ''),
    onSuccess: () => {
      Toast.show(t('Following'));
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <article className="moment" data-testid="channel-post">
      <div className="moment-main">
        <div className="moment-meta">
          <span className="moment-author">{post.channel?.name}</span>
          <button type="button" className="link-button" onClick={() => follow.mutate()}>
            {t('Follow')}
          </button>
        </div>
        {post.why ? <div className="muted channel-why">{post.why}</div> : null}
        {post.caption ? <div className="moment-text">{post.caption}</div> : null}
        <div className={post.media.length === 1 ? 'moment-photos one' : 'moment-photos grid'}>
          {post.media.map((m) => (
            <span key={m.id} className="moment-photo">
              <MediaView media={m} video={post.kind === 'video'} />
            </span>
          ))}
        </div>
        <div className="moment-meta">
          <span className="muted">{relativeTime(post.createdAt, t, i18n.language)}</span>
          <button type="button" className="link-button" aria-label={t('Like')} onClick={() => like.mutate()}>
            {post.likedByMe ? <HeartFill color="#eb5757" /> : <HeartOutline />} {post.likeCount}
          </button>
          <span className="muted">
            {post.commentCount} {t('Comments')}
          </span>
        </div>
      </div>
    </article>
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
  const publish = useMutation({
    mutationFn: async () => {
      if (!mine.data?.channel) await channelsApi.open(name.trim());
      return channelsApi.post(video ? { caption, videoMediaId: video } : { caption, photoMediaIds: items.map((i) => i.key as string) });
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
  const pickVideo = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'video/*';
    input.onchange = async () => {
      const file = input.files?.[0];
      if (!file) return;
      try {
        const uploaded = (await api.uploadMedia('video', file, file.name)).media;
        const frame = await posterFrame(file);
        if (frame) await api.setVideoPoster(uploaded.id, frame);
        setVideo(uploaded.id);
      } catch (e) {
        void Dialog.alert({ content: errorText(e) });
      }
    };
    input.click();
  };
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
        >
          {t('Publish')}
        </Button>
      </div>
      {mine.data && !mine.data.channel ? <Input value={name} onChange={setName} placeholder={t('Name your channel')} /> : null}
      <TextArea value={caption} onChange={setCaption} placeholder={t('Caption')} maxLength={1000} autoSize={{ minRows: 2, maxRows: 6 }} />
      {video ? (
        <span className="muted">{t('Video ready')}</span>
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
      {!items.length && !video ? (
        <Button size="small" onClick={pickVideo}>
          {t('Choose a video (up to 1 minute)')}
        </Button>
      ) : null}
    </Popup>
  );
}

export function ChannelsPage() {
  const { t } = useTranslation();
  const [publishing, setPublishing] = useState(false);
  return (
    <Page
      title={t('Channels')}
      fallback="/discover"
      className="moments-page"
      right={
        <button type="button" className="icon-button" aria-label={t('Publish to my channel')} onClick={() => setPublishing(true)}>
          <AddOutline fontSize={22} />
        </button>
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
