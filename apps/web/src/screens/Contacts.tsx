import type { Account } from '@plaza/client';
import { Button, Dialog, List, Popup, Tag, Toast } from 'antd-mobile';
import { MoreOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Avatar } from '../components/Avatar';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { api, errorText, queryClient, useMyId } from '../lib/api';
import { displayName } from '../lib/format';
import { keys, sortConversations, useAccount, useContacts, useConversations, useFriendRequests, useMe } from '../lib/queries';
import { TID } from '../testids';
import { ConversationAvatar, useConversationTitle } from './ChatsList';

export async function openDirectChat(peerId: string, navigate: (path: string) => void) {
  try {
    const { conversation } = await api.createDirect(peerId);
    void queryClient.invalidateQueries({ queryKey: keys.conversations });
    navigate(`/chats/${conversation.id}`);
  } catch (error) {
    Toast.show({ icon: 'fail', content: errorText(error) });
  }
}

export function NewFriendsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: requests = [], isLoading } = useFriendRequests();
  const act = async (id: string, action: 'accept' | 'decline') => {
    try {
      if (action === 'accept') await api.acceptFriendRequest(id);
      else await api.declineFriendRequest(id);
      void queryClient.invalidateQueries({ queryKey: keys.friendRequests });
      void queryClient.invalidateQueries({ queryKey: keys.contacts });
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  return (
    <Page
      title={t('New Friends')}
      fallback="/contacts"
      right={
        <Button size="mini" fill="none" onClick={() => navigate('/add-contact')}>
          {t('Add')}
        </Button>
      }
    >
      <List>
        {requests.map((r) => {
          const other = r.direction === 'incoming' ? r.from : r.to;
          return (
            <List.Item
              key={r.id}
              prefix={<Avatar account={other} size={44} />}
              description={r.message || (r.direction === 'outgoing' ? t('Request sent') : '')}
              onClick={() => navigate(`/profile/${other.id}`)}
              arrow={false}
              extra={
                r.status === 'pending' && r.direction === 'incoming' ? (
                  <span className="row-actions">
                    <Button
                      size="mini"
                      color="primary"
                      data-testid={TID.NEW_FRIEND_ACCEPT}
                      data-request-id={r.id}
                      onClick={(e) => {
                        e.stopPropagation();
                        void act(r.id, 'accept');
                      }}
                    >
                      {t('Accept')}
                    </Button>
                    <Button
                      size="mini"
                      data-testid={TID.NEW_FRIEND_DECLINE}
                      onClick={(e) => {
                        e.stopPropagation();
                        void act(r.id, 'decline');
                      }}
                    >
                      {t('Decline')}
                    </Button>
                  </span>
                ) : (
                  <span className="muted">{r.status === 'accepted' ? t('Added') : r.status === 'declined' ? t('Declined') : t('Waiting')}</span>
                )
              }
            >
              {other.displayName}
            </List.Item>
          );
        })}
      </List>
      {!isLoading && requests.length === 0 ? <div className="empty-state">{t('No friend requests yet.')}</div> : null}
    </Page>
  );
}

export function GroupChatsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data = [] } = useConversations();
  const titleOf = useConversationTitle();
  const groups = sortConversations(data).filter((c) => c.kind === 'group');
  return (
    <Page title={t('Group Chats')} fallback="/contacts">
      <List>
        {groups.map((c) => (
          <List.Item key={c.id} prefix={<ConversationAvatar conversation={c} size={40} />} onClick={() => navigate(`/chats/${c.id}`)}>
            {titleOf(c)}
          </List.Item>
        ))}
      </List>
      {groups.length === 0 ? <div className="empty-state">{t('No group chats yet: tap + and choose New group chat.')}</div> : null}
    </Page>
  );
}

export function TagsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: contacts = [] } = useContacts();
  const tags = new Map<string, typeof contacts>();
  for (const c of contacts) for (const tag of c.tags ?? []) tags.set(tag, [...(tags.get(tag) ?? []), c]);
  return (
    <Page title={t('Tags')} fallback="/contacts">
      {[...tags.entries()].map(([tag, members]) => (
        <List key={tag} header={`${tag} (${members.length})`}>
          {members.map((c) => (
            <List.Item key={c.account.id} prefix={<Avatar account={c.account} size={36} />} onClick={() => navigate(`/profile/${c.account.id}`)}>
              {displayName(c.account, contacts)}
            </List.Item>
          ))}
        </List>
      ))}
      {tags.size === 0 ? <div className="empty-state">{t('No tags yet: open a contact, tap More and add tags.')}</div> : null}
    </Page>
  );
}

export function ProfilePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const myId = useMyId();
  const { data: contacts = [] } = useContacts();
  const contact = contacts.find((c) => c.account.id === id);
  const { data: fetched } = useAccount(contact ? '' : id);
  const { data: me } = useMe();
  const account: Account | undefined = contact?.account ?? (id === myId ? me : fetched);
  const [more, setMore] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.contacts });

  const setRemark = async () => {
    let value = contact?.remark ?? '';
    const ok = await Dialog.confirm({
      title: t('Set remark'),
      content: <Field defaultValue={value} onValue={(v) => (value = v)} aria-label={t('Remark')} autoFocus />,
      confirmText: t('Save'),
      cancelText: t('Cancel'),
    });
    if (!ok) return;
    await api.updateContact(id, { remark: value.trim() || null }).catch((e: unknown) => Toast.show({ content: errorText(e) }));
    refresh();
  };
  const setTags = async () => {
    let value = (contact?.tags ?? []).join(', ');
    const ok = await Dialog.confirm({
      title: t('Tags'),
      content: (
        <Field defaultValue={value} onValue={(v) => (value = v)} aria-label={t('Tags, separated by commas')} placeholder={t('Family, Work')} autoFocus />
      ),
      confirmText: t('Save'),
      cancelText: t('Cancel'),
    });
    if (!ok) return;
    const tags = value
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean);
    await api.updateContact(id, { tags }).catch((e: unknown) => Toast.show({ content: errorText(e) }));
    refresh();
  };
  const block = async () => {
    if (!(await Dialog.confirm({ content: t('Block this person? They will not be able to message you.'), confirmText: t('Block'), cancelText: t('Cancel') })))
      return;
    await api
      .block(id)
      .then(() => Toast.show({ content: t('Blocked') }))
      .catch((e: unknown) => Toast.show({ content: errorText(e) }));
  };
  const remove = async () => {
    if (!(await Dialog.confirm({ content: t('Delete this contact?'), confirmText: t('Delete'), cancelText: t('Cancel') }))) return;
    try {
      await api.deleteContact(id);
      refresh();
      navigate('/contacts');
    } catch (e) {
      Toast.show({ content: errorText(e) });
    }
  };
  const addFriend = async () => {
    let message = t('Hi, I am {{name}}', { name: me?.displayName ?? '' });
    const ok = await Dialog.confirm({
      title: t('Send friend request'),
      content: <Field defaultValue={message} onValue={(v) => (message = v)} aria-label={t('Greeting')} maxLength={120} />,
      confirmText: t('Send'),
      cancelText: t('Cancel'),
    });
    if (!ok) return;
    try {
      await api.sendFriendRequest({ accountId: id, message });
      Toast.show({ icon: 'success', content: t('Request sent') });
      void queryClient.invalidateQueries({ queryKey: keys.friendRequests });
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorText(e) });
    }
  };

  return (
    <Page
      title=""
      fallback="/contacts"
      right={
        contact ? (
          <button type="button" className="icon-button" aria-label={t('More')} data-testid={TID.PROFILE_MORE} onClick={() => setMore(true)}>
            <MoreOutline fontSize={22} />
          </button>
        ) : null
      }
    >
      <div className="profile-card">
        <Avatar account={account} size={72} />
        <div>
          <h2>{contact?.remark || account?.displayName}</h2>
          {contact?.remark ? (
            <div className="muted">
              {t('Name')}: {account?.displayName}
            </div>
          ) : null}
          <div className="muted">
            {t('Plaza ID')}: {account?.handle}
          </div>
          {account?.region ? (
            <div className="muted">
              {t('Region')}: {account.region}
            </div>
          ) : null}
          {contact?.tags?.length ? (
            <div className="tag-row">
              {contact.tags.map((tag) => (
                <Tag key={tag} color="primary" fill="outline">
                  {tag}
                </Tag>
              ))}
            </div>
          ) : null}
        </div>
      </div>
      {contact ? (
        <List>
          <List.Item onClick={() => void setRemark()}>{t('Set remark and tags')}</List.Item>
          <List.Item onClick={() => navigate('/discover/moments')}>{t('Moments')}</List.Item>
        </List>
      ) : null}
      <div className="profile-actions">
        {contact ? (
          <Button block color="primary" data-testid={TID.PROFILE_MESSAGE} onClick={() => void openDirectChat(id, navigate)}>
            {t('Message')}
          </Button>
        ) : id !== myId && account ? (
          <Button block color="primary" data-testid={TID.PROFILE_ADD} onClick={() => void addFriend()}>
            {t('Add to contacts')}
          </Button>
        ) : null}
      </div>
      <Popup visible={more} onMaskClick={() => setMore(false)} bodyClassName="sheet">
        {[
          { label: t('Set remark'), run: setRemark },
          { label: t('Set tags'), run: setTags },
          { label: t('Block'), run: block, danger: true },
          { label: t('Delete contact'), run: remove, danger: true },
        ].map((item) => (
          <button
            key={item.label}
            type="button"
            className={`sheet-item ${item.danger ? 'danger' : ''}`}
            onClick={() => {
              setMore(false);
              void item.run();
            }}
          >
            {item.label}
          </button>
        ))}
        <button type="button" className="sheet-item cancel" onClick={() => setMore(false)}>
          {t('Cancel')}
        </button>
      </Popup>
    </Page>
  );
}

export function AddContactPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const { data: contacts = [] } = useContacts();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Account[] | null>(null);
  const [greeting, setGreeting] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Set<string>>(new Set());
  const search = async () => {
    const q = query.trim();
    if (!q) return;
    setBusy(true);
    try {
      const isPhone = /^\+?[0-9]{5,15}$/.test(q);
      const { accounts } = await api.searchAccounts(isPhone ? { phone: q } : { handle: q });
      setResults(accounts);
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
      setResults([]);
    } finally {
      setBusy(false);
    }
  };
  const add = async (account: Account) => {
    try {
      await api.sendFriendRequest({ accountId: account.id, message: greeting || t('Hi, I am {{name}}', { name: me?.displayName ?? '' }) });
      setSent((old) => new Set(old).add(account.id));
      Toast.show({ icon: 'success', content: t('Request sent') });
      void queryClient.invalidateQueries({ queryKey: keys.friendRequests });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  return (
    <Page title={t('Add contacts')} fallback="/contacts">
      <form
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <Field
          data-testid={TID.ADD_CONTACT_INPUT}
          value={query}
          onValue={setQuery}
          placeholder={t('Plaza ID or phone number')}
          aria-label={t('Plaza ID or phone number')}
          autoCapitalize="off"
          autoCorrect="off"
          enterKeyHint="search"
        />
        <Button color="primary" type="submit" loading={busy} disabled={!query.trim()} data-testid={TID.ADD_CONTACT_SEARCH}>
          {t('Search')}
        </Button>
      </form>
      <p className="muted padded-x">
        {t('My Plaza ID')}: {me?.handle}
      </p>
      {results?.map((account) => {
        const isContact = contacts.some((c) => c.account.id === account.id);
        return (
          <div key={account.id} className="search-result" data-testid={TID.ADD_CONTACT_RESULT} data-account-id={account.id}>
            <button type="button" className="search-result-head" onClick={() => navigate(`/profile/${account.id}`)}>
              <Avatar account={account} size={56} />
              <span>
                <strong>{account.displayName}</strong>
                <span className="muted">
                  {t('Plaza ID')}: {account.handle}
                </span>
              </span>
            </button>
            {isContact ? (
              <Button block color="primary" onClick={() => void openDirectChat(account.id, navigate)}>
                {t('Message')}
              </Button>
            ) : account.id === me?.id ? null : (
              <>
                <Field
                  data-testid={TID.ADD_CONTACT_GREETING}
                  value={greeting}
                  onValue={setGreeting}
                  placeholder={t('Hi, I am {{name}}', { name: me?.displayName ?? '' })}
                  aria-label={t('Greeting')}
                  maxLength={120}
                />
                <Button block color="primary" disabled={sent.has(account.id)} data-testid={TID.ADD_CONTACT_ADD} onClick={() => void add(account)}>
                  {sent.has(account.id) ? t('Request sent') : t('Add')}
                </Button>
              </>
            )}
          </div>
        );
      })}
      {results && results.length === 0 ? <div className="empty-state">{t('No account found. Check the ID, or the person may have hidden it.')}</div> : null}
    </Page>
  );
}
