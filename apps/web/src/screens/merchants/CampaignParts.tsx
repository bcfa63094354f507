import { Button, List, Selector, Toast } from 'antd-mobile';
import { AddOutline, DeleteOutline } from 'antd-mobile-icons';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import { errorText } from '../../lib/api';
import { TID } from '../../testids';
import { EChart } from '../wallet/EChart';
import { formatMinor, parseMajor } from '../wallet/api';
import { CATEGORIES, type CampaignDashboardData } from './api';
import './merchants.css';

const DAY_MS = 86_400_000;

/** A datetime-local value ("2026-12-04T10:00") in the browser's time zone. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export interface CampaignFormIds {
  name: string;
  budget: string;
  face: string;
  threshold: string;
  quota: string;
  create: string;
}

interface BatchDraft {
  releaseAt: string;
  quota: string;
}

/**
 * A coupon campaign: budget, face value and threshold ("20 off 100"), per-member cap, eligible
 * categories, release batches (each a time and a quota; "Repeat daily" copies the last one to the
 * following days) and validity. `onCreate` gets the request body; the form clears when it resolves.
 */
export function CampaignForm({
  ids,
  onCreate,
  submitLabel,
}: {
  ids: CampaignFormIds;
  onCreate: (body: Record<string, unknown>) => Promise<unknown>;
  submitLabel: string;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ name: '', budget: '', face: '', threshold: '', cap: '1', until: '', repeatDays: '7', merchantIds: '' });
  const [batches, setBatches] = useState<BatchDraft[]>(() => [{ releaseAt: '', quota: '100' }]);
  const [categories, setCategories] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const setBatch = (index: number, patch: Partial<BatchDraft>) => setBatches((all) => all.map((b, i) => (i === index ? { ...b, ...patch } : b)));
  const repeatDaily = () => {
    const last = batches[batches.length - 1];
    const days = Math.min(Math.max(Number(form.repeatDays) || 0, 1), 60);
    if (!last) return;
    const start = last.releaseAt ? Date.parse(last.releaseAt) : Date.now();
    const more = Array.from({ length: days }, (_, i) => ({ releaseAt: localInput(start + (i + 1) * DAY_MS), quota: last.quota }));
    setBatches((all) => [...all, ...more].slice(0, 100));
  };
  const total = batches.reduce((sum, b) => sum + (Number(b.quota) || 0), 0);
  const needed = total * Number(parseMajor(form.face) ?? 0);
  const create = async () => {
    const now = Date.now();
    const releases = batches.map((b) => (b.releaseAt ? Date.parse(b.releaseAt) : now));
    const lastRelease = Math.max(...releases);
    const until = form.until ? Date.parse(form.until) : Math.max(now + 30 * DAY_MS, lastRelease + DAY_MS);
    setBusy(true);
    try {
      await onCreate({
        name: form.name,
        budgetMinor: parseMajor(form.budget) ?? '0',
        faceMinor: parseMajor(form.face) ?? '0',
        thresholdMinor: parseMajor(form.threshold) ?? '0',
        perMemberCap: Number(form.cap),
        categories,
        merchantIds: form.merchantIds.split(/[\s,，]+/).filter((id) => /^[0-9]+$/.test(id)),
        batches: batches.map((b, i) => ({ releaseAt: new Date(releases[i] ?? now).toISOString(), quota: Number(b.quota) })),
        validFrom: new Date(Math.min(now, ...releases)).toISOString(),
        validUntil: new Date(until).toISOString(),
      });
      Toast.show({ content: t('Campaign created'), icon: 'success' });
      setForm((f) => ({ ...f, name: '', budget: '' }));
    } catch (error) {
      Toast.show({ content: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="form-card">
      <strong>{t('New campaign')}</strong>
      <Field aria-label={t('Name')} placeholder={t('Name')} value={form.name} onValue={set('name')} data-testid={ids.name} />
      <div className="merchant-row">
        <Field aria-label={t('Budget')} placeholder={t('Budget')} inputMode="decimal" value={form.budget} onValue={set('budget')} data-testid={ids.budget} />
        <Field aria-label={t('Face value')} placeholder={t('Face value')} inputMode="decimal" value={form.face} onValue={set('face')} data-testid={ids.face} />
        <Field
          aria-label={t('Threshold')}
          placeholder={t('Threshold')}
          inputMode="decimal"
          value={form.threshold}
          onValue={set('threshold')}
          data-testid={ids.threshold}
        />
      </div>
      <span className="merchant-labelled">
        {t('Per-member cap')} <Field aria-label={t('Per-member cap')} inputMode="numeric" value={form.cap} onValue={set('cap')} />
      </span>
      <List header={t('Release batches')} className="campaign-batches">
        {batches.map((b, i) => (
          // Rows have no identity beyond their position; the editor only appends and removes.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <List.Item key={i} data-testid={TID.CAMPAIGN_BATCH_ROW}>
            <div className="merchant-row">
              <input
                type="datetime-local"
                aria-label={t('Release at')}
                value={b.releaseAt}
                onChange={(e) => setBatch(i, { releaseAt: e.target.value })}
                data-testid={TID.CAMPAIGN_BATCH_RELEASE}
              />
              <Field
                aria-label={t('Quota')}
                placeholder={t('Quota')}
                inputMode="numeric"
                value={b.quota}
                onValue={(v) => setBatch(i, { quota: v })}
                data-testid={ids.quota}
              />
              <Button
                size="mini"
                fill="none"
                aria-label={t('Remove batch')}
                disabled={batches.length === 1}
                onClick={() => setBatches((all) => all.filter((_, j) => j !== i))}
              >
                <DeleteOutline />
              </Button>
            </div>
          </List.Item>
        ))}
      </List>
      <p className="muted">{t('A batch without a release time is released at once.')}</p>
      <div className="merchant-row">
        <Button
          size="small"
          onClick={() => setBatches((all) => [...all, { releaseAt: '', quota: all[all.length - 1]?.quota ?? '100' }].slice(0, 100))}
          data-testid={TID.CAMPAIGN_BATCH_ADD}
        >
          <AddOutline /> {t('Add batch')}
        </Button>
        <Button size="small" onClick={repeatDaily} data-testid={TID.CAMPAIGN_BATCH_REPEAT}>
          {t('Repeat daily')}
        </Button>
        <span className="merchant-labelled">
          {t('days')} <Field aria-label={t('Days to repeat')} inputMode="numeric" value={form.repeatDays} onValue={set('repeatDays')} />
        </span>
      </div>
      <p className="muted">
        {t('{{count}} coupons in {{batches}} batches need a budget of at least ¥{{amount}}', {
          count: total,
          batches: batches.length,
          amount: formatMinor(needed),
        })}
      </p>
      <label>
        {t('Valid until')} <input type="datetime-local" value={form.until} onChange={(e) => set('until')(e.target.value)} />
      </label>
      <p className="muted">{t('Eligible merchants: the categories chosen and the merchant IDs listed (none of either: every merchant).')}</p>
      <Selector multiple columns={3} options={CATEGORIES.map((c) => ({ label: t(c), value: c }))} value={categories} onChange={setCategories} />
      <Field
        aria-label={t('Merchant IDs')}
        placeholder={t('Merchant IDs (optional, separated by commas)')}
        value={form.merchantIds}
        onValue={set('merchantIds')}
        data-testid={TID.CAMPAIGN_MERCHANT_IDS}
      />
      <Button color="primary" loading={busy} onClick={() => void create()} data-testid={ids.create}>
        {submitLabel}
      </Button>
    </div>
  );
}

/** A campaign's dashboard: totals, then issued/used/subsidy/GMV by day and subsidy/GMV by category. */
export function CampaignDashboard({ queryKey, load, testId }: { queryKey: unknown[]; load: () => Promise<CampaignDashboardData>; testId: string }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey, queryFn: load });
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
    <div className="merchant-dashboard" data-testid={testId}>
      <List>
        <List.Item extra={<span data-testid={TID.CAMPAIGN_DASHBOARD_ISSUED}>{data.totals.issued}</span>}>{t('Issued')}</List.Item>
        <List.Item extra={<span data-testid={TID.CAMPAIGN_DASHBOARD_USED}>{data.totals.used}</span>}>{t('Used')}</List.Item>
        <List.Item extra={`¥${formatMinor(data.totals.subsidyMinor)}`}>{t('Subsidy paid')}</List.Item>
        <List.Item extra={`¥${formatMinor(data.totals.gmvMinor)} (×${data.totals.gmvPerSubsidy})`}>{t('Spending driven')}</List.Item>
      </List>
      <div data-testid={TID.CAMPAIGN_CHART_BY_DAY}>
        <EChart option={byDay} height={240} />
      </div>
      <div data-testid={TID.CAMPAIGN_CHART_BY_CATEGORY}>
        <EChart option={byCategory} height={220} />
      </div>
    </div>
  );
}
