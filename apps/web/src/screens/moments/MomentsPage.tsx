import type { Media } from '@plaza/client';
import { ActionSheet, Button, Checkbox, Dialog, ImageUploader, type ImageUploadItem, Input, Popup, Radio, TextArea, Toast } from 'antd-mobile';
import { CameraOutline, HeartOutline, MessageOutline, MoreOutline } from 'antd-mobile-icons';
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { Page } from '../../components/Page';
import { api, errorText, queryClient, useMyId } from '../../lib/api';
import { relativeTime } from '../../lib/format';
import { pickVideoWithPoster, useMediaUrl, useStreamUrl } from '../../lib/media';
import { useContacts, useMe } from '../../lib/queries';
import { type MomentComment, type MomentPage, type MomentPost, momentsApi, type NewMoment } from './api';
import { TID } from '../../testids';
import { ChannelLinkCard } from '../channels/ChannelsPage';
import { MomentNotificationsBell } from './MomentNotificationsPage';
import './moments.css';

const timelineKey = ['moments', 'timeline'] as const;

function refresh() {
  void queryClient.invalidateQueries({ queryKey: ['moments'] });
}

function Photo({ media, single }: { media: Media; single: boolean }) {
  const src = useMediaUrl(single ? media.url : (media.thumbUrl ?? media.url));
  const full = useMediaUrl(media.url);
  return (
    <button type="button" className={single ? 'moment-photo single' : 'moment-photo'} aria-label="Photo" onClick={() => full && window.open(full, '_blank')}>
      {src ? <img src={src} alt="" /> : <span className="moment-photo-placeholder" />}
    </button>
  );
}

/** One photo shows large; two to nine sit in a three-column grid. */
function PhotoGrid({ media }: { media: Media[] }) {
  if (media.length === 0) return null;
  return (
    <div className={media.length === 1 ? 'moment-photos one' : 'moment-photos grid'}>
      {media.map((m) => (
        <Photo key={m.id} media={m} single={media.length === 1} />
      ))}
    </div>
  );
}

function Video({ media }: { media: Media }) {
  const src = useStreamUrl(media.id);
  const poster = useMediaUrl(media.thumbUrl);
  // Members' clips carry no caption files; the empty track keeps the player accessible-ready.
  return src ? (
    <video className="moment-video" src={src} poster={poster} controls preload="metadata">
      <track kind="captions" />
    </video>
  ) : (
    <div className="moment-video" />
  );
}

function CommentLine({ comment, post, onReply }: { comment: MomentComment; post: MomentPost; onReply: (c: MomentComment) => void }) {
  const { t } = useTranslation();
  const myId = useMyId();
  const mine = comment.author.id === myId || post.author.id === myId;
  const remove = async () => {
    if (!(await Dialog.confirm({ content: t('Delete this comment?') }))) return;
    await momentsApi.deleteComment(post.id, comment.id).then(refresh, (e) => Toast.show(errorText(e)));
  };
  return (
    <button
      type="button"
      className="moment-comment"
      data-testid={TID.MOMENT_COMMENT}
      onClick={() => (comment.author.id === myId ? (mine ? void remove() : undefined) : onReply(comment))}
    >
      <strong>{comment.author.displayName}</strong>
      {comment.replyTo ? (
        <>
          {' '}
          {t('replied to')} <strong>{comment.replyTo.displayName}</strong>
        </>
      ) : null}
      : {comment.text}
    </button>
  );
}

function PostCard({ post }: { post: MomentPost }) {
  const { t, i18n } = useTranslation();
  const myId = useMyId();
  const [menu, setMenu] = useState(false);
  const [replyTo, setReplyTo] = useState<MomentComment | null | undefined>(undefined);
  const [text, setText] = useState('');
  const toggleLike = useMutation({
    mutationFn: () => (post.likedByMe ? momentsApi.unlike(post.id) : momentsApi.like(post.id)),
    onSuccess: refresh,
    onError: (e) => Toast.show(errorText(e)),
  });
  const send = useMutation({
    mutationFn: () => momentsApi.comment(post.id, text.trim(), replyTo?.id),
    onSuccess: () => {
      setText('');
      setReplyTo(undefined);
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const remove = async () => {
    if (!(await Dialog.confirm({ content: t('Delete this post?') }))) return;
    await momentsApi.remove(post.id).then(refresh, (e) => Toast.show(errorText(e)));
  };
  return (
    <article className="moment" data-testid={TID.MOMENT_POST} data-post-id={post.id}>
      <Avatar account={post.author} size={42} />
      <div className="moment-main">
        <div className="moment-author">{post.author.displayName}</div>
        {post.text ? <div className="moment-text">{post.text}</div> : null}
        {post.kind === 'photos' ? <PhotoGrid media={post.media} /> : null}
        {post.kind === 'video' && post.media[0] ? <Video media={post.media[0]} /> : null}
        {post.link?.channelPostId ? (
          <ChannelLinkCard path={`/discover/channels/posts/${post.link.channelPostId}`} title={post.link.title} caption={post.link.description ?? ''} />
        ) : post.link ? (
          <a className="moment-link" href={post.link.url} target="_blank" rel="noreferrer noopener">
            <strong>{post.link.title || post.link.url}</strong>
            {post.link.description ? <span className="muted">{post.link.description}</span> : null}
          </a>
        ) : null}
        {post.location ? <div className="moment-location">{post.location.name}</div> : null}
        <div className="moment-meta">
          <span className="muted">{relativeTime(post.createdAt, t, i18n.language)}</span>
          {post.author.id === myId ? (
            <button type="button" className="link-button" onClick={() => void remove()}>
              {t('Delete')}
            </button>
          ) : null}
          <span className="moment-menu-anchor">
            {menu ? (
              <span className="moment-popover" role="menu">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    toggleLike.mutate();
                  }}
                >
                  <HeartOutline /> {post.likedByMe ? t('Cancel') : t('Like')}
                </button>
                <button
                  type="button"
                  role="menuitem"
                  data-testid={TID.MOMENT_COMMENT_ACTION}
                  onClick={() => {
                    setMenu(false);
                    setReplyTo(null);
                  }}
                >
                  <MessageOutline /> {t('Comment')}
                </button>
              </span>
            ) : null}
            <button type="button" className="moment-more" aria-label={t('Like or comment')} data-testid={TID.MOMENT_MENU} onClick={() => setMenu((v) => !v)}>
              <MoreOutline />
            </button>
          </span>
        </div>
        {post.likes.length || post.comments.length ? (
          <div className="moment-interactions">
            {post.likes.length ? (
              <div className="moment-likes">
                <HeartOutline /> {post.likes.map((l) => l.account.displayName).join(', ')}
              </div>
            ) : null}
            {post.comments.map((c) => (
              <CommentLine key={c.id} comment={c} post={post} onReply={setReplyTo} />
            ))}
          </div>
        ) : null}
        {replyTo !== undefined ? (
          <div className="moment-reply">
            <Input
              autoFocus
              value={text}
              onChange={setText}
              placeholder={replyTo ? `${t('Reply')} ${replyTo.author.displayName}` : t('Comment')}
              onEnterPress={() => text.trim() && send.mutate()}
              data-testid={TID.MOMENT_COMMENT_INPUT}
            />
            <Button size="small" color="primary" disabled={!text.trim()} loading={send.isPending} onClick={() => send.mutate()}>
              {t('Send')}
            </Button>
          </div>
        ) : null}
      </div>
    </article>
  );
}

function Compose({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { data: contacts } = useContacts();
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<ImageUploadItem[]>([]);
  const [location, setLocation] = useState('');
  const [visibility, setVisibility] = useState<'friends' | 'include' | 'exclude'>('friends');
  const [chosen, setChosen] = useState<string[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  const allTags = [...new Set((contacts ?? []).flatMap((c) => c.tags))];
  const [video, setVideo] = useState<string | null>(null);
  const [linkUrl, setLinkUrl] = useState('');
  const [linkTitle, setLinkTitle] = useState('');
  const [linking, setLinking] = useState(false);
  const pickVideo = () => pickVideoWithPoster(setVideo, (e) => void Dialog.alert({ content: errorText(e) }));
  const post = useMutation({
    mutationFn: () => {
      const body: NewMoment = { text: text.trim() || undefined, visibility };
      if (video) body.videoMediaId = video;
      else if (linking && linkUrl.trim()) body.link = { url: linkUrl.trim(), title: linkTitle.trim() };
      else if (photos.length) body.photoMediaIds = photos.map((p) => p.key as string);
      if (location.trim()) body.location = { name: location.trim() };
      if (visibility !== 'friends') body.audience = { accountIds: chosen, tags };
      return momentsApi.create(body);
    },
    onSuccess: () => {
      setText('');
      setPhotos([]);
      setVideo(null);
      setLinking(false);
      setLinkUrl('');
      setLinkTitle('');
      setLocation('');
      setVisibility('friends');
      setChosen([]);
      setTags([]);
      refresh();
      onClose();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const upload = async (file: File): Promise<ImageUploadItem> => {
    const { media } = await api.uploadMedia('image', file, file.name);
    return { key: media.id, url: URL.createObjectURL(file) };
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
          disabled={!text.trim() && photos.length === 0 && !video && !(linking && linkUrl.trim())}
          loading={post.isPending}
          onClick={() => post.mutate()}
          data-testid={TID.MOMENT_PUBLISH}
        >
          {t('Post')}
        </Button>
      </div>
      <TextArea
        value={text}
        onChange={setText}
        placeholder={t('Say something…')}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={2000}
        data-testid={TID.MOMENT_TEXT}
      />
      {video ? (
        <span className="muted">{t('Video ready')}</span>
      ) : linking ? (
        <>
          <Input value={linkUrl} onChange={setLinkUrl} placeholder="https://…" />
          <Input value={linkTitle} onChange={setLinkTitle} placeholder={t('Link title')} maxLength={200} />
        </>
      ) : (
        <ImageUploader value={photos} onChange={setPhotos} upload={upload} maxCount={9} multiple accept="image/*" />
      )}
      {!video && !linking && photos.length === 0 ? (
        <div className="sheet-actions">
          <Button size="small" onClick={pickVideo}>
            {t('Choose a video (up to 1 minute)')}
          </Button>
          <Button size="small" onClick={() => setLinking(true)}>
            {t('Share a link')}
          </Button>
        </div>
      ) : null}
      <Input value={location} onChange={setLocation} placeholder={t('Location (optional)')} />
      <div className="moment-visibility">
        <strong>{t('Who can see')}</strong>
        <Radio.Group value={visibility} onChange={(v) => setVisibility(v as typeof visibility)}>
          <Radio value="friends">{t('All friends')}</Radio>
          <Radio value="include">{t('Only these')}</Radio>
          <Radio value="exclude">{t('All except these')}</Radio>
        </Radio.Group>
        {visibility !== 'friends' ? (
          <div className="moment-audience">
            {allTags.length ? (
              <Checkbox.Group value={tags} onChange={(v) => setTags(v as string[])}>
                {allTags.map((tag) => (
                  <Checkbox key={tag} value={tag}>
                    #{tag}
                  </Checkbox>
                ))}
              </Checkbox.Group>
            ) : null}
            <Checkbox.Group value={chosen} onChange={(v) => setChosen(v as string[])}>
              {(contacts ?? []).map((c) => (
                <Checkbox key={c.account.id} value={c.account.id}>
                  {c.remark || c.account.displayName}
                </Checkbox>
              ))}
            </Checkbox.Group>
          </div>
        ) : null}
      </div>
    </Popup>
  );
}

function Cover({ coverUrl, account, onChangeCover }: { coverUrl: string | null; account: { displayName: string } | undefined; onChangeCover?: () => void }) {
  const src = useMediaUrl(coverUrl);
  const { data: me } = useMe();
  return (
    <div className="moment-cover" style={src ? { backgroundImage: `url(${src})` } : undefined}>
      {onChangeCover ? <button type="button" className="moment-cover-button" aria-label="Change cover" onClick={onChangeCover} /> : null}
      <div className="moment-cover-owner">
        <span>{account?.displayName ?? me?.displayName}</span>
        <Avatar account={me} size={64} />
      </div>
    </div>
  );
}

function PostList({ pages, hasNext, loadMore, loading }: { pages: MomentPage[]; hasNext: boolean; loadMore: () => void; loading: boolean }) {
  const { t } = useTranslation();
  const posts = pages.flatMap((p) => p.posts);
  return (
    <>
      {posts.map((p) => (
        <PostCard key={p.id} post={p} />
      ))}
      {posts.length === 0 && !loading ? <p className="empty muted">{t('No Moments yet: post the first one with the camera button.')}</p> : null}
      {hasNext ? (
        <Button block fill="none" loading={loading} onClick={loadMore}>
          {t('More')}
        </Button>
      ) : null}
    </>
  );
}

export function MomentsPage() {
  const { t } = useTranslation();
  const [composing, setComposing] = useState(false);
  const settings = useQuery({ queryKey: ['moments', 'settings'], queryFn: () => momentsApi.settings() });
  const timeline = useInfiniteQuery<MomentPage, Error, InfiniteData<MomentPage>, typeof timelineKey, string | undefined>({
    queryKey: timelineKey,
    queryFn: ({ pageParam }) => momentsApi.timeline(pageParam),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const changeCover = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.onchange = async () => {
      const file = input.files?.[0];
      if (!file) return;
      try {
        const { media } = await api.uploadMedia('image', file, file.name);
        await momentsApi.updateSettings({ coverMediaId: media.id });
        refresh();
      } catch (e) {
        Toast.show(errorText(e));
      }
    };
    input.click();
  };
  const historyMenu = () =>
    ActionSheet.show({
      actions: (['all', '6m', '3d'] as const).map((w) => ({
        key: w,
        text: w === 'all' ? t('Friends see all my posts') : w === '6m' ? t('Friends see the last 6 months') : t('Friends see the last 3 days'),
      })),
      onAction: (action) => void momentsApi.updateSettings({ historyWindow: action.key as 'all' | '6m' | '3d' }).then(refresh),
      closeOnAction: true,
    });
  return (
    <Page
      title={t('Moments')}
      fallback="/discover"
      className="moments-page"
      right={
        <>
          <MomentNotificationsBell />
          <button type="button" className="icon-button" aria-label={t('Who can see my history')} onClick={historyMenu}>
            <MoreOutline fontSize={20} />
          </button>
          <button type="button" className="icon-button" aria-label={t('Post a Moment')} data-testid={TID.MOMENT_COMPOSE} onClick={() => setComposing(true)}>
            <CameraOutline fontSize={22} />
          </button>
        </>
      }
    >
      <Cover coverUrl={settings.data?.settings.coverUrl ?? null} account={undefined} onChangeCover={changeCover} />
      <PostList
        pages={timeline.data?.pages ?? []}
        hasNext={timeline.hasNextPage}
        loadMore={() => void timeline.fetchNextPage()}
        loading={timeline.isFetching}
      />
      <Compose visible={composing} onClose={() => setComposing(false)} />
    </Page>
  );
}

/** A member's album: their posts as the viewer may see them. */
export function MomentsAlbumPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const album = useInfiniteQuery({
    queryKey: ['moments', 'album', id],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => momentsApi.album(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const first = album.data?.pages[0];
  return (
    <Page title={t('Moments')} fallback="/discover/moments" className="moments-page">
      <Cover coverUrl={first?.coverUrl ?? null} account={first?.account} />
      <PostList pages={album.data?.pages ?? []} hasNext={album.hasNextPage} loadMore={() => void album.fetchNextPage()} loading={album.isFetching} />
    </Page>
  );
}
