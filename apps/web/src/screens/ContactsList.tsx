import type { Contact } from '@plaza/client';
import { Badge, IndexBar, List } from 'antd-mobile';
import { GlobalOutline, TagOutline, TeamOutline, UserAddOutline } from 'antd-mobile-icons';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Avatar } from '../components/Avatar';
import { TopBar, usePendingRequestCount } from '../components/Shell';
import { displayName, indexLetter } from '../lib/format';
import { useContacts } from '../lib/queries';
import { TID } from '../testids';

export function groupContacts(contacts: Contact[]): { letter: string; items: Contact[] }[] {
  const collator = new Intl.Collator(['zh-Hans-u-co-pinyin', 'en'], { sensitivity: 'base' });
  const sorted = [...contacts].sort((a, b) => collator.compare(displayName(a.account, contacts), displayName(b.account, contacts)));
  const groups = new Map<string, Contact[]>();
  for (const c of sorted) {
    const letter = indexLetter(displayName(c.account, contacts));
    groups.set(letter, [...(groups.get(letter) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '#' ? 1 : b === '#' ? -1 : a.localeCompare(b))).map(([letter, items]) => ({ letter, items }));
}

export function ContactsList() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: contacts = [], isLoading } = useContacts();
  const requests = usePendingRequestCount();
  const groups = useMemo(() => groupContacts(contacts), [contacts]);
  return (
    <>
      <TopBar title={t('Contacts')} />
      <List className="contacts-entries">
        <List.Item
          prefix={
            <span className="entry-icon orange">
              <UserAddOutline />
            </span>
          }
          extra={requests > 0 ? <Badge content={requests} /> : null}
          onClick={() => navigate('/contacts/new-friends')}
          arrow={false}
        >
          <span data-testid={TID.NEW_FRIENDS_ENTRY}>{t('New Friends')}</span>
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon green">
              <TeamOutline />
            </span>
          }
          onClick={() => navigate('/contacts/groups')}
          arrow={false}
        >
          {t('Group Chats')}
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon blue">
              <TagOutline />
            </span>
          }
          onClick={() => navigate('/contacts/tags')}
          arrow={false}
        >
          {t('Tags')}
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon blue">
              <GlobalOutline />
            </span>
          }
          onClick={() => navigate('/official')}
          arrow={false}
        >
          <span data-testid={TID.OFFICIAL_ENTRY}>{t('Official Accounts')}</span>
        </List.Item>
      </List>
      {groups.length > 0 ? (
        <IndexBar className="contacts-index" sticky>
          {groups.map((group) => (
            <IndexBar.Panel index={group.letter} title={group.letter} key={group.letter}>
              <List>
                {group.items.map((c) => (
                  <List.Item
                    key={c.account.id}
                    prefix={<Avatar account={c.account} size={36} />}
                    onClick={() => navigate(`/profile/${c.account.id}`)}
                    arrow={false}
                  >
                    <span data-testid={TID.CONTACT_ROW} data-account-id={c.account.id}>
                      {displayName(c.account, contacts)}
                    </span>
                  </List.Item>
                ))}
              </List>
            </IndexBar.Panel>
          ))}
        </IndexBar>
      ) : !isLoading ? (
        <div className="empty-state">{t('No contacts yet: tap + to add a friend by their Plaza ID.')}</div>
      ) : null}
      {contacts.length > 0 ? <div className="list-footer">{t('{{count}} contacts', { count: contacts.length })}</div> : null}
    </>
  );
}
