import type { Account } from '@plaza/client';
import { Badge, Button } from 'antd-mobile';
import { BellOutline, HeartOutline } from 'antd-mobile-icons';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { Page } from '../../components/Page';
import { api, useMyId } from '../../lib/api';
import { relativeTime } from '../../lib/format';
import { TID } from '../../testids';

interface MomentNotification {
  id: string;
  type: 'like' | 'comment' | 'reply';
  account: Account;
  post: { id: string; text: string; thumbUrl: string | null } | null;
  comment: { id: string; text: string } | null;
  createdAt: string;
}

interface NotificationPage {
  notifications: MomentNotification[];
  nextCursor: string | null;
}

const list = (cursor?: string) => api.request<NotificationPage>('GET', '/api/v1/moments/notifications', undefined, cursor ? { cursor } : {});
const seenKey = (me: string | undefined) => `plaza.moments.notificationsSeenAt.${me ?? ''}`;

/** The bell on the Moments page: a red count of what arrived since I last opened the list. */
export function MomentNotificationsBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMyId();
  const { data } = useQuery({ queryKey: ['moments', 'notifications', 'latest'], queryFn: () => list() });
  const seenAt = Number(localStorage.getItem(seenKey(me)) ?? 0);
  const fresh = (data?.notifications ?? []).filter((n) => new Date(n.createdAt).getTime() > seenAt).length;
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={t('Messages about my Moments')}
      data-testid={TID.MOMENT_NOTIFICATIONS}
      onClick={() => navigate('/discover/moments/notifications')}
    >
      <Badge content={fresh ? fresh : null}>
        <BellOutline fontSize={20} />
      </Badge>
    </button>
  );
}

/** Likes and comments on my posts and replies to my comments, newest first. */
export function MomentNotificationsPage() {
  const { t, i18n } = useTranslation();
  const me = useMyId();
  const feed = useInfiniteQuery({
    queryKey: ['moments', 'notifications', 'all'],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => list(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = feed.data?.pages.flatMap((p) => p.notifications) ?? [];
  useEffect(() => {
    if (feed.data) localStorage.setItem(seenKey(me), String(Date.now()));
  }, [feed.data, me]);
  return (
    <Page title={t('Messages')} fallback="/discover/moments" className="moments-page">
      {items.map((n) => (
        <div key={n.id} className="moment" data-testid={TID.MOMENT_NOTIFICATION} data-type={n.type}>
          <Avatar account={n.account} size={40} />
          <div className="moment-main">
            <div className="moment-author">{n.account.displayName}</div>
            <div>
              {n.type === 'like' ? <HeartOutline /> : null}
              {n.type === 'reply' ? `${t('replied to you')}: ` : null}
              {n.comment?.text}
            </div>
            <div className="muted">{relativeTime(n.createdAt, t, i18n.language)}</div>
          </div>
          {n.post ? <span className="muted moment-notification-post">{n.post.text}</span> : null}
        </div>
      ))}
      {items.length === 0 && !feed.isFetching ? <p className="empty muted">{t('No messages yet.')}</p> : null}
      {feed.hasNextPage ? (
        <Button block fill="none" loading={feed.isFetching} onClick={() => void feed.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}
