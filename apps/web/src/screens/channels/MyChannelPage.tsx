import { Button, ImageUploader, type ImageUploadItem, List, Tag, TextArea, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../../components/Page';
import { api, errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { channelsApi } from './api';
import { VerifiedBadge } from './ChannelsPage';
import './channels.css';

const verificationKey = ['channels', 'verification'];

/** Parses "Platform: 12000" lines into follower counts; other lines are ignored. */
function parseCounts(text: string): { platform: string; count: number }[] {
  const counts: { platform: string; count: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(.+?)\s*[:：]\s*([0-9][0-9,]*)\s*$/.exec(line);
    if (match?.[1] && match[2]) counts.push({ platform: match[1], count: Number(match[2].replaceAll(',', '')) });
  }
  return counts;
}

function VerificationForm() {
  const { t } = useTranslation();
  const [links, setLinks] = useState('');
  const [counts, setCounts] = useState('');
  const [statement, setStatement] = useState('');
  const [documents, setDocuments] = useState<ImageUploadItem[]>([]);
  const apply = useMutation({
    mutationFn: () =>
      channelsApi.applyForVerification({
        links: links
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        followerCounts: parseCounts(counts),
        documentMediaIds: documents.map((d) => String(d.key)),
        statement: statement.trim() || undefined,
      }),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('Application sent') });
      void queryClient.invalidateQueries({ queryKey: verificationKey });
    },
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <div className="channel-section">
      <h3>{t('Apply for verification')}</h3>
      <TextArea value={links} onChange={setLinks} placeholder={t('Links to your work elsewhere, one per line')} autoSize={{ minRows: 2, maxRows: 5 }} />
      <TextArea
        value={counts}
        onChange={setCounts}
        placeholder={t('Followers elsewhere, one per line, e.g. "Weibo: 52000"')}
        autoSize={{ minRows: 2, maxRows: 5 }}
      />
      <TextArea
        value={statement}
        onChange={setStatement}
        placeholder={t('Anything the reviewers should know')}
        maxLength={1000}
        autoSize={{ minRows: 2, maxRows: 5 }}
      />
      <span className="muted">{t('Documents (screenshots, contracts, ID of your organisation)')}</span>
      <ImageUploader
        value={documents}
        onChange={setDocuments}
        maxCount={5}
        upload={async (file) => ({ key: (await api.uploadMedia('image', file, file.name)).media.id, url: URL.createObjectURL(file) })}
      />
      <Button color="primary" loading={apply.isPending} onClick={() => apply.mutate()} data-testid={TID.CHANNEL_VERIFY_APPLY}>
        {t('Send application')}
      </Button>
    </div>
  );
}

/** My channel: followers, the verified badge, and creator verification (rule, status, application). */
export function MyChannelPage() {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ['channels', 'mine'], queryFn: () => channelsApi.mine() });
  const channel = mine.data?.channel;
  const verification = useQuery({ queryKey: verificationKey, queryFn: () => channelsApi.verification(), enabled: Boolean(channel) });
  const data = verification.data;
  const status = data?.application?.status;
  return (
    <Page title={t('My channel')} fallback="/discover/channels">
      {mine.data && !channel ? <p className="empty muted">{t('You have no channel yet: publish your first post to open one.')}</p> : null}
      {channel ? (
        <List>
          <List.Item extra={<VerifiedBadge channel={channel} />} description={channel.bio}>
            {channel.name}
          </List.Item>
          <List.Item extra={channel.followerCount}>{t('Followers')}</List.Item>
        </List>
      ) : null}
      {data ? (
        <div className="channel-section" data-testid={TID.CHANNEL_VERIFY_STATUS} data-status={channel?.verified ? 'verified' : (status ?? 'none')}>
          <h3>{t('Creator verification')}</h3>
          {channel?.verified ? (
            <Tag color="success">{t('Verified creator')}</Tag>
          ) : status === 'pending' ? (
            <Tag color="warning">{t('Waiting for review')}</Tag>
          ) : (
            <>
              {status === 'rejected' ? (
                <span>
                  <Tag color="danger">{t('Not approved')}</Tag> {data.application?.note}
                </span>
              ) : null}
              <span className="muted">
                {t('Channels with at least {{min}} followers may apply; yours has {{count}}.', {
                  min: data.eligibility.minFollowers,
                  count: data.eligibility.followerCount,
                })}
              </span>
            </>
          )}
        </div>
      ) : null}
      {data && !channel?.verified && status !== 'pending' && data.eligibility.eligible ? <VerificationForm /> : null}
    </Page>
  );
}
