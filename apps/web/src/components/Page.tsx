import { LeftOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** A detail page with a back arrow; `fallback` is where back goes when there is no history. */
export function Page({
  title,
  right,
  children,
  fallback = '/chats',
  className,
}: {
  title: ReactNode;
  right?: ReactNode;
  children: ReactNode;
  fallback?: string;
  className?: string;
}) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const back = () => {
    const state = window.history.state as { idx?: number } | null;
    if (state && typeof state.idx === 'number' && state.idx > 0) navigate(-1);
    else navigate(fallback);
  };
  return (
    <div className={`page ${className ?? ''}`}>
      <header className="page-nav">
        <button type="button" className="icon-button back-button" aria-label={t('Back')} onClick={back}>
          <LeftOutline fontSize={22} />
        </button>
        <h1 className="page-title">{title}</h1>
        <div className="page-nav-right">{right}</div>
      </header>
      <div className="page-body">{children}</div>
    </div>
  );
}

export function ComingSoon({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <Page title={title} fallback="/discover">
      <div className="coming-soon">
        <svg viewBox="0 0 120 120" width="120" height="120" aria-hidden="true">
          <circle cx="60" cy="60" r="54" fill="var(--plaza-brand-soft)" />
          <path d="M40 70l14-30 12 20 8-10 10 20z" fill="var(--plaza-brand)" />
          <circle cx="78" cy="42" r="7" fill="var(--plaza-brand)" />
        </svg>
        <h2>{title}</h2>
        <p>{t('Coming soon. This part of Plaza is being built; it will appear here when ready.')}</p>
      </div>
    </Page>
  );
}
