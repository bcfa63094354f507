import type { Account, GroupInvitePreview } from '@plaza/client';
import { Button, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { Avatar } from '../components/Avatar';
import { Page } from '../components/Page';
import { api, errorText, queryClient } from '../lib/api';
import { keys } from '../lib/queries';
import { TID } from '../testids';

export function LoginConfirmPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const state = useLocation().state as { deviceName?: string; account?: Account } | null;
  const [busy, setBusy] = useState<'confirm' | 'cancel' | null>(null);
  const act = async (action: 'confirm' | 'cancel') => {
    setBusy(action);
    try {
      if (action === 'confirm') await api.confirmQrLogin(id);
      else await api.cancelQrLogin(id);
      Toast.show({
        icon: action === 'confirm' ? 'success' : undefined,
        content: action === 'confirm' ? t('Logged in on the other device') : t('Login cancelled'),
      });
      navigate('/chats', { replace: true });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Page title={t('Confirm login')} fallback="/chats">
      <div className="confirm-login">
        <svg viewBox="0 0 120 90" width="140" height="105" aria-hidden="true">
          <rect x="10" y="8" width="100" height="64" rx="6" fill="none" stroke="var(--plaza-brand)" strokeWidth="5" />
          <rect x="40" y="78" width="40" height="6" rx="3" fill="var(--plaza-brand)" />
        </svg>
        <h2>{t('Log in to Plaza on another device')}</h2>
        {state?.deviceName ? <p className="muted">{state.deviceName}</p> : null}
        <p className="muted">{t('Only confirm if you are logging in yourself.')}</p>
        <Button block color="primary" size="large" loading={busy === 'confirm'} onClick={() => void act('confirm')} data-testid={TID.LOGIN_CONFIRM}>
          {t('Log in')}
        </Button>
        <Button block fill="none" loading={busy === 'cancel'} onClick={() => void act('cancel')} data-testid={TID.LOGIN_CANCEL}>
          {t('Cancel login')}
        </Button>
      </div>
    </Page>
  );
}

export function GroupInvitePage() {
  const { code = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [invite, setInvite] = useState<GroupInvitePreview | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .getInvite(code)
      .then(({ invite: value }) => setInvite(value))
      .catch((e: unknown) => setError(errorText(e)));
  }, [code]);
  const join = async () => {
    setBusy(true);
    try {
      const { conversation } = await api.joinInvite(code);
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      navigate(`/chats/${conversation.id}`, { replace: true });
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={t('Group invitation')} fallback="/chats">
      <div className="confirm-login">
        {invite ? (
          <>
            <Avatar name={invite.title ?? '#'} size={72} />
            <h2>{invite.title || t('Group chat')}</h2>
            <p className="muted">{t('{{count}} members', { count: invite.memberCount })}</p>
            <Button block color="primary" size="large" loading={busy} onClick={() => void join()} data-testid={TID.GROUP_JOIN}>
              {t('Join group chat')}
            </Button>
          </>
        ) : (
          <p className="muted">{error || t('Loading…')}</p>
        )}
      </div>
    </Page>
  );
}
