import { Button, Dialog, List, Tabs, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { officialApi } from './api';

/** Operator console: verify or reject Official Accounts waiting for review. */
export function OfficialReviewSection() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('pending');
  const { data } = useQuery({ queryKey: ['official', 'review', status], queryFn: () => officialApi.reviewQueue(status) });
  const review = useMutation({
    mutationFn: ({ id, decision, note }: { id: string; decision: 'verify' | 'reject'; note: string }) => officialApi.review(id, decision, note),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['official'] }),
    onError: (e) => Toast.show(errorText(e)),
  });
  return (
    <>
      <Tabs activeKey={status} onChange={setStatus}>
        <Tabs.Tab title={t('Pending review')} key="pending" />
        <Tabs.Tab title={t('Verified')} key="verified" />
        <Tabs.Tab title={t('Rejected')} key="rejected" />
      </Tabs>
      <List>
        {(data?.accounts ?? []).map((a) => (
          <List.Item
            key={a.id}
            description={`${a.type === 'service' ? t('Service account') : t('Subscription account')} · ${a.owner?.displayName ?? ''} (${a.owner?.handle ?? ''}) · ${a.description}`}
            extra={
              status === 'pending' ? (
                <>
                  <Button
                    size="mini"
                    color="primary"
                    data-testid={TID.OFFICIAL_REVIEW_VERIFY}
                    onClick={() => review.mutate({ id: a.id, decision: 'verify', note: '' })}
                  >
                    {t('Verify')}
                  </Button>{' '}
                  <Button
                    size="mini"
                    color="danger"
                    fill="outline"
                    data-testid={TID.OFFICIAL_REVIEW_REJECT}
                    onClick={async () => {
                      let note = '';
                      const ok = await Dialog.confirm({
                        title: t('Reject {{name}}?', { name: a.name }),
                        content: <input className="plaza-input" aria-label={t('Reason')} placeholder={t('Reason')} onChange={(e) => (note = e.target.value)} />,
                      });
                      if (ok) review.mutate({ id: a.id, decision: 'reject', note });
                    }}
                  >
                    {t('Reject')}
                  </Button>
                </>
              ) : (
                a.reviewNote
              )
            }
          >
            {a.name}
          </List.Item>
        ))}
        {data && data.accounts.length === 0 ? <List.Item>{t('Nothing to review')}</List.Item> : null}
      </List>
    </>
  );
}
