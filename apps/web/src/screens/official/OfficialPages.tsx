import { Badge, Button, Dialog, Input, List, SearchBar, Tag, Toast } from 'antd-mobile';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { Page } from '../../components/Page';
import { errorText, queryClient, useMyId } from '../../lib/api';
import { relativeTime } from '../../lib/format';
import { useMediaUrl } from '../../lib/media';
import { TID } from '../../testids';
import { PinPrompt } from '../wallet/PinPrompt';
import { formatMinor, parseMajor } from '../wallet/api';
import { type ArticleSummary, type OfficialAccount, officialApi, officialKeys } from './api';
import { ArticleHtml } from './RichText';
import './official.css';

const refresh = () => void queryClient.invalidateQueries({ queryKey: officialKeys.all });

function AccountAvatar({ account, size = 44 }: { account: Pick<OfficialAccount, 'id' | 'name' | 'avatar'>; size?: number }) {
  return (
    <Avatar
      url={account.avatar?.thumbUrl ?? account.avatar?.url ?? null}
      name={account.name}
      account={{ id: account.id, displayName: account.name, handle: '', avatarUrl: null }}
      size={size}
    />
  );
}

function Cover({ article }: { article: ArticleSummary }) {
  const src = useMediaUrl(article.cover ? (article.cover.thumbUrl ?? article.cover.url) : null);
  return src ? <img className="official-cover" src={src} alt="" /> : null;
}

function PriceTag({ article }: { article: ArticleSummary }) {
  const { t } = useTranslation();
  if (!article.paid) return null;
  return (
    <Tag color={article.unlocked ? 'success' : 'warning'} fill="outline">
      {article.unlocked ? t('Unlocked') : `¥${formatMinor(article.priceMinor)}`}
    </Tag>
  );
}

export function ArticleRow({ article }: { article: ArticleSummary }) {
  const navigate = useNavigate();
  const { t, i18n } = useTranslation();
  return (
    <button
      type="button"
      className="official-article-row"
      data-testid={TID.OFFICIAL_ARTICLE_ROW}
      data-article-id={article.id}
      onClick={() => navigate(`/official/articles/${article.id}`)}
    >
      <Cover article={article} />
      <span className="official-article-text">
        <span className="official-article-title">
          {article.title} <PriceTag article={article} />
        </span>
        <span className="muted">{article.summary}</span>
        <span className="muted small">
          {relativeTime(article.createdAt, t, i18n.language)} · {t('Reads: {{count}}', { count: article.readCount })}
        </span>
      </span>
    </button>
  );
}

/** The one row in Chats that opens the Official Accounts folder, showing the newest article. */
// When this member last opened the folder on this device: newer articles put a red dot on the row.
const folderSeenKey = (accountId: string) => `plaza.official.folder-seen.${accountId}`;

function folderSeenAt(accountId: string): number {
  return Number(localStorage.getItem(folderSeenKey(accountId)) ?? 0);
}

export function OfficialFolderRow() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const me = useMyId();
  const { data } = useQuery({ queryKey: officialKeys.folderRow, queryFn: () => officialApi.following() });
  const latest = data?.accounts.find((a) => a.latestArticle)?.latestArticle;
  if (!data || data.accounts.length === 0) return null;
  const unseen = latest !== undefined && latest !== null && Date.parse(latest.createdAt) > folderSeenAt(me);
  return (
    <button type="button" className="conversation-row" data-testid={TID.OFFICIAL_FOLDER_ROW} onClick={() => navigate('/official')}>
      <Badge
        content={unseen ? Badge.dot : undefined}
        style={{ '--right': '2px', '--top': '2px' }}
        data-testid={unseen ? TID.OFFICIAL_FOLDER_UNSEEN : undefined}
      >
        <span className="avatar avatar-initial official-folder-icon" aria-hidden="true">
          ◎
        </span>
      </Badge>
      <span className="conversation-main">
        <span className="conversation-top">
          <span className="conversation-title">{t('Official Accounts')}</span>
          <span className="conversation-time">{latest ? relativeTime(latest.createdAt, t, i18n.language) : ''}</span>
        </span>
        <span className="conversation-bottom">
          <span className="conversation-preview">{latest ? `${latest.officialAccount.name}: ${latest.title}` : t('No articles yet')}</span>
        </span>
      </span>
    </button>
  );
}

/** The folder: followed accounts with their latest articles, and search to find more. */
export function OfficialHomePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMyId();
  // Opening the folder marks what is in it as seen (the Chats row loses its dot).
  useEffect(() => {
    localStorage.setItem(folderSeenKey(me), String(Date.now()));
    void queryClient.invalidateQueries({ queryKey: officialKeys.folderRow });
  }, [me]);
  const [query, setQuery] = useState('');
  const following = useInfiniteQuery({
    queryKey: officialKeys.following,
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => officialApi.following(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const search = useQuery({ queryKey: ['official', 'search', query], queryFn: () => officialApi.search(query.trim()), enabled: query.trim().length > 0 });
  const follow = useMutation({ mutationFn: (id: string) => officialApi.follow(id, true), onSuccess: refresh, onError: (e) => Toast.show(errorText(e)) });
  const accounts = following.data?.pages.flatMap((p) => p.accounts) ?? [];
  return (
    <Page
      title={t('Official Accounts')}
      right={
        <button type="button" className="official-link" onClick={() => navigate('/official/mine')} data-testid={TID.OFFICIAL_MY_ACCOUNTS}>
          {t('My accounts')}
        </button>
      }
    >
      <div className="search-wrap">
        <SearchBar
          placeholder={t('Search Official Accounts')}
          value={query}
          onChange={setQuery}
          data-testid={TID.OFFICIAL_SEARCH_INPUT}
          aria-label={t('Search Official Accounts')}
        />
      </div>
      {query.trim() ? (
        <List header={t('Search results')}>
          {(search.data?.accounts ?? []).map((a) => (
            <List.Item
              key={a.id}
              prefix={<AccountAvatar account={a} size={36} />}
              description={a.description}
              onClick={() => navigate(`/official/${a.id}`)}
              extra={
                a.followedByMe ? (
                  t('Following')
                ) : (
                  <Button
                    size="mini"
                    color="primary"
                    data-testid={TID.OFFICIAL_FOLLOW}
                    onClick={(e) => {
                      e.stopPropagation();
                      follow.mutate(a.id);
                    }}
                  >
                    {t('Follow')}
                  </Button>
                )
              }
            >
              <span data-testid={TID.OFFICIAL_SEARCH_RESULT}>{a.name}</span>
            </List.Item>
          ))}
          {search.data && search.data.accounts.length === 0 ? <List.Item>{t('No Official Account matches.')}</List.Item> : null}
        </List>
      ) : null}
      {accounts.map((a) => (
        <section key={a.id} className="official-folder-item" data-testid={TID.OFFICIAL_ACCOUNT_ROW} data-official-id={a.id}>
          <button type="button" className="official-folder-head" onClick={() => navigate(`/official/${a.id}`)}>
            <AccountAvatar account={a} size={32} />
            <strong>{a.name}</strong>
          </button>
          {a.latestArticle ? <ArticleRow article={a.latestArticle} /> : <p className="muted official-pad">{t('No articles yet')}</p>}
        </section>
      ))}
      {!following.isLoading && accounts.length === 0 && !query ? (
        <div className="empty-state">{t('You follow no Official Accounts yet: search for one above.')}</div>
      ) : null}
      {following.hasNextPage ? (
        <Button block fill="none" onClick={() => void following.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}

export function OfficialAccountPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data } = useQuery({ queryKey: officialKeys.account(id), queryFn: () => officialApi.get(id) });
  const articles = useInfiniteQuery({
    queryKey: officialKeys.articles(id),
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => officialApi.articles(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const follow = useMutation({
    mutationFn: (on: boolean) => officialApi.follow(id, on),
    onSuccess: refresh,
    onError: (e) => Toast.show(errorText(e)),
  });
  const account = data?.account;
  if (!account) return <Page title={t('Official Accounts')}>{null}</Page>;
  return (
    <Page
      title={account.name}
      fallback="/official"
      right={
        account.isAdmin ? (
          <button type="button" className="official-link" onClick={() => navigate(`/official/${id}/manage`)}>
            {t('Manage')}
          </button>
        ) : null
      }
    >
      <div className="official-header">
        <AccountAvatar account={account} size={64} />
        <div>
          <h2>{account.name}</h2>
          <div className="muted">
            {account.type === 'service' ? t('Service account') : t('Subscription account')} · {t('Followers: {{count}}', { count: account.followerCount })}
            {account.verified ? (
              <Tag color="primary" className="official-badge">
                {t('Verified')}
              </Tag>
            ) : (
              <Tag>{t(account.status === 'rejected' ? 'Rejected' : 'Pending review')}</Tag>
            )}
          </div>
          <p>{account.description}</p>
        </div>
      </div>
      <div className="official-actions">
        {account.followedByMe ? (
          <>
            <Button color="primary" onClick={() => navigate(`/official/${id}/messages`)}>
              {t('Message')}
            </Button>
            <Button onClick={() => follow.mutate(false)}>{t('Unfollow')}</Button>
          </>
        ) : account.verified && !account.isAdmin ? (
          <Button color="primary" data-testid={TID.OFFICIAL_FOLLOW} onClick={() => follow.mutate(true)}>
            {t('Follow')}
          </Button>
        ) : null}
      </div>
      <List header={t('Articles')}>{null}</List>
      {(articles.data?.pages.flatMap((p) => p.articles) ?? []).map((a) => (
        <ArticleRow key={a.id} article={a} />
      ))}
      {articles.hasNextPage ? (
        <Button block fill="none" onClick={() => void articles.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}

function Comments({ articleId }: { articleId: string }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const { data } = useQuery({ queryKey: ['official', 'comments', articleId], queryFn: () => officialApi.comments(articleId) });
  const send = useMutation({
    mutationFn: () => officialApi.comment(articleId, text.trim()),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['official', 'comments', articleId] });
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <List header={t('Comments')}>
      {(data?.comments ?? []).map((c) => (
        <List.Item key={c.id} prefix={<Avatar account={c.author} size={32} />} description={relativeTime(c.createdAt, t, i18n.language)}>
          <strong>{c.author?.displayName}</strong> {c.text}
        </List.Item>
      ))}
      <List.Item
        extra={
          <Button size="small" color="primary" disabled={!text.trim()} onClick={() => send.mutate()} data-testid={TID.OFFICIAL_COMMENT_SEND}>
            {t('Send')}
          </Button>
        }
      >
        <Input placeholder={t('Write a comment')} value={text} onChange={setText} data-testid={TID.OFFICIAL_COMMENT_INPUT} aria-label={t('Write a comment')} />
      </List.Item>
    </List>
  );
}

function Purchases({ articleId }: { articleId: string }) {
  const { t } = useTranslation();
  const [refundFor, setRefundFor] = useState<string | null>(null);
  const { data } = useQuery({ queryKey: ['official', 'purchases', articleId], queryFn: () => officialApi.purchases(articleId) });
  const refund = useMutation({
    mutationFn: ({ accountId, pin }: { accountId: string; pin: string }) => officialApi.refund(articleId, accountId, pin),
    onSuccess: () => {
      Toast.show(t('Refunded'));
      void queryClient.invalidateQueries({ queryKey: ['official', 'purchases', articleId] });
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <>
      <List header={t('Buyers')}>
        {(data?.purchases ?? []).map((p) => (
          <List.Item
            key={p.accountId}
            prefix={<Avatar account={p.account} size={32} />}
            description={`¥${formatMinor(p.priceMinor)} · ${p.status === 'paid' ? t('Paid') : t('Refunded')}`}
            extra={
              p.status === 'paid' ? (
                <Button size="mini" fill="outline" color="danger" onClick={() => setRefundFor(p.accountId)}>
                  {t('Refund')}
                </Button>
              ) : null
            }
          >
            {p.account?.displayName}
          </List.Item>
        ))}
        {data && data.purchases.length === 0 ? <List.Item>{t('No buyers yet')}</List.Item> : null}
      </List>
      <PinPrompt
        visible={refundFor !== null}
        title={t('Refund the whole price')}
        onClose={() => setRefundFor(null)}
        onPin={(pin) => {
          if (refundFor) refund.mutate({ accountId: refundFor, pin });
          setRefundFor(null);
        }}
      />
    </>
  );
}

export function ArticlePage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [pinFor, setPinFor] = useState<'unlock' | 'tip' | null>(null);
  const [tipMinor, setTipMinor] = useState('');
  const { data, error } = useQuery({ queryKey: officialKeys.article(id), queryFn: () => officialApi.article(id) });
  const after = (message: string) => () => {
    Toast.show({ icon: 'success', content: message });
    refresh();
  };
  const unlock = useMutation({
    mutationFn: (pin: string) => officialApi.unlock(id, pin),
    onSuccess: after(t('Unlocked')),
    onError: (e) => Toast.show(errorText(e)),
  });
  const tip = useMutation({
    mutationFn: (pin: string) => officialApi.tip(id, tipMinor, pin),
    onSuccess: after(t('Thank you for the tip')),
    onError: (e) => Toast.show(errorText(e)),
  });
  const share = useMutation({
    mutationFn: async () => {
      await navigator.clipboard?.writeText(`${location.origin}/official/articles/${id}`).catch(() => {});
      return officialApi.share(id);
    },
    onSuccess: after(t('Link copied')),
  });
  const article = data?.article;
  if (error) return <Page title={t('Article')}>{<div className="empty-state">{errorText(error)}</div>}</Page>;
  if (!article) return <Page title={t('Article')}>{null}</Page>;
  return (
    <Page title={article.officialAccount.name} fallback="/official">
      <article className="official-article">
        <h1>{article.title}</h1>
        <div className="muted small">
          <button type="button" className="official-link" onClick={() => navigate(`/official/${article.officialAccount.id}`)}>
            {article.officialAccount.name}
          </button>{' '}
          · {relativeTime(article.createdAt, t, i18n.language)} · {t('Reads: {{count}}', { count: article.readCount })}
        </div>
        <Cover article={article} />
        <ArticleHtml html={article.bodyHtml} testId={TID.OFFICIAL_ARTICLE_BODY} />
        {article.locked ? (
          <div className="official-paywall" data-testid={TID.OFFICIAL_ARTICLE_LOCKED}>
            <p>{t('The rest of this article is paid.')}</p>
            <Button color="primary" block onClick={() => setPinFor('unlock')} data-testid={TID.OFFICIAL_UNLOCK}>
              {t('Unlock for ¥{{amount}}', { amount: formatMinor(article.priceMinor) })}
            </Button>
          </div>
        ) : null}
        <div className="official-actions">
          <Button size="small" onClick={() => share.mutate()} data-testid={TID.OFFICIAL_SHARE}>
            {t('Share')} · {article.shareCount}
          </Button>
          {!article.isAdmin ? (
            <Button
              size="small"
              color="warning"
              fill="outline"
              data-testid={TID.OFFICIAL_TIP}
              onClick={async () => {
                let text = '';
                const ok = await Dialog.confirm({
                  title: t('Tip the author'),
                  content: <Input placeholder={t('Amount (¥)')} onChange={(v) => (text = v)} aria-label={t('Amount (¥)')} />,
                });
                const minor = ok ? parseMajor(text) : undefined;
                if (ok && !minor) Toast.show(t('Enter an amount like 2.00'));
                if (minor) {
                  setTipMinor(minor);
                  setPinFor('tip');
                }
              }}
            >
              {t('Tip')}
            </Button>
          ) : null}
        </div>
      </article>
      {article.isAdmin && article.paid ? <Purchases articleId={id} /> : null}
      <Comments articleId={id} />
      <PinPrompt
        visible={pinFor !== null}
        title={
          pinFor === 'tip' ? t('Tip ¥{{amount}}', { amount: formatMinor(tipMinor || '0') }) : t('Pay ¥{{amount}}', { amount: formatMinor(article.priceMinor) })
        }
        onClose={() => setPinFor(null)}
        onPin={(pin) => {
          if (pinFor === 'tip') tip.mutate(pin);
          else unlock.mutate(pin);
          setPinFor(null);
        }}
      />
    </Page>
  );
}

/** A follower's thread with the account: their messages, auto-replies, admins' answers, and the menu. */
export function OfficialThreadPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const { data: accountData } = useQuery({ queryKey: officialKeys.account(id), queryFn: () => officialApi.get(id) });
  const { data } = useQuery({ queryKey: officialKeys.thread(id), queryFn: () => officialApi.thread(id) });
  const again = () => void queryClient.invalidateQueries({ queryKey: officialKeys.thread(id) });
  const send = useMutation({
    mutationFn: () => officialApi.send(id, text.trim()),
    onSuccess: () => {
      setText('');
      again();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const press = useMutation({
    mutationFn: (index: number) => officialApi.press(id, index),
    onSuccess: (result) => {
      if (result.url) window.open(result.url, '_blank', 'noopener');
      again();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const messages = [...(data?.messages ?? [])].reverse();
  const account = accountData?.account;
  return (
    <Page title={account?.name ?? t('Official Accounts')} fallback={`/official/${id}`}>
      <div className="official-thread">
        {messages.map((m) => (
          <div key={m.id} className={`official-bubble ${m.direction === 'in' ? 'mine' : 'theirs'}`}>
            {m.text}
          </div>
        ))}
        {messages.length === 0 ? <div className="empty-state small">{t('Write to this account, or use the menu below.')}</div> : null}
      </div>
      <div className="official-compose">
        <Input
          placeholder={t('Message')}
          value={text}
          onChange={setText}
          onEnterPress={() => text.trim() && send.mutate()}
          data-testid={TID.OFFICIAL_MESSAGE_INPUT}
          aria-label={t('Message')}
        />
        <Button color="primary" size="small" disabled={!text.trim()} onClick={() => send.mutate()} data-testid={TID.OFFICIAL_MESSAGE_SEND}>
          {t('Send')}
        </Button>
      </div>
      {account && account.menu.length > 0 ? (
        <div className="official-menu" role="menubar">
          {account.menu.map((b, index) => (
            <button
              key={`${b.label}:${b.url ?? b.reply ?? ''}`}
              type="button"
              role="menuitem"
              data-testid={TID.OFFICIAL_MENU_BUTTON}
              onClick={() => press.mutate(index)}
            >
              {b.label}
            </button>
          ))}
        </div>
      ) : null}
    </Page>
  );
}
