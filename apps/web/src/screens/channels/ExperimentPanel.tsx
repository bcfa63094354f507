import { Button, ImageUploader, type ImageUploadItem, Tag, TextArea, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { EChart } from '../wallet/EChart';
import { type ChannelPost, channelsApi, type Experiment } from './api';
import './channels.css';

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const pText = (p: number | null) => (p === null ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));

function ExperimentReport({ experiment }: { experiment: Experiment }) {
  const { t } = useTranslation();
  const promote = useMutation({
    mutationFn: (variantId: string) => channelsApi.promote(experiment.id, variantId),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('Promoted') });
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  const option = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v.toFixed(1)}%` },
      legend: { top: 0, data: [t('Like rate'), t('Completion rate')] },
      grid: { left: 44, right: 12, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: experiment.variants.map((v) => v.label) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      series: [
        { name: t('Like rate'), type: 'bar', data: experiment.variants.map((v) => Number((v.likeRate * 100).toFixed(2))) },
        { name: t('Completion rate'), type: 'bar', data: experiment.variants.map((v) => Number((v.completionRate * 100).toFixed(2))) },
      ],
    }),
    [experiment, t],
  );
  return (
    <div className="channel-variant" data-testid={TID.CHANNEL_EXPERIMENT_REPORT} data-status={experiment.status}>
      <span>
        {experiment.status === 'running' ? <Tag color="primary">{t('Running')}</Tag> : <Tag>{t('Ended')}</Tag>}{' '}
        <span className="muted">{new Date(experiment.createdAt).toLocaleString()}</span>
      </span>
      <EChart option={option} height={200} />
      <table className="channel-report">
        <thead>
          <tr>
            <th>{t('Variant')}</th>
            <th>{t('Impressions')}</th>
            <th>{t('Likes')}</th>
            <th title={t('Two-proportion z-test against variant A, two-sided')}>{t('Like rate')} (p)</th>
            <th title={t('Two-proportion z-test against variant A, two-sided')}>{t('Completion rate')} (p)</th>
          </tr>
        </thead>
        <tbody>
          {experiment.variants.map((v) => (
            <tr key={v.id}>
              <td title={v.caption}>
                {v.label}
                {experiment.winnerVariantId === v.id ? ' ★' : ''}
              </td>
              <td>{v.impressions}</td>
              <td>{v.likes}</td>
              <td>
                {percent(v.likeRate)} <span className="muted">({pText(v.likeRatePValue)})</span>
              </td>
              <td>
                {percent(v.completionRate)} <span className="muted">({pText(v.completionRatePValue)})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {experiment.status === 'running' ? (
        <div className="sheet-actions">
          {experiment.variants.map((v) => (
            <Button
              key={v.id}
              size="small"
              color="primary"
              fill="outline"
              loading={promote.isPending}
              onClick={() => promote.mutate(v.id)}
              data-testid={TID.CHANNEL_EXPERIMENT_PROMOTE}
            >
              {t('Promote {{label}}', { label: v.label })}
            </Button>
          ))}
        </div>
      ) : null}
      <span className="muted">{t('p: likes / completions compared with variant A; below 0.05 is unlikely to be chance.')}</span>
      <ul className="muted">
        {experiment.variants.map((v) => (
          <li key={v.id}>
            {v.label}: {v.caption}
            {v.cover ? ` (${t('own cover')})` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Draft {
  caption: string;
  cover: ImageUploadItem[];
}

function NewExperiment({ post }: { post: ChannelPost }) {
  const { t } = useTranslation();
  const [drafts, setDrafts] = useState<Draft[]>([
    { caption: post.caption, cover: [] },
    { caption: '', cover: [] },
  ]);
  const update = (index: number, patch: Partial<Draft>) => setDrafts((all) => all.map((d, i) => (i === index ? { ...d, ...patch } : d)));
  const start = useMutation({
    mutationFn: () =>
      channelsApi.startExperiment(
        post.id,
        drafts.map((d) => ({ caption: d.caption.trim() || undefined, coverMediaId: d.cover[0] ? String(d.cover[0].key) : undefined })),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['channels'] }),
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <>
      {drafts.map((d, index) => (
        <div className="channel-variant" key={String(index)}>
          <strong>{t('Variant {{label}}', { label: String.fromCharCode(65 + index) })}</strong>
          <TextArea
            value={d.caption}
            onChange={(caption) => update(index, { caption })}
            placeholder={t('Caption')}
            maxLength={1000}
            autoSize={{ minRows: 1, maxRows: 4 }}
          />
          <ImageUploader
            value={d.cover}
            onChange={(cover) => update(index, { cover })}
            maxCount={1}
            accept="image/*"
            upload={async (file) => ({ key: (await api.uploadMedia('image', file, file.name)).media.id, url: URL.createObjectURL(file) })}
          />
        </div>
      ))}
      <div className="sheet-actions">
        {drafts.length < 4 ? <Button onClick={() => setDrafts((all) => [...all, { caption: '', cover: [] }])}>{t('Add a variant')}</Button> : null}
        <Button color="primary" loading={start.isPending} onClick={() => start.mutate()} data-testid={TID.CHANNEL_EXPERIMENT_START}>
          {t('Start A/B test')}
        </Button>
      </div>
    </>
  );
}

/** The owner's A/B tests of this post: start one, follow its figures, promote the winner. */
export function ExperimentPanel({ post }: { post: ChannelPost }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['channels', 'experiments', post.id], queryFn: () => channelsApi.experiments(post.id) });
  const experiments = data?.experiments ?? [];
  const running = experiments.some((e) => e.status === 'running');
  return (
    <div className="channel-section">
      <h3>{t('A/B test of cover and caption')}</h3>
      <span className="muted">{t('Each viewer always sees the same variant, picked from a hash of their id and the test.')}</span>
      {data && !running ? <NewExperiment post={post} /> : null}
      {experiments.map((e) => (
        <ExperimentReport key={e.id} experiment={e} />
      ))}
    </div>
  );
}
