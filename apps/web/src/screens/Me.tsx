import { Button, Dialog, List, Radio, Switch, Toast } from 'antd-mobile';
import {
  CheckShieldOutline,
  ContentOutline,
  FlagOutline,
  PayCircleOutline,
  RightOutline,
  SetOutline,
  ShopbagOutline,
  StarOutline,
  SystemQRcodeOutline,
} from 'antd-mobile-icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Avatar } from '../components/Avatar';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { QrImage } from '../components/QrImage';
import { TopBar } from '../components/Shell';
import { api, clearAuth, errorText, queryClient, updateStoredAccount } from '../lib/api';
import { type Language, setLanguage } from '../lib/i18n';
import { keys, useMe } from '../lib/queries';
import { setThemeChoice, type ThemeChoice, useThemeChoice } from '../lib/theme';
import { TID } from '../testids';
import { useMyIssuers } from './merchants/IssuerPages';

export function MeTab() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const { data: issuers } = useMyIssuers();
  return (
    <>
      <TopBar title={t('Me')} />
      <div className="me-card">
        <button type="button" className="me-profile" data-testid={TID.ME_PROFILE_ROW} onClick={() => navigate('/settings/account')}>
          <Avatar account={me} size={64} />
          <span className="me-names">
            <strong>{me?.displayName}</strong>
            <span className="muted">
              {t('Plaza ID')}: {me?.handle}
            </span>
          </span>
        </button>
        <button type="button" className="icon-button" aria-label={t('My QR code')} data-testid={TID.ME_QR_BUTTON} onClick={() => navigate('/me/qr')}>
          <SystemQRcodeOutline fontSize={20} />
          <RightOutline fontSize={14} />
        </button>
      </div>
      <List className="list-gap" header={t('Pay & Services')}>
        <List.Item
          prefix={
            <span className="entry-icon green">
              <PayCircleOutline />
            </span>
          }
          onClick={() => navigate('/me/wallet')}
          data-testid="me-wallet"
        >
          {t('Wallet')}
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon green">
              <SystemQRcodeOutline />
            </span>
          }
          onClick={() => navigate('/me/wallet/pay-code')}
          data-testid={TID.ME_PAYMENT_CODE}
        >
          {t('Payment code')}
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon orange">
              <ShopbagOutline />
            </span>
          }
          onClick={() => navigate('/me/merchant')}
          data-testid={TID.ME_MERCHANT}
        >
          {t('Merchant')}
        </List.Item>
        {(issuers?.issuers ?? []).length > 0 ? (
          <List.Item
            prefix={
              <span className="entry-icon red">
                <FlagOutline />
              </span>
            }
            onClick={() => navigate('/me/issuer')}
            data-testid={TID.ME_ISSUER}
          >
            {t('Coupon issuer')}
          </List.Item>
        ) : null}
      </List>
      <List className="list-gap">
        <List.Item
          prefix={
            <span className="entry-icon green">
              <StarOutline />
            </span>
          }
          onClick={() => navigate('/discover/favourites')}
        >
          {t('Favourites')}
        </List.Item>
        <List.Item
          prefix={
            <span className="entry-icon blue">
              <ContentOutline />
            </span>
          }
          onClick={() => navigate('/discover/card-bag')}
        >
          {t('Card Bag')}
        </List.Item>
      </List>
      <List className="list-gap">
        <List.Item
          prefix={
            <span className="entry-icon grey">
              <SetOutline />
            </span>
          }
          onClick={() => navigate('/settings')}
          data-testid={TID.SETTINGS_ENTRY}
        >
          <span data-testid={TID.SETTINGS_ENTRY}>{t('Settings')}</span>
        </List.Item>
      </List>
      {me?.isOperator ? (
        <List className="list-gap">
          <List.Item
            prefix={
              <span className="entry-icon blue">
                <CheckShieldOutline />
              </span>
            }
            onClick={() => navigate('/operator')}
            data-testid={TID.OPERATOR_ENTRY}
          >
            {t('Operator console')}
          </List.Item>
        </List>
      ) : null}
    </>
  );
}

export function MyQrPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  return (
    <Page title={t('My QR code')} fallback="/me">
      <div className="my-qr-card">
        <div className="my-qr-head">
          <Avatar account={me} size={56} />
          <div>
            <strong>{me?.displayName}</strong>
            <div className="muted">{me?.region ?? ''}</div>
          </div>
        </div>
        {me ? (
          <QrImage text={`plaza://user/${me.handle}`} size={260} alt={t('My QR code')} testId={TID.MY_QR_IMAGE} center={<Avatar account={me} size={52} />} />
        ) : null}
        <p className="muted">{t('Scan the QR code to add me as a friend')}</p>
      </div>
    </Page>
  );
}

export function SettingsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const theme = useThemeChoice();
  const logout = async () => {
    const ok = await Dialog.confirm({ content: t('Log out of Plaza on this device?'), confirmText: t('Log out'), cancelText: t('Cancel') });
    if (!ok) return;
    try {
      await api.revokeSession('current');
    } catch {
      // Signing out locally matters more than telling the server; the session expires anyway.
    }
    clearAuth();
    navigate('/', { replace: true });
  };
  return (
    <Page title={t('Settings')} fallback="/me">
      <List header={t('Account')}>
        <List.Item onClick={() => navigate('/settings/account')}>{t('Account and profile')}</List.Item>
        <List.Item onClick={() => navigate('/settings/privacy')}>{t('Privacy')}</List.Item>
        <List.Item onClick={() => navigate('/settings/devices')}>{t('Devices')}</List.Item>
      </List>
      <List header={t('General')}>
        <List.Item onClick={() => navigate('/settings/language')} extra={i18n.language === 'zh' ? '简体中文' : 'English'}>
          {t('Language')}
        </List.Item>
        <List.Item onClick={() => navigate('/settings/theme')} extra={t(theme === 'system' ? 'Follow system' : theme === 'dark' ? 'Dark' : 'Light')}>
          {t('Theme')}
        </List.Item>
        <List.Item onClick={() => navigate('/settings/about')}>{t('About Plaza')}</List.Item>
      </List>
      <div className="padded">
        <Button block color="danger" fill="outline" onClick={() => void logout()} data-testid={TID.LOGOUT_BUTTON}>
          {t('Log out')}
        </Button>
      </div>
    </Page>
  );
}

export function AccountSettingsPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const [name, setName] = useState<string | null>(null);
  const [phone, setPhone] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const save = useMutation({
    mutationFn: (body: Parameters<typeof api.updateMe>[0]) => api.updateMe(body),
    onSuccess: ({ account }) => {
      queryClient.setQueryData(keys.me, account);
      updateStoredAccount(account);
      Toast.show({ icon: 'success', content: t('Saved') });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: errorText(error) }),
  });
  const uploadAvatar = async (file: File) => {
    try {
      const { media } = await api.uploadMedia('avatar', file);
      save.mutate({ avatarMediaId: media.id });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  return (
    <Page title={t('Account and profile')} fallback="/settings">
      <List>
        <List.Item onClick={() => fileRef.current?.click()} extra={<Avatar account={me} size={48} />}>
          {t('Profile photo')}
        </List.Item>
        <List.Item extra={me?.handle}>{t('Plaza ID')}</List.Item>
      </List>
      <input
        ref={fileRef}
        type="file"
        accept="image/*"
        hidden
        aria-label={t('Upload profile photo')}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void uploadAvatar(file);
          e.target.value = '';
        }}
      />
      <div className="form-card">
        <label className="field-label" htmlFor="settings-name">
          {t('Name')}
        </label>
        <div className="field-row">
          <Field id="settings-name" data-testid={TID.SETTINGS_DISPLAY_NAME} value={name ?? me?.displayName ?? ''} onValue={setName} maxLength={40} />
          <Button
            size="small"
            color="primary"
            disabled={!name?.trim()}
            onClick={() => {
              if (name) save.mutate({ displayName: name.trim() });
            }}
          >
            {t('Save')}
          </Button>
        </div>
        <label className="field-label" htmlFor="settings-phone">
          {t('Phone')}
        </label>
        <div className="field-row">
          <Field id="settings-phone" type="tel" value={phone ?? me?.phone ?? ''} onValue={setPhone} placeholder="+8613800000000" />
          <Button size="small" color="primary" disabled={phone === null} onClick={() => save.mutate({ phone: phone?.trim() || null })}>
            {t('Save')}
          </Button>
        </div>
      </div>
      <div className="form-card">
        <div className="field-label">{t('Change password')}</div>
        <Field type="password" placeholder={t('Current password')} value={currentPassword} onValue={setCurrentPassword} autoComplete="current-password" />
        <Field type="password" placeholder={t('New password')} value={newPassword} onValue={setNewPassword} autoComplete="new-password" />
        <Button
          block
          disabled={!currentPassword || !newPassword}
          onClick={async () => {
            try {
              await api.changePassword(currentPassword, newPassword);
              setCurrentPassword('');
              setNewPassword('');
              Toast.show({ icon: 'success', content: t('Password changed') });
            } catch (error) {
              Toast.show({ icon: 'fail', content: errorText(error) });
            }
          }}
        >
          {t('Change password')}
        </Button>
      </div>
    </Page>
  );
}

export function PrivacySettingsPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const update = async (body: { handleDiscoverable?: boolean; phoneDiscoverable?: boolean }) => {
    try {
      const { account } = await api.updateMe(body);
      queryClient.setQueryData(keys.me, account);
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    }
  };
  return (
    <Page title={t('Privacy')} fallback="/settings">
      <List header={t('Ways to find me')}>
        <List.Item
          extra={<Switch checked={me?.handleDiscoverable ?? true} onChange={(v) => void update({ handleDiscoverable: v })} aria-label={t('Plaza ID')} />}
        >
          {t('Plaza ID')}
        </List.Item>
        <List.Item
          extra={<Switch checked={me?.phoneDiscoverable ?? false} onChange={(v) => void update({ phoneDiscoverable: v })} aria-label={t('Phone number')} />}
        >
          {t('Phone number')}
        </List.Item>
      </List>
    </Page>
  );
}

export function DevicesPage() {
  const { t, i18n } = useTranslation();
  const { data: sessions = [] } = useQuery({ queryKey: keys.sessions, queryFn: async () => (await api.listSessions()).sessions });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.sessions });
  const rename = async (id: string, current: string) => {
    let value = current;
    const ok = await Dialog.confirm({
      title: t('Rename device'),
      content: <Field defaultValue={current} onValue={(v) => (value = v)} aria-label={t('Device name')} autoFocus />,
      confirmText: t('Save'),
      cancelText: t('Cancel'),
    });
    if (!ok || !value.trim()) return;
    await api.renameSession(id, value.trim()).catch((error: unknown) => Toast.show({ icon: 'fail', content: errorText(error) }));
    refresh();
  };
  const revoke = async (id: string) => {
    const ok = await Dialog.confirm({ content: t('Log this device out?'), confirmText: t('Log out'), cancelText: t('Cancel') });
    if (!ok) return;
    await api.revokeSession(id).catch((error: unknown) => Toast.show({ icon: 'fail', content: errorText(error) }));
    refresh();
  };
  const revokeOthers = async () => {
    const ok = await Dialog.confirm({ content: t('Log out all other devices?'), confirmText: t('Log out'), cancelText: t('Cancel') });
    if (!ok) return;
    await api.revokeSession('others').catch((error: unknown) => Toast.show({ icon: 'fail', content: errorText(error) }));
    refresh();
  };
  return (
    <Page title={t('Devices')} fallback="/settings">
      <List header={t('Devices signed in to your account')}>
        {sessions.map((s) => (
          <List.Item
            key={s.id}
            data-testid={TID.SESSION_ROW}
            description={`${s.userAgent ?? ''}${s.lastSeenAt ? ` · ${t('Last active')} ${new Date(s.lastSeenAt).toLocaleString(i18n.language)}` : ''}`}
            extra={
              s.current ? (
                <span className="tag-current">{t('This device')}</span>
              ) : (
                <Button size="mini" color="danger" fill="outline" data-testid={TID.SESSION_REVOKE} onClick={() => void revoke(s.id)}>
                  {t('Log out')}
                </Button>
              )
            }
            onClick={() => void rename(s.id, s.deviceName ?? '')}
          >
            {s.deviceName || t('Unnamed device')}
          </List.Item>
        ))}
      </List>
      <div className="padded">
        <Button block color="danger" disabled={sessions.length < 2} onClick={() => void revokeOthers()} data-testid={TID.SESSIONS_REVOKE_OTHERS}>
          {t('Log out all other devices')}
        </Button>
      </div>
    </Page>
  );
}

export function LanguagePage() {
  const { t, i18n } = useTranslation();
  return (
    <Page title={t('Language')} fallback="/settings">
      <Radio.Group value={i18n.language} onChange={(v) => setLanguage(v as Language)}>
        <List>
          <List.Item extra={<Radio value="en" aria-label="English" />}>English</List.Item>
          <List.Item extra={<Radio value="zh" aria-label="简体中文" />}>简体中文</List.Item>
        </List>
      </Radio.Group>
    </Page>
  );
}

export function ThemePage() {
  const { t } = useTranslation();
  const theme = useThemeChoice();
  return (
    <Page title={t('Theme')} fallback="/settings">
      <Radio.Group value={theme} onChange={(v) => setThemeChoice(v as ThemeChoice)}>
        <List>
          {(['system', 'light', 'dark'] as const).map((choice) => (
            <List.Item key={choice} extra={<Radio value={choice} aria-label={choice} />}>
              {t(choice === 'system' ? 'Follow system' : choice === 'dark' ? 'Dark' : 'Light')}
            </List.Item>
          ))}
        </List>
      </Radio.Group>
    </Page>
  );
}

export function AboutPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('About Plaza')} fallback="/settings">
      <div className="about">
        <img src="/icon.svg" alt="" width={72} height={72} />
        <h2>Plaza</h2>
        <p className="muted">0.1.0</p>
        <p>{t('An open-source super app you can host yourself. Licensed under AGPL-3.0-or-later.')}</p>
      </div>
    </Page>
  );
}
