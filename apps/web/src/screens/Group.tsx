import type { Id, Member } from '@plaza/client';
import { Button, Checkbox, Dialog, List, Popup, Switch, Toast } from 'antd-mobile';
import { AddOutline, MinusOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { Avatar } from '../components/Avatar';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { QrImage } from '../components/QrImage';
import { api, errorText, queryClient, useMyId } from '../lib/api';
import { displayName } from '../lib/format';
import { keys, useContacts, useConversation } from '../lib/queries';
import { TID } from '../testids';
import { groupContacts } from './ContactsList';

function ContactChecklist({ value, onChange, exclude = [] }: { value: Id[]; onChange: (ids: Id[]) => void; exclude?: Id[] }) {
  const { t } = useTranslation();
  const { data: contacts = [] } = useContacts();
  const [filter, setFilter] = useState('');
  const visible = contacts.filter(
    (c) => !exclude.includes(c.account.id) && displayName(c.account, contacts).toLowerCase().includes(filter.trim().toLowerCase()),
  );
  return (
    <>
      <div className="padded-x">
        <Field value={filter} onValue={setFilter} placeholder={t('Search')} aria-label={t('Search contacts')} />
      </div>
      <Checkbox.Group value={value} onChange={(v) => onChange(v.map(String))}>
        {groupContacts(visible).map((group) => (
          <List key={group.letter} header={group.letter}>
            {group.items.map((c) => (
              <List.Item key={c.account.id} arrow={false}>
                <Checkbox value={c.account.id} data-testid={TID.GROUP_MEMBER_CHECKBOX} data-account-id={c.account.id} className="check-item">
                  <span className="check-row">
                    <Avatar account={c.account} size={36} />
                    {displayName(c.account, contacts)}
                  </span>
                </Checkbox>
              </List.Item>
            ))}
          </List>
        ))}
      </Checkbox.Group>
      {contacts.length === 0 ? <div className="empty-state">{t('No contacts yet: add friends first.')}</div> : null}
    </>
  );
}

export function NewGroupPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const preselect = (useLocation().state as { preselect?: Id[] } | null)?.preselect;
  const [selected, setSelected] = useState<Id[]>(preselect ?? []);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      const { conversation } = await api.createGroup(selected, title.trim() || undefined);
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      navigate(`/chats/${conversation.id}`, { replace: true });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page
      title={t('New group chat')}
      fallback="/chats"
      right={
        <Button
          size="small"
          color="primary"
          disabled={selected.length === 0}
          loading={busy}
          onClick={() => void create()}
          data-testid={TID.GROUP_CREATE_BUTTON}
        >
          {selected.length > 0 ? t('Done ({{count}})', { count: selected.length }) : t('Done')}
        </Button>
      }
    >
      <div className="padded-x">
        <Field
          value={title}
          onValue={setTitle}
          placeholder={t('Group name (optional)')}
          aria-label={t('Group name')}
          maxLength={40}
          data-testid="group-title-input"
        />
      </div>
      <ContactChecklist value={selected} onChange={setSelected} />
    </Page>
  );
}

export function GroupInfoPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const myId = useMyId();
  const { data } = useConversation(id);
  const conversation = data?.conversation;
  const members = data?.members ?? [];
  const [adding, setAdding] = useState(false);
  const [toAdd, setToAdd] = useState<Id[]>([]);
  const [removing, setRemoving] = useState(false);
  const [inviteText, setInviteText] = useState<string | null>(null);
  const [memberMenu, setMemberMenu] = useState<Member | null>(null);
  const isOwner = conversation?.role === 'owner';
  const isGroup = conversation?.kind !== 'direct';
  // A direct chat's info shows only the other person; "+" starts a group with them.
  const shown = isGroup ? members : members.filter((m) => m.account.id !== myId);
  const isAdmin = conversation?.role === 'owner' || conversation?.role === 'admin';
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.conversation(id) });
    void queryClient.invalidateQueries({ queryKey: keys.conversations });
  };
  const run = async (action: () => Promise<unknown>) => {
    try {
      await action();
      refresh();
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  const edit = async (field: 'title' | 'notice') => {
    let value = (field === 'title' ? conversation?.title : conversation?.notice) ?? '';
    const ok = await Dialog.confirm({
      title: field === 'title' ? t('Group name') : t('Group notice'),
      content: <Field defaultValue={value} onValue={(v) => (value = v)} aria-label={field === 'title' ? t('Group name') : t('Group notice')} autoFocus />,
      confirmText: t('Save'),
      cancelText: t('Cancel'),
    });
    if (ok) await run(() => api.updateConversation(id, { [field]: value.trim() }));
  };
  const showInvite = async () => {
    try {
      const { invite } = await api.createInvite(id);
      setInviteText(invite.qrText);
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  const leave = async () => {
    if (!(await Dialog.confirm({ content: t('Leave this group?'), confirmText: t('Leave'), cancelText: t('Cancel') }))) return;
    try {
      await api.leaveConversation(id);
      queryClient.setQueryData(keys.conversations, (old: { id: string }[] | undefined) => old?.filter((c) => c.id !== id));
      navigate('/chats', { replace: true });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  return (
    <Page title={isGroup ? `${t('Chat info')} (${members.length})` : t('Chat info')} fallback={`/chats/${id}`}>
      <div className="member-grid">
        {shown.map((m) => (
          <button
            key={m.account.id}
            type="button"
            className="member-cell"
            data-testid={TID.GROUP_MEMBER}
            data-account-id={m.account.id}
            onClick={() => {
              if (removing && m.account.id !== myId) void run(() => api.removeMember(id, m.account.id));
              else if (isAdmin && isGroup && m.account.id !== myId) setMemberMenu(m);
              else navigate(`/profile/${m.account.id}`);
            }}
          >
            <span className={removing && m.account.id !== myId && m.role !== 'owner' ? 'removable' : ''}>
              <Avatar account={m.account} size={48} />
            </span>
            <span className="member-name">{m.remark || m.account.displayName}</span>
            {m.role !== 'member' ? <span className="member-role">{t(m.role === 'owner' ? 'Owner' : 'Admin')}</span> : null}
          </button>
        ))}
        <button
          type="button"
          className="member-cell"
          aria-label={t('Add members')}
          data-testid={TID.GROUP_ADD_MEMBER}
          onClick={() => (isGroup ? setAdding(true) : navigate('/new-group', { state: { preselect: shown.map((m) => m.account.id) } }))}
        >
          <span className="member-add">
            <AddOutline fontSize={22} />
          </span>
        </button>
        {isAdmin && isGroup ? (
          <button type="button" className="member-cell" aria-label={t('Remove members')} onClick={() => setRemoving((v) => !v)}>
            <span className={`member-add ${removing ? 'on' : ''}`}>
              <MinusOutline fontSize={22} />
            </span>
          </button>
        ) : null}
      </div>
      {isGroup ? (
        <List>
          <List.Item extra={conversation?.title} onClick={() => void edit('title')} data-testid={TID.GROUP_RENAME}>
            <span data-testid={TID.GROUP_RENAME}>{t('Group name')}</span>
          </List.Item>
          <List.Item description={conversation?.notice || t('None')} onClick={isAdmin ? () => void edit('notice') : undefined}>
            <span data-testid={TID.GROUP_NOTICE}>{t('Group notice')}</span>
          </List.Item>
          <List.Item onClick={() => void showInvite()}>
            <span data-testid={TID.GROUP_INVITE_QR_BUTTON}>{t('Group QR code')}</span>
          </List.Item>
        </List>
      ) : null}
      <List className="list-gap">
        <List.Item
          extra={
            <Switch
              checked={conversation?.muted ?? false}
              data-testid={TID.GROUP_MUTE}
              onChange={(muted) => void run(() => api.updateConversationSettings(id, { muted }))}
              aria-label={t('Mute notifications')}
            />
          }
        >
          {t('Mute notifications')}
        </List.Item>
        <List.Item
          extra={
            <Switch
              checked={conversation?.pinned ?? false}
              data-testid={TID.GROUP_PIN}
              onChange={(pinned) => void run(() => api.updateConversationSettings(id, { pinned }))}
              aria-label={t('Pin chat')}
            />
          }
        >
          {t('Pin chat')}
        </List.Item>
      </List>
      {isGroup ? (
        <div className="padded">
          <Button block color="danger" fill="outline" onClick={() => void leave()} data-testid={TID.GROUP_LEAVE}>
            {t('Leave group')}
          </Button>
        </div>
      ) : null}
      <Popup visible={adding} onMaskClick={() => setAdding(false)} bodyClassName="sheet tall">
        <div className="sheet-title">{t('Add members')}</div>
        <div className="picker-list">
          <ContactChecklist value={toAdd} onChange={setToAdd} exclude={members.map((m) => m.account.id)} />
        </div>
        <div className="sheet-actions">
          <Button onClick={() => setAdding(false)}>{t('Cancel')}</Button>
          <Button
            color="primary"
            disabled={toAdd.length === 0}
            onClick={() => {
              setAdding(false);
              void run(() => api.addMembers(id, toAdd)).then(() => setToAdd([]));
            }}
          >
            {t('Add')}
          </Button>
        </div>
      </Popup>
      <Popup visible={memberMenu !== null} onMaskClick={() => setMemberMenu(null)} bodyClassName="sheet">
        {memberMenu
          ? [
              { key: 'profile', label: t('View profile'), run: () => navigate(`/profile/${memberMenu.account.id}`) },
              ...(isOwner
                ? [
                    memberMenu.role === 'admin'
                      ? { key: 'demote', label: t('Remove admin'), run: () => void run(() => api.setMemberRole(id, memberMenu.account.id, 'member')) }
                      : { key: 'promote', label: t('Make admin'), run: () => void run(() => api.setMemberRole(id, memberMenu.account.id, 'admin')) },
                    {
                      key: 'owner',
                      label: t('Transfer ownership'),
                      run: async () => {
                        const ok = await Dialog.confirm({
                          content: t('Make {{name}} the group owner?', { name: memberMenu.account.displayName }),
                          confirmText: t('Transfer'),
                          cancelText: t('Cancel'),
                        });
                        if (ok) await run(() => api.transferOwner(id, memberMenu.account.id));
                      },
                    },
                  ]
                : []),
              ...(memberMenu.role === 'owner' || (!isOwner && memberMenu.role === 'admin')
                ? []
                : [{ key: 'remove', label: t('Remove from group'), danger: true, run: () => void run(() => api.removeMember(id, memberMenu.account.id)) }]),
            ].map((item) => (
              <button
                key={item.key}
                type="button"
                className={`sheet-item ${'danger' in item && item.danger ? 'danger' : ''}`}
                onClick={() => {
                  setMemberMenu(null);
                  void item.run();
                }}
              >
                {item.label}
              </button>
            ))
          : null}
        <button type="button" className="sheet-item cancel" onClick={() => setMemberMenu(null)}>
          {t('Cancel')}
        </button>
      </Popup>
      <Popup visible={inviteText !== null} onMaskClick={() => setInviteText(null)} bodyClassName="sheet">
        <div className="invite-qr">
          <strong>{conversation?.title}</strong>
          {inviteText ? <QrImage text={inviteText} size={240} alt={t('Group QR code')} testId={TID.GROUP_INVITE_QR} /> : null}
          <p className="muted">{t('Scan with Plaza to join this group')}</p>
        </div>
      </Popup>
    </Page>
  );
}
