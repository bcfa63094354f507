import type { Media } from '@plaza/client';
import { Button, Dialog, Input, List, Tabs, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, queryClient } from '../../lib/api';
import { useMediaUrl } from '../../lib/media';
import { TID } from '../../testids';
import { channelsApi, type VerificationApplication } from '../channels/api';

type Status = 'pending' | 'approved' | 'rejected';

function DocumentLink({ media }: { media: Media }) {
  const url = useMediaUrl(media.url);
  return url ? (
    <a href={url} target="_blank" rel="noreferrer noopener">
      {media.fileName}
    </a>
  ) : (
    <span className="muted">{media.fileName}</span>
  );
}

function ApplicationRow({ application }: { application: VerificationApplication }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const decide = useMutation({
    mutationFn: (approve: boolean) => channelsApi.decide(application.id, approve, note.trim()),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['operator', 'channel-verifications'] }),
    onError: (e) => Toast.show(errorText(e)),
  });
  const { proof } = application;
  return (
    <List.Item data-testid={TID.CHANNEL_REVIEW_ROW} data-application-id={application.id} description={new Date(application.createdAt).toLocaleString()}>
      <strong>{application.channel?.name}</strong>{' '}
      <span className="muted">{t('{{count}} followers when applying', { count: application.followerCountAtApply })}</span>
      <ul>
        {proof.links.map((link) => (
          <li key={link}>
            <a href={link} target="_blank" rel="noreferrer noopener">
              {link}
            </a>
          </li>
        ))}
        {proof.followerCounts.map((c) => (
          <li key={c.platform}>
            {c.platform}: {c.count.toLocaleString()}
          </li>
        ))}
        {proof.documents.map((d) => (
          <li key={d.id}>
            <DocumentLink media={d} />
          </li>
        ))}
        {proof.statement ? <li>{proof.statement}</li> : null}
      </ul>
      {application.status === 'pending' ? (
        <div className="sheet-actions">
          <Input value={note} onChange={setNote} placeholder={t('Note to the creator')} maxLength={500} />
          <Button size="small" color="primary" loading={decide.isPending} onClick={() => decide.mutate(true)} data-testid={TID.CHANNEL_REVIEW_APPROVE}>
            {t('Approve')}
          </Button>
          <Button
            size="small"
            color="danger"
            fill="outline"
            loading={decide.isPending}
            data-testid={TID.CHANNEL_REVIEW_REJECT}
            onClick={async () => {
              if (await Dialog.confirm({ content: t('Reject this application?') })) decide.mutate(false);
            }}
          >
            {t('Reject')}
          </Button>
        </div>
      ) : (
        <span className="muted">{application.note}</span>
      )}
    </List.Item>
  );
}

function Queue({ status }: { status: Status }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['operator', 'channel-verifications', status], queryFn: () => channelsApi.reviewQueue(status) });
  const applications = data?.applications ?? [];
  if (applications.length === 0) return <p className="empty muted">{t('No applications here.')}</p>;
  return (
    <List>
      {applications.map((a) => (
        <ApplicationRow key={a.id} application={a} />
      ))}
    </List>
  );
}

/** Creator verification review: pending applications first come, first served; decided ones for reference. */
export function ChannelVerificationsSection() {
  const { t } = useTranslation();
  return (
    <Tabs defaultActiveKey="pending">
      <Tabs.Tab title={t('Waiting for review')} key="pending">
        <Queue status="pending" />
      </Tabs.Tab>
      <Tabs.Tab title={t('Approved')} key="approved">
        <Queue status="approved" />
      </Tabs.Tab>
      <Tabs.Tab title={t('Not approved')} key="rejected">
        <Queue status="rejected" />
      </Tabs.Tab>
    </Tabs>
  );
}
