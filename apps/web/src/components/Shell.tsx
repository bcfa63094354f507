import { Badge, Popover } from 'antd-mobile';
import { AddCircleOutline, CompassOutline, MessageOutline, ScanningOutline, UserAddOutline, UserOutline, UserContactOutline } from 'antd-mobile-icons';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useConversations, useFriendRequests } from '../lib/queries';
import { useRealtimeConnected } from '../lib/realtime';
import { useMediaQuery } from '../lib/theme';
import { TID } from '../testids';

export type TabName = 'chats' | 'contacts' | 'discover' | 'me';
export const TAB_ROOTS: Record<TabName, string> = { chats: '/chats', contacts: '/contacts', discover: '/discover', me: '/me' };

/** Which tab a path belongs to, so the left pane on wide screens stays on the right list. */
export function tabForPath(pathname: string): TabName {
  if (pathname.startsWith('/chats') || pathname.startsWith('/new-group') || pathname.startsWith('/group-invite')) return 'chats';
  if (pathname.startsWith('/contacts') || pathname.startsWith('/profile') || pathname.startsWith('/add-contact')) return 'contacts';
  if (pathname.startsWith('/discover') || pathname.startsWith('/scan') || pathname.startsWith('/login-confirm')) return 'discover';
  return 'me';
}

export function useUnreadTotal(): number {
  const { data } = useConversations();
  return (data ?? []).reduce((sum, c) => sum + (c.muted ? 0 : c.unreadCount), 0);
}

export function usePendingRequestCount(): number {
  const { data } = useFriendRequests();
  return (data ?? []).filter((r) => r.direction === 'incoming' && r.status === 'pending').length;
}

/** Shown only after a short grace period, so a normal page load does not flash it. */
const BANNER_DELAY_MS = 1200;

export function ConnectingBanner() {
  const connected = useRealtimeConnected();
  const { t } = useTranslation();
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (connected) {
      setLate(false);
      return;
    }
    const timer = setTimeout(() => setLate(true), BANNER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [connected]);
  if (connected || !late) return null;
  return (
    <div className="connecting-banner" role="status" data-testid={TID.CONNECTING_BANNER}>
      <span className="connecting-dot" /> {t('Connecting…')}
    </div>
  );
}

function PlusMenu() {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const { t } = useTranslation();
  const go = (path: string) => {
    setOpen(false);
    navigate(path);
  };
  const items: { id: string; label: string; icon: ReactNode; path: string }[] = [
    { id: TID.PLUS_NEW_GROUP, label: t('New group chat'), icon: <MessageOutline />, path: '/new-group' },
    { id: TID.PLUS_ADD_CONTACT, label: t('Add contacts'), icon: <UserAddOutline />, path: '/add-contact' },
    { id: TID.PLUS_SCAN, label: t('Scan'), icon: <ScanningOutline />, path: '/scan' },
  ];
  return (
    <Popover
      visible={open}
      onVisibleChange={setOpen}
      placement="bottom-end"
      mode="dark"
      trigger="click"
      content={
        <div className="plus-menu" role="menu">
          {items.map((item) => (
            <button key={item.id} type="button" role="menuitem" className="plus-menu-item" data-testid={item.id} onClick={() => go(item.path)}>
              {item.icon}
              <span>{item.label}</span>
            </button>
          ))}
        </div>
      }
    >
      <button type="button" className="icon-button" aria-label={t('More actions')} aria-haspopup="menu" data-testid={TID.TOPBAR_PLUS}>
        <AddCircleOutline fontSize={22} />
      </button>
    </Popover>
  );
}

export function TopBar({ title }: { title: string }) {
  return (
    <header className="top-bar">
      <span className="top-bar-side" />
      <h1 className="top-bar-title">{title}</h1>
      <span className="top-bar-side top-bar-right">
        <PlusMenu />
      </span>
    </header>
  );
}

export function BottomTabs({ active }: { active: TabName }) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const unread = useUnreadTotal();
  const requests = usePendingRequestCount();
  const { data: conversations } = useConversations();
  const mutedUnread = (conversations ?? []).some((c) => c.muted && c.unreadCount > 0);
  const tabs: { key: TabName; label: string; icon: ReactNode; badge?: ReactNode; testId: string }[] = [
    {
      key: 'chats',
      label: t('Chats'),
      icon: <MessageOutline />,
      badge: unread > 0 ? (unread > 99 ? '99+' : unread) : mutedUnread ? Badge.dot : undefined,
      testId: TID.TAB_CHATS,
    },
    { key: 'contacts', label: t('Contacts'), icon: <UserContactOutline />, badge: requests > 0 ? requests : undefined, testId: TID.TAB_CONTACTS },
    { key: 'discover', label: t('Discover'), icon: <CompassOutline />, testId: TID.TAB_DISCOVER },
    { key: 'me', label: t('Me'), icon: <UserOutline />, testId: TID.TAB_ME },
  ];
  return (
    <nav className="bottom-tabs" aria-label={t('Main')}>
      {tabs.map((tab) => (
        <button
          key={tab.key}
          type="button"
          className={`bottom-tab ${active === tab.key ? 'active' : ''}`}
          aria-current={active === tab.key ? 'page' : undefined}
          data-testid={tab.testId}
          onClick={() => navigate(TAB_ROOTS[tab.key])}
        >
          <Badge content={tab.badge} style={{ '--right': '-4px', '--top': '4px' }}>
            <span className="bottom-tab-icon">{tab.icon}</span>
          </Badge>
          <span className="bottom-tab-label">{tab.label}</span>
        </button>
      ))}
    </nav>
  );
}

export function useWide(): boolean {
  return useMediaQuery('(min-width: 900px)');
}

/**
 * The frame: on phones, a tab list with the bottom tabs or one full-screen detail page; on wide
 * screens, the tab list stays on the left and the detail opens on the right.
 */
export function Shell({ lists, detail }: { lists: Record<TabName, ReactNode>; detail: ReactNode | null }) {
  const wide = useWide();
  const { pathname } = useLocation();
  const { t } = useTranslation();
  const tab = tabForPath(pathname);
  const unread = useUnreadTotal();
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Plaza` : 'Plaza';
  }, [unread]);
  const listPane = (
    <div className="list-pane">
      <ConnectingBanner />
      <div className="list-scroll">{lists[tab]}</div>
      <BottomTabs active={tab} />
    </div>
  );
  if (!wide) {
    if (detail)
      return (
        <div className="single-pane">
          <ConnectingBanner />
          {detail}
        </div>
      );
    return <div className="single-pane">{listPane}</div>;
  }
  return (
    <div className="two-pane">
      <aside className="two-pane-left">{listPane}</aside>
      <main className="two-pane-right">
        {detail ?? (
          <div className="empty-detail">
            <img src="/icon.svg" alt="" width={72} height={72} />
            <p>{t('Pick a chat or a contact to open it here.')}</p>
          </div>
        )}
      </main>
    </div>
  );
}
