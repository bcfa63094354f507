import { Button, Dialog, List, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Account } from '@plaza/client';
import { Avatar } from '../../components/Avatar';
import { Field } from '../../components/Field';
import { api, errorText, queryClient } from '../../lib/api';
import { useMe } from '../../lib/queries';

const operatorsKey = ['operator', 'operators'];

/** Who operates this Plaza: appoint another member by Plaza ID, remove one (never yourself). */
export function OperatorsSection() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const [handle, setHandle] = useState('');
  const { data } = useQuery({
    queryKey: operatorsKey,
    queryFn: () => api.request<{ operators: Account[] }>('GET', '/api/v1/operator/operators'),
  });
  const grant = useMutation({
    mutationFn: () => api.request('POST', '/api/v1/operator/operators', { handle: handle.trim() }),
    onSuccess: () => {
      setHandle('');
      Toast.show({ content: t('Operator added') });
      void queryClient.invalidateQueries({ queryKey: operatorsKey });
    },
    onError: (error) => Toast.show({ content: errorText(error) }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.request('DELETE', `/api/v1/operator/operators/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: operatorsKey }),
    onError: (error) => Toast.show({ content: errorText(error) }),
  });
  return (
    <>
      <List header={t('Operators')}>
        {(data?.operators ?? []).map((account) => (
          <List.Item
            key={String(account.id)}
            prefix={<Avatar account={account} size={36} />}
            description={account.handle}
            extra={
              String(account.id) === String(me?.id) ? (
                t('You')
              ) : (
                <Button
                  size="mini"
                  color="danger"
                  fill="outline"
                  onClick={async () => {
                    if (await Dialog.confirm({ content: t('Remove {{name}} as operator?', { name: account.displayName }) })) revoke.mutate(String(account.id));
                  }}
                >
                  {t('Remove')}
                </Button>
              )
            }
          >
            {account.displayName}
          </List.Item>
        ))}
      </List>
      <div className="form-card">
        <Field
          aria-label={t('Plaza ID')}
          value={handle}
          onValue={setHandle}
          placeholder={t('Plaza ID of the new operator')}
          data-testid="operator-grant-handle"
        />
        <Button block color="primary" disabled={!handle.trim()} loading={grant.isPending} onClick={() => grant.mutate()}>
          {t('Add operator')}
        </Button>
      </div>
    </>
  );
}
