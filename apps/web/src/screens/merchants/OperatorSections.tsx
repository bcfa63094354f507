import { Button, Dialog, List, Selector, Switch, Tabs, Tag, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import { errorText, getAuth, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { formatMinor, parseMajor } from '../wallet/api';
import { merchantsApi } from './api';
import { CampaignDashboard, CampaignForm } from './CampaignParts';
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

const operatorCampaignIds = {
  name: TID.OPERATOR_CAMPAIGN_NAME,
  budget: TID.OPERATOR_CAMPAIGN_BUDGET,
  face: TID.OPERATOR_CAMPAIGN_FACE,
  threshold: TID.OPERATOR_CAMPAIGN_THRESHOLD,
  quota: TID.OPERATOR_CAMPAIGN_QUOTA,
  create: TID.OPERATOR_CAMPAIGN_CREATE,
};

async function createCampaign(body: Record<string, unknown>) {
  await merchantsApi.createCampaign(body);
  void queryClient.invalidateQueries({ queryKey: ['operator', 'campaigns'] });
}

/** Coupon campaigns funded from the operator's fees: create one, follow each on its dashboard. */
export function CouponCampaignsSection() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['operator', 'campaigns'], queryFn: merchantsApi.allCampaigns });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <CampaignForm ids={operatorCampaignIds} onCreate={createCampaign} submitLabel={t('Create and fund')} />
      <List header={t('Campaigns')}>
        {(data?.campaigns ?? []).map((c) => (
          <List.Item
            key={c.id}
            description={`${c.issuerId ? `${t('Issuer')} ${c.issuerName ?? c.issuerId} · ` : ''}${t('{{face}} off {{threshold}}', { face: formatMinor(c.faceMinor), threshold: formatMinor(c.thresholdMinor) })} · ${t('Budget')} ¥${formatMinor(c.budgetMinor)} · ${c.batches.map((b) => `${b.issued}/${b.quota}`).join(', ')}`}
            extra={<Tag>{t(c.status)}</Tag>}
            onClick={() => setOpen(open === c.id ? null : c.id)}
          >
            {c.name}
          </List.Item>
        ))}
      </List>
      {open ? (
        <CampaignDashboard
          queryKey={['operator', 'campaigns', open, 'dashboard']}
          load={() => merchantsApi.dashboard(open)}
          testId={TID.OPERATOR_CAMPAIGN_DASHBOARD}
        />
      ) : null}
    </>
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

const issuersKey = ['operator', 'coupon-issuers'];

/**
 * Coupon issuers other than the operator (a town): register one with the members who act for it,
 * add or remove members, suspend or reinstate it, and fund its account from the operator's fees.
 */
export function CouponIssuersSection() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: issuersKey, queryFn: merchantsApi.issuers });
  const [form, setForm] = useState({ name: '', region: '', handles: '' });
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      void queryClient.invalidateQueries({ queryKey: issuersKey });
      return true;
    } catch (error) {
      Toast.show({ content: errorText(error) });
      return false;
    }
  };
  const register = async () => {
    const memberHandles = form.handles
      .split(/[\s,，]+/)
      .map((h) => h.trim())
      .filter(Boolean);
    if (await run(() => merchantsApi.registerIssuer({ name: form.name, region: form.region, memberHandles }))) {
      Toast.show({ content: t('Issuer registered'), icon: 'success' });
      setForm({ name: '', region: '', handles: '' });
    }
  };
  const labels = { confirm: t('OK'), cancel: t('Cancel') };
  return (
    <>
      <div className="form-card">
        <strong>{t('Register a coupon issuer')}</strong>
        <Field
          aria-label={t('Name')}
          placeholder={t('Name (e.g. Riverside Town)')}
          value={form.name}
          onValue={set('name')}
          data-testid={TID.ISSUER_REGISTER_NAME}
        />
        <Field aria-label={t('Region')} placeholder={t('Region')} value={form.region} onValue={set('region')} data-testid={TID.ISSUER_REGISTER_REGION} />
        <Field
          aria-label={t('Plaza IDs of the members who act for it')}
          placeholder={t('Plaza IDs of the members who act for it')}
          value={form.handles}
          onValue={set('handles')}
          data-testid={TID.ISSUER_REGISTER_MEMBERS}
        />
        <Button color="primary" disabled={!form.name.trim() || !form.region.trim()} onClick={() => void register()} data-testid={TID.ISSUER_REGISTER_SUBMIT}>
          {t('Register')}
        </Button>
      </div>
      <List header={t('Coupon issuers')}>
        {(data?.issuers ?? []).length === 0 ? <List.Item>{t('No issuers yet: register a town above.')}</List.Item> : null}
        {(data?.issuers ?? []).map((issuer) => (
          <List.Item
            key={issuer.id}
            data-testid={TID.OPERATOR_ISSUER_ROW}
            description={
              <div>
                <div>
                  {issuer.region} · {t('Balance')} ¥{formatMinor(issuer.balanceMinor ?? 0)}
                </div>
                <div className="merchant-row">
                  {(issuer.members ?? []).map((m) => (
                    <Tag key={m.id} fill="outline">
                      {m.displayName} ({m.handle}){' '}
                      <Button
                        size="mini"
                        fill="none"
                        aria-label={t('Remove {{name}}', { name: m.displayName })}
                        onClick={() => void run(() => merchantsApi.removeIssuerMember(issuer.id, m.id))}
                      >
                        ×
                      </Button>
                    </Tag>
                  ))}
                </div>
              </div>
            }
            extra={
              <span className="merchant-row">
                <Tag color={issuer.status === 'active' ? 'success' : 'warning'}>{t(issuer.status)}</Tag>
                <Button
                  size="mini"
                  onClick={async () => {
                    const handle = await ask(t('Add member'), t('Plaza ID'), labels);
                    if (handle?.trim()) await run(() => merchantsApi.addIssuerMember(issuer.id, handle.trim()));
                  }}
                >
                  {t('Add member')}
                </Button>
                <Button
                  size="mini"
                  onClick={async () => {
                    const amount = await ask(t('Fund from fees'), t('Amount'), labels);
                    const minor = amount ? parseMajor(amount) : null;
                    if (minor) await run(() => merchantsApi.fundIssuerFromFees(issuer.id, minor));
                  }}
                >
                  {t('Fund from fees')}
                </Button>
                <Button
                  size="mini"
                  color={issuer.status === 'active' ? 'danger' : 'primary'}
                  fill="outline"
                  onClick={() => void run(() => merchantsApi.setIssuerStatus(issuer.id, issuer.status === 'active' ? 'suspended' : 'active'))}
                >
                  {issuer.status === 'active' ? t('Suspend') : t('Reinstate')}
                </Button>
              </span>
            }
          >
            {issuer.name}
          </List.Item>
        ))}
      </List>
    </>
  );
}
