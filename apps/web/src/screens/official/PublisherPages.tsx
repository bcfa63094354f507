import { Button, Input, List, Radio, Space, Tabs, Tag, TextArea, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { Field } from '../../components/Field';
import { Page } from '../../components/Page';
import { api, errorText, queryClient, useMyId } from '../../lib/api';
import { TID } from '../../testids';
import { EChart } from '../wallet/EChart';
import { formatMinor, parseMajor } from '../wallet/api';
import { type MenuButton, type OfficialAccount, officialApi, officialKeys } from './api';
import { RichTextEditor } from './RichText';
import './official.css';

const refresh = () => void queryClient.invalidateQueries({ queryKey: officialKeys.all });

function statusTag(account: OfficialAccount, t: (key: string) => string) {
  if (account.verified) return <Tag color="primary">{t('Verified')}</Tag>;
  return <Tag color={account.status === 'rejected' ? 'danger' : 'default'}>{t(account.status === 'rejected' ? 'Rejected' : 'Pending review')}</Tag>;
}

/** Accounts I own or administer, and the form to register a new one. */
export function MyOfficialAccountsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data } = useQuery({ queryKey: officialKeys.mine, queryFn: () => officialApi.mine() });
  const [type, setType] = useState<'subscription' | 'service'>('subscription');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [avatarMediaId, setAvatarMediaId] = useState<string | undefined>();
  const register = useMutation({
    mutationFn: () => officialApi.register({ type, name: name.trim(), description: description.trim(), ...(avatarMediaId ? { avatarMediaId } : {}) }),
    onSuccess: () => {
      setName('');
      setDescription('');
      setAvatarMediaId(undefined);
      Toast.show(t('Registered: an operator will review it'));
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <Page title={t('My Official Accounts')} fallback="/official">
      <List>
        {(data?.accounts ?? []).map((a) => (
          <List.Item
            key={a.id}
            onClick={() => navigate(a.verified ? `/official/${a.id}/manage` : `/official/${a.id}`)}
            extra={statusTag(a, t)}
            description={a.reviewNote || a.description}
          >
            {a.name}
          </List.Item>
        ))}
        {data && data.accounts.length === 0 ? <List.Item>{t('You have no Official Account yet.')}</List.Item> : null}
      </List>
      <div className="form-card">
        <h3>{t('Register an Official Account')}</h3>
        <Radio.Group value={type} onChange={(v) => setType(v as 'subscription' | 'service')}>
          <Space direction="vertical">
            <Radio value="subscription">{t('Subscription account: one broadcast a day')}</Radio>
            <Radio value="service">{t('Service account: four broadcasts a month')}</Radio>
          </Space>
        </Radio.Group>
        <Field aria-label={t('Name')} placeholder={t('Name')} value={name} onValue={setName} maxLength={40} data-testid={TID.OFFICIAL_REGISTER_NAME} />
        <TextArea placeholder={t('Description')} value={description} onChange={setDescription} maxLength={500} rows={3} />
        <ImageUpload label={t('Avatar')} onUploaded={setAvatarMediaId} />
        <Button
          block
          color="primary"
          disabled={!name.trim()}
          loading={register.isPending}
          onClick={() => register.mutate()}
          data-testid={TID.OFFICIAL_REGISTER_SUBMIT}
        >
          {t('Register')}
        </Button>
      </div>
    </Page>
  );
}

function PublishTab({ id }: { id: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [bodyHtml, setBodyHtml] = useState('');
  const [previewHtml, setPreviewHtml] = useState('');
  const [price, setPrice] = useState('');
  const [coverMediaId, setCoverMediaId] = useState<string | undefined>();
  const [editorKey, setEditorKey] = useState(0);
  const publish = useMutation({
    mutationFn: () => {
      const priceMinor = price.trim() ? parseMajor(price) : undefined;
      if (price.trim() && !priceMinor) throw new Error(t('Enter a price like 9.90'));
      return officialApi.publish(id, {
        title: title.trim(),
        bodyHtml,
        ...(priceMinor ? { priceMinor, previewHtml } : {}),
        ...(coverMediaId ? { coverMediaId } : {}),
      });
    },
    onSuccess: ({ article }) => {
      setTitle('');
      setPrice('');
      setBodyHtml('');
      setPreviewHtml('');
      setCoverMediaId(undefined);
      setEditorKey((k) => k + 1);
      Toast.show(t('Broadcast sent'));
      refresh();
      navigate(`/official/articles/${article.id}`);
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <div className="form-card">
      <Field aria-label={t('Title')} placeholder={t('Title')} value={title} onValue={setTitle} maxLength={120} data-testid={TID.OFFICIAL_PUBLISH_TITLE} />
      <ImageUpload label={t('Cover image')} onUploaded={setCoverMediaId} />
      <RichTextEditor key={`body-${editorKey}`} onChange={setBodyHtml} placeholder={t('Write the article')} />
      <Field
        aria-label={t('Price (¥, empty for free)')}
        placeholder={t('Price (¥, empty for free)')}
        value={price}
        onValue={setPrice}
        inputMode="decimal"
        data-testid={TID.OFFICIAL_PUBLISH_PRICE}
      />
      {price.trim() ? (
        <>
          <div className="muted small">{t('Free preview shown before unlocking')}</div>
          <RichTextEditor key={`preview-${editorKey}`} onChange={setPreviewHtml} placeholder={t('Free preview')} testId="official-preview-editor" />
        </>
      ) : null}
      <Button
        block
        color="primary"
        disabled={!title.trim() || !bodyHtml}
        loading={publish.isPending}
        onClick={() => publish.mutate()}
        data-testid={TID.OFFICIAL_PUBLISH_SUBMIT}
      >
        {t('Publish and broadcast')}
      </Button>
    </div>
  );
}

function MessagesTab({ id }: { id: string }) {
  const { t } = useTranslation();
  const [memberId, setMemberId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const { data } = useQuery({ queryKey: ['official', 'threads', id], queryFn: () => officialApi.threads(id) });
  const thread = useQuery({
    queryKey: ['official', 'member-thread', id, memberId],
    queryFn: () => officialApi.memberThread(id, memberId ?? ''),
    enabled: memberId !== null,
  });
  const reply = useMutation({
    mutationFn: () => officialApi.reply(id, memberId ?? '', text.trim()),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['official', 'member-thread', id, memberId] });
      void queryClient.invalidateQueries({ queryKey: ['official', 'threads', id] });
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  if (memberId) {
    return (
      <>
        <Button size="small" fill="none" onClick={() => setMemberId(null)}>
          {t('Back')}
        </Button>
        <div className="official-thread">
          {[...(thread.data?.messages ?? [])].reverse().map((m) => (
            <div key={m.id} className={`official-bubble ${m.direction === 'out' ? 'mine' : 'theirs'}`}>
              {m.auto ? <span className="muted small">{t('Auto-reply')} · </span> : null}
              {m.text}
            </div>
          ))}
        </div>
        <div className="official-compose">
          <Input placeholder={t('Reply')} value={text} onChange={setText} aria-label={t('Reply')} />
          <Button color="primary" size="small" disabled={!text.trim()} onClick={() => reply.mutate()}>
            {t('Send')}
          </Button>
        </div>
      </>
    );
  }
  return (
    <List>
      {(data?.threads ?? []).map((th) => (
        <List.Item
          key={th.member?.id}
          prefix={<Avatar account={th.member} size={32} />}
          description={th.lastMessage?.text}
          onClick={() => th.member && setMemberId(th.member.id)}
        >
          {th.member?.displayName}
        </List.Item>
      ))}
      {data && data.threads.length === 0 ? <List.Item>{t('No messages from followers yet')}</List.Item> : null}
    </List>
  );
}

function RepliesTab({ account }: { account: OfficialAccount }) {
  const { t } = useTranslation();
  const id = account.id;
  const [keyword, setKeyword] = useState('');
  const [reply, setReply] = useState('');
  const [menu, setMenu] = useState<(MenuButton & { key: number })[]>(() => account.menu.map((b, i) => ({ ...b, key: i })));
  const nextKey = useRef(account.menu.length);
  const { data } = useQuery({ queryKey: ['official', 'auto-replies', id], queryFn: () => officialApi.autoReplies(id) });
  const again = () => void queryClient.invalidateQueries({ queryKey: ['official', 'auto-replies', id] });
  const add = useMutation({
    mutationFn: () => officialApi.addAutoReply(id, keyword.trim() || null, reply.trim()),
    onSuccess: () => {
      setKeyword('');
      setReply('');
      again();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const remove = useMutation({ mutationFn: (replyId: string) => officialApi.removeAutoReply(id, replyId), onSuccess: again });
  const saveMenu = useMutation({
    mutationFn: () => officialApi.update(id, { menu: menu.filter((b) => b.label.trim()).map(({ key: _key, ...b }) => b) }),
    onSuccess: () => {
      Toast.show(t('Saved'));
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const setButton = (index: number, change: Partial<MenuButton>) => setMenu((old) => old.map((b, i) => (i === index ? { ...b, ...change } : b)));
  return (
    <>
      <List header={t('Auto-replies')}>
        {(data?.autoReplies ?? []).map((r) => (
          <List.Item
            key={r.id}
            description={r.reply}
            extra={
              <Button size="mini" fill="none" color="danger" onClick={() => remove.mutate(r.id)}>
                {t('Remove')}
              </Button>
            }
          >
            {r.keyword ?? t('Default reply')}
          </List.Item>
        ))}
      </List>
      <div className="form-card">
        <Field
          aria-label={t('Keyword (empty for the default reply)')}
          placeholder={t('Keyword (empty for the default reply)')}
          value={keyword}
          onValue={setKeyword}
        />
        <TextArea placeholder={t('Reply')} value={reply} onChange={setReply} rows={2} />
        <Button block disabled={!reply.trim()} onClick={() => add.mutate()}>
          {t('Add auto-reply')}
        </Button>
      </div>
      <List header={t('Menu')}>{null}</List>
      <div className="form-card">
        {menu.map((b, index) => (
          <div key={b.key} className="official-menu-edit">
            <Field
              aria-label={t('Button label')}
              placeholder={t('Button label')}
              value={b.label}
              onValue={(label) => setButton(index, { label })}
              maxLength={16}
            />
            <Radio.Group value={b.action} onChange={(v) => setButton(index, { action: v as MenuButton['action'] })}>
              <Space>
                <Radio value="reply">{t('Reply')}</Radio>
                <Radio value="link">{t('Link')}</Radio>
              </Space>
            </Radio.Group>
            {b.action === 'reply' ? (
              <Field aria-label={t('Reply')} placeholder={t('Reply')} value={b.reply ?? ''} onValue={(v) => setButton(index, { reply: v })} />
            ) : (
              <Field aria-label={t('Link address (https://…)')} placeholder="https://" value={b.url ?? ''} onValue={(v) => setButton(index, { url: v })} />
            )}
            <Button size="mini" fill="none" color="danger" onClick={() => setMenu((old) => old.filter((_, i) => i !== index))}>
              {t('Remove')}
            </Button>
          </div>
        ))}
        {menu.length < 5 ? (
          <Button size="small" onClick={() => setMenu((old) => [...old, { label: '', action: 'reply', reply: '', key: nextKey.current++ }])}>
            {t('Add button')}
          </Button>
        ) : null}
        <Button block color="primary" onClick={() => saveMenu.mutate()}>
          {t('Save menu')}
        </Button>
      </div>
    </>
  );
}

function StatsTab({ id }: { id: string }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['official', 'stats', id], queryFn: () => officialApi.stats(id, 30) });
  const days = data?.stats.days ?? [];
  const labels = days.map((d) => d.day.slice(5));
  const followers = useMemo(
    () => ({
      title: { text: t('Followers'), textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'line', data: days.map((d) => d.followers), smooth: true, areaStyle: {} }],
      grid: { left: 40, right: 16, top: 40, bottom: 24 },
    }),
    [days, labels, t],
  );
  const engagement = useMemo(
    () => ({
      title: { text: t('Reads and shares'), textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: [t('Reads'), t('Shares')], top: 0, right: 0 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('Reads'), type: 'bar', data: days.map((d) => d.reads) },
        { name: t('Shares'), type: 'bar', data: days.map((d) => d.shares) },
      ],
      grid: { left: 40, right: 16, top: 40, bottom: 24 },
    }),
    [days, labels, t],
  );
  const revenue = useMemo(
    () => ({
      title: { text: t('Revenue (¥)'), textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: [t('Paid articles'), t('Tips')], top: 0, right: 0 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value' },
      series: [
        { name: t('Paid articles'), type: 'bar', stack: 'money', data: days.map((d) => Number(formatMinor(d.revenueMinor))) },
        { name: t('Tips'), type: 'bar', stack: 'money', data: days.map((d) => Number(formatMinor(d.tipsMinor))) },
      ],
      grid: { left: 48, right: 16, top: 40, bottom: 24 },
    }),
    [days, labels, t],
  );
  const total = days.reduce((sum, d) => sum + Number(d.revenueMinor) + Number(d.tipsMinor), 0);
  return (
    <div data-testid={TID.OFFICIAL_STATS} className="official-stats">
      <p>
        {t('Followers: {{count}}', { count: data?.stats.followerCount ?? 0 })} · {t('30-day revenue')} ¥{formatMinor(total)}
      </p>
      <EChart option={followers} />
      <EChart option={engagement} />
      <EChart option={revenue} />
    </div>
  );
}

function SettingsTab({ account }: { account: OfficialAccount }) {
  const { t } = useTranslation();
  const id = account.id;
  const [description, setDescription] = useState(account.description);
  const [handle, setHandle] = useState('');
  const { data } = useQuery({ queryKey: ['official', 'admins', id], queryFn: () => officialApi.admins(id) });
  const again = () => void queryClient.invalidateQueries({ queryKey: ['official', 'admins', id] });
  const save = useMutation({
    mutationFn: (body: { description?: string; avatarMediaId?: string }) => officialApi.update(id, body),
    onSuccess: () => {
      Toast.show(t('Saved'));
      refresh();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const add = useMutation({
    mutationFn: () => officialApi.addAdmin(id, handle.trim()),
    onSuccess: () => {
      setHandle('');
      again();
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: (accountId: string) => officialApi.removeAdmin(id, accountId),
    onSuccess: again,
    onError: (e) => Toast.show(errorText(e)),
  });
  const owner = account.ownerId === useMyId();
  return (
    <>
      <div className="form-card">
        <TextArea placeholder={t('Description')} value={description} onChange={setDescription} maxLength={500} rows={3} />
        <ImageUpload label={t('Avatar')} onUploaded={(mediaId) => save.mutate({ avatarMediaId: mediaId })} />
        <Button block color="primary" onClick={() => save.mutate({ description })}>
          {t('Save')}
        </Button>
      </div>
      <List header={t('Admins')}>
        {(data?.admins ?? []).map((a) => (
          <List.Item
            key={a.id}
            prefix={<Avatar account={a} size={32} />}
            description={a.handle}
            extra={
              a.owner ? (
                t('Owner')
              ) : (
                <Button size="mini" fill="none" color="danger" onClick={() => remove.mutate(a.id)}>
                  {t('Remove')}
                </Button>
              )
            }
          >
            {a.displayName}
          </List.Item>
        ))}
      </List>
      {owner ? (
        <div className="form-card">
          <Field aria-label={t('Plaza ID of the new admin')} placeholder={t('Plaza ID of the new admin')} value={handle} onValue={setHandle} />
          <Button block disabled={!handle.trim()} onClick={() => add.mutate()}>
            {t('Add admin')}
          </Button>
        </div>
      ) : null}
    </>
  );
}

/** The publisher's console for one account: publish, messages, auto-replies and menu, statistics. */
export function ManageOfficialAccountPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: officialKeys.account(id), queryFn: () => officialApi.get(id) });
  const account = data?.account;
  return (
    <Page title={account ? `${account.name} · ${t('Manage')}` : t('Manage')} fallback={`/official/${id}`}>
      {account && !account.verified ? <div className="empty-state small">{t('Waiting for an operator to verify this account.')}</div> : null}
      {account ? (
        <Tabs defaultActiveKey="publish">
          <Tabs.Tab title={t('Publish')} key="publish">
            <PublishTab id={id} />
          </Tabs.Tab>
          <Tabs.Tab title={t('Messages')} key="messages">
            <MessagesTab id={id} />
          </Tabs.Tab>
          <Tabs.Tab title={t('Replies & menu')} key="replies">
            <RepliesTab account={account} />
          </Tabs.Tab>
          <Tabs.Tab title={t('Statistics')} key="stats">
            <StatsTab id={id} />
          </Tabs.Tab>
          <Tabs.Tab title={t('Settings')} key="settings">
            <SettingsTab account={account} />
          </Tabs.Tab>
        </Tabs>
      ) : null}
    </Page>
  );
}

/** A labelled image picker that uploads the chosen file and hands back its media id. */
function ImageUpload({ label, onUploaded }: { label: string; onUploaded: (mediaId: string) => void }) {
  return (
    <label className="official-file">
      {label}{' '}
      <input
        type="file"
        accept="image/*"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          try {
            onUploaded((await api.uploadMedia('image', file, file.name)).media.id);
          } catch (error) {
            Toast.show(errorText(error));
          }
        }}
      />
    </label>
  );
}
