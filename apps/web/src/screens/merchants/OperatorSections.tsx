import { Button, Dialog, List, Selector, Switch, Tabs, Tag, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import { errorText, getAuth, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { EChart } from '../wallet/EChart';
import { formatMinor, parseMajor } from '../wallet/api';
import { CATEGORIES, merchantsApi } from './api';
import './merchants.css';

/** Media need the bearer token, so a document opens from a blob URL rather than a plain link. */
async function openDocument(mediaId: string) {
  try {
    const response = await fetch(`/api/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${getAuth().token ?? ''}` } });
    if (!response.ok) throw new Error(response.statusText);
    window.open(URL.createObjectURL(await response.blob()), '_blank', 'noopener');
  } catch (error) {
    Toast.show({ content: errorText(error) });
  }
}

async function ask(title: string, placeholder: string, labels: { confirm: string; cancel: string }): Promise<string | null> {
  let text = '';
  const ok = await Dialog.confirm({
    title,
    confirmText: labels.confirm,
    cancelText: labels.cancel,
    content: <Field aria-label={placeholder} placeholder={placeholder} onValue={(v) => (text = v)} />,
  });
  return ok ? text : null;
}

/** Merchant applications to approve or reject, and the payment points rules. */
export function MerchantReviewSection() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('pending');
  const { data } = useQuery({ queryKey: ['operator', 'merchants', status], queryFn: () => merchantsApi.reviewQueue(status) });
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    const note = decision === 'reject' ? await ask(t('Reason'), t('Reason'), { confirm: t('OK'), cancel: t('Cancel') }) : '';
    if (note === null) return;
    try {
      await merchantsApi.review(id, decision, note);
      void queryClient.invalidateQueries({ queryKey: ['operator', 'merchants'] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <>
      <Selector
        options={['pending', 'approved', 'rejected'].map((s) => ({ label: t(s), value: s }))}
        value={[status]}
        onChange={(v) => v[0] && setStatus(v[0])}
      />
      <List header={t('Applications')}>
        {(data?.merchants ?? []).map((m) => (
          <List.Item
            key={m.id}
            data-testid={TID.OPERATOR_MERCHANT_ROW}
            description={`${t(m.category)} · ${m.licenceNumber} · ${m.address} · ${m.ownerName ?? ''}`}
            extra={
              m.status === 'pending' ? (
                <span className="merchant-row">
                  <Button size="mini" color="primary" onClick={() => void decide(m.id, 'approve')} data-testid={TID.OPERATOR_MERCHANT_APPROVE}>
                    {t('Approve')}
                  </Button>
                  <Button size="mini" color="danger" onClick={() => void decide(m.id, 'reject')}>
                    {t('Reject')}
                  </Button>
                </span>
              ) : (
                <Tag>{t(m.status)}</Tag>
              )
            }
          >
            {m.businessName}
          </List.Item>
        ))}
      </List>
      <PointsRules />
    </>
  );
}

function PointsRules() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['operator', 'points-rules'], queryFn: merchantsApi.pointsRules });
  const rules = data?.rules;
  if (!rules) return null;
  const save = async (patch: Partial<typeof rules>) => {
    try {
      await merchantsApi.setPointsRules({ ...rules, ...patch });
      void queryClient.invalidateQueries({ queryKey: ['operator', 'points-rules'] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <List header={t('Payment points rules')}>
      <List.Item extra={rules.pointsPerPayment}>{t('Points per payment')}</List.Item>
      <List.Item extra={`¥${formatMinor(rules.pointValueMinor)}`}>{t('Value of a point')}</List.Item>
      <List.Item extra={<Switch checked={rules.cashEnabled} onChange={(v) => void save({ cashEnabled: v })} />}>{t('Points for cash')}</List.Item>
      <List.Item
        extra={rules.cashMaxPointsPerDay}
        onClick={async () => {
          const v = await ask(t('Cash points per day'), String(rules.cashMaxPointsPerDay), { confirm: t('OK'), cancel: t('Cancel') });
          if (v && /^\d+$/.test(v)) void save({ cashMaxPointsPerDay: Number(v) });
        }}
      >
        {t('Cash points per day')}
      </List.Item>
    </List>
  );
}

/** Coupon campaigns: create and fund one, follow each on its dashboard. */
export function CouponCampaignsSection() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['operator', 'campaigns'], queryFn: merchantsApi.allCampaigns });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <NewCampaign />
      <List header={t('Campaigns')}>
        {(data?.campaigns ?? []).map((c) => (
          <List.Item
            key={c.id}
            description={`${t('{{face}} off {{threshold}}', { face: formatMinor(c.faceMinor), threshold: formatMinor(c.thresholdMinor) })} · ${t('Budget')} ¥${formatMinor(c.budgetMinor)} · ${c.batches.map((b) => `${b.issued}/${b.quota}`).join(', ')}`}
            extra={<Tag>{t(c.status)}</Tag>}
            onClick={() => setOpen(open === c.id ? null : c.id)}
          >
            {c.name}
          </List.Item>
        ))}
      </List>
      {open ? <CampaignDashboard id={open} /> : null}
    </>
  );
}

function NewCampaign() {
  const { t } = useTranslation();
  const [form, setForm] = useState({ name: '', budget: '', face: '', threshold: '', cap: '1', quota: '100', release: '', until: '' });
  const [categories, setCategories] = useState<string[]>([]);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const create = async () => {
    const now = Date.now();
    const release = form.release ? new Date(form.release).toISOString() : new Date(now).toISOString();
    const until = form.until ? new Date(form.until).toISOString() : new Date(now + 30 * 86_400_000).toISOString();
    try {
      await merchantsApi.createCampaign({
        name: form.name,
        budgetMinor: parseMajor(form.budget) ?? '0',
        faceMinor: parseMajor(form.face) ?? '0',
        thresholdMinor: parseMajor(form.threshold) ?? '0',
        perMemberCap: Number(form.cap),
        categories,
        batches: [{ releaseAt: release, quota: Number(form.quota) }],
        validFrom: new Date(Math.min(now, Date.parse(release))).toISOString(),
        validUntil: until,
      });
      Toast.show({ content: t('Campaign created'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['operator', 'campaigns'] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <div className="form-card">
      <strong>{t('New campaign')}</strong>
      <Field aria-label={t('Name')} placeholder={t('Name')} value={form.name} onValue={set('name')} data-testid={TID.OPERATOR_CAMPAIGN_NAME} />
      <div className="merchant-row">
        <Field aria-label={t('Budget')} placeholder={t('Budget')} value={form.budget} onValue={set('budget')} data-testid={TID.OPERATOR_CAMPAIGN_BUDGET} />
        <Field aria-label={t('Face value')} placeholder={t('Face value')} value={form.face} onValue={set('face')} data-testid={TID.OPERATOR_CAMPAIGN_FACE} />
        <Field
          aria-label={t('Threshold')}
          placeholder={t('Threshold')}
          value={form.threshold}
          onValue={set('threshold')}
          data-testid={TID.OPERATOR_CAMPAIGN_THRESHOLD}
        />
      </div>
      <div className="merchant-row">
        <span className="merchant-labelled">
          {t('Per-member cap')} <Field aria-label={t('Per-member cap')} placeholder={t('Per-member cap')} value={form.cap} onValue={set('cap')} />
        </span>
        <span className="merchant-labelled">
          {t('Quota')}{' '}
          <Field aria-label={t('Quota')} placeholder={t('Quota')} value={form.quota} onValue={set('quota')} data-testid={TID.OPERATOR_CAMPAIGN_QUOTA} />
        </span>
      </div>
      <label>
        {t('Release at')} <input type="datetime-local" value={form.release} onChange={(e) => set('release')(e.target.value)} />
      </label>
      <label>
        {t('Valid until')} <input type="datetime-local" value={form.until} onChange={(e) => set('until')(e.target.value)} />
      </label>
      <Selector multiple columns={3} options={CATEGORIES.map((c) => ({ label: t(c), value: c }))} value={categories} onChange={setCategories} />
      <Button color="primary" onClick={() => void create()} data-testid={TID.OPERATOR_CAMPAIGN_CREATE}>
        {t('Create and fund')}
      </Button>
    </div>
  );
}

function CampaignDashboard({ id }: { id: string }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['operator', 'campaigns', id, 'dashboard'], queryFn: () => merchantsApi.dashboard(id) });
  const byDay = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('Issued'), t('Used'), t('Subsidy'), t('GMV')] },
      xAxis: { type: 'category', data: (data?.byDay ?? []).map((d) => d.day.slice(5)) },
      yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value' }],
      series: [
        { name: t('Issued'), type: 'bar', data: (data?.byDay ?? []).map((d) => d.issued) },
        { name: t('Used'), type: 'bar', data: (data?.byDay ?? []).map((d) => d.used) },
        { name: t('Subsidy'), type: 'line', yAxisIndex: 1, data: (data?.byDay ?? []).map((d) => Number(d.subsidyMinor) / 100) },
        { name: t('GMV'), type: 'line', yAxisIndex: 1, data: (data?.byDay ?? []).map((d) => Number(d.gmvMinor) / 100) },
      ],
    }),
    [data, t],
  );
  const byCategory = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('Subsidy'), t('GMV')] },
      xAxis: { type: 'category', data: (data?.byCategory ?? []).map((c) => t(c.category)) },
      yAxis: { type: 'value' },
      series: [
        { name: t('Subsidy'), type: 'bar', data: (data?.byCategory ?? []).map((c) => Number(c.subsidyMinor) / 100) },
        { name: t('GMV'), type: 'bar', data: (data?.byCategory ?? []).map((c) => Number(c.gmvMinor) / 100) },
      ],
    }),
    [data, t],
  );
  if (!data) return null;
  return (
    <div className="merchant-dashboard" data-testid={TID.OPERATOR_CAMPAIGN_DASHBOARD}>
      <List>
        <List.Item extra={data.totals.issued}>{t('Issued')}</List.Item>
        <List.Item extra={data.totals.used}>{t('Used')}</List.Item>
        <List.Item extra={`¥${formatMinor(data.totals.subsidyMinor)}`}>{t('Subsidy paid')}</List.Item>
        <List.Item extra={`¥${formatMinor(data.totals.gmvMinor)} (×${data.totals.gmvPerSubsidy})`}>{t('Spending driven')}</List.Item>
      </List>
      <EChart option={byDay} height={240} />
      <EChart option={byCategory} height={220} />
    </div>
  );
}

/** Relief cover: publish and fund programs; review claims (approve, reject with a reason, ask for more). */
export function CoverSection() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('submitted');
  const programs = useQuery({ queryKey: ['cover', 'programs'], queryFn: merchantsApi.coverPrograms });
  const claims = useQuery({ queryKey: ['operator', 'claims', status], queryFn: () => merchantsApi.claimQueue(status) });
  const [form, setForm] = useState({ name: '', pool: '', daily: '1000', days: '30' });
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const decide = async (claimId: string, decision: 'approve' | 'reject' | 'ask_more') => {
    const note =
      decision === 'approve'
        ? ''
        : await ask(decision === 'reject' ? t('Reason') : t('What is missing?'), t('Note'), { confirm: t('OK'), cancel: t('Cancel') });
    if (note === null) return;
    try {
      await merchantsApi.decide(claimId, decision, note);
      void queryClient.invalidateQueries({ queryKey: ['operator', 'claims'] });
      void queryClient.invalidateQueries({ queryKey: ['cover'] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <Tabs>
      <Tabs.Tab title={t('Claims')} key="claims">
        <Selector
          options={['submitted', 'more_info', 'approved', 'rejected'].map((s) => ({ label: t(s), value: s }))}
          value={[status]}
          onChange={(v) => v[0] && setStatus(v[0])}
        />
        <List>
          {(claims.data?.claims ?? []).map((c) => (
            <List.Item
              key={c.id}
              description={
                <span>
                  {c.startDate} – {c.endDate} ({t('{{n}} days', { n: c.days })}) ·{' '}
                  {c.mediaIds.map((m) => (
                    <Button key={m} size="mini" fill="none" onClick={() => void openDocument(m)}>
                      {t('Document')} {m}
                    </Button>
                  ))}
                </span>
              }
              extra={
                c.status === 'submitted' ? (
                  <span className="merchant-row">
                    <Button size="mini" color="primary" onClick={() => void decide(c.id, 'approve')}>
                      {t('Approve')}
                    </Button>
                    <Button size="mini" onClick={() => void decide(c.id, 'ask_more')}>
                      {t('Ask for more')}
                    </Button>
                    <Button size="mini" color="danger" onClick={() => void decide(c.id, 'reject')}>
                      {t('Reject')}
                    </Button>
                  </span>
                ) : (
                  <span>
                    <Tag>{t(c.status)}</Tag> {c.status === 'approved' ? `¥${formatMinor(c.payoutMinor)}` : c.note}
                  </span>
                )
              }
            >
              {t('Merchant')} {c.merchantId}
            </List.Item>
          ))}
        </List>
      </Tabs.Tab>
      <Tabs.Tab title={t('Programs')} key="programs">
        <List>
          {(programs.data?.programs ?? []).map((p) => (
            <List.Item key={p.id} description={`¥${formatMinor(p.dailyBenefitMinor)} × ${p.maxDays} · ${t('Pool left')} ¥${formatMinor(p.poolLeftMinor ?? 0)}`}>
              {p.name}
            </List.Item>
          ))}
        </List>
        <div className="form-card">
          <strong>{t('New cover program')}</strong>
          <Field aria-label={t('Name')} placeholder={t('Name')} value={form.name} onValue={set('name')} />
          <Field aria-label={t('Pool')} placeholder={t('Pool')} value={form.pool} onValue={set('pool')} />
          <div className="merchant-row">
            <Field aria-label={t('Daily benefit')} value={form.daily} onValue={set('daily')} />
            <Field aria-label={t('Maximum days')} value={form.days} onValue={set('days')} />
          </div>
          <Button
            color="primary"
            onClick={async () => {
              const now = Date.now();
              try {
                await merchantsApi.createProgram({
                  name: form.name,
                  poolMinor: parseMajor(form.pool) ?? '0',
                  dailyBenefitMinor: parseMajor(form.daily) ?? '100000',
                  maxDays: Number(form.days),
                  enrolUntil: new Date(now + 90 * 86_400_000).toISOString(),
                  endsAt: new Date(now + 365 * 86_400_000).toISOString(),
                });
                void queryClient.invalidateQueries({ queryKey: ['cover'] });
              } catch (error) {
                Toast.show({ content: errorText(error) });
              }
            }}
          >
            {t('Publish and fund')}
          </Button>
        </div>
      </Tabs.Tab>
    </Tabs>
  );
}
