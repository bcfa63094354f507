import type { QrLogin, QrLoginState } from '@plaza/client';
import { Button, Form, Tabs, Toast } from 'antd-mobile';
import { Field } from '../components/Field';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Avatar } from '../components/Avatar';
import { QrImage } from '../components/QrImage';
import { api, deviceName, errorText, setAuth } from '../lib/api';
import { TID } from '../testids';

const QR_POLL_MS = 1500;

function LoginForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [handle, setHandle] = useState('');
  const [password, setPassword] = useState('');
  const submit = async () => {
    if (!handle || !password) return;
    setBusy(true);
    try {
      const result = await api.login({ handle: handle.trim(), password, deviceName: deviceName() });
      setAuth(result.token, result.account);
      navigate('/chats', { replace: true });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-form">
      <Form
        layout="horizontal"
        mode="card"
        onFinish={() => void submit()}
        footer={
          <Button block color="primary" size="large" type="submit" loading={busy} disabled={!handle || !password} data-testid={TID.LOGIN_SUBMIT}>
            {t('Log in')}
          </Button>
        }
      >
        <Form.Item label={t('Plaza ID')}>
          <Field data-testid={TID.LOGIN_HANDLE} value={handle} onValue={setHandle} placeholder={t('Your Plaza ID')} autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('Password')}>
          <Field
            data-testid={TID.LOGIN_PASSWORD}
            type="password"
            value={password}
            onValue={setPassword}
            placeholder={t('Password')}
            autoComplete="current-password"
          />
        </Form.Item>
      </Form>
    </div>
  );
}

function RegisterForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [handle, setHandle] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const submit = async () => {
    if (!handle || !name || !password) return;
    setBusy(true);
    try {
      const result = await api.register({ handle: handle.trim(), displayName: name.trim(), password, deviceName: deviceName() });
      setAuth(result.token, result.account);
      navigate('/chats', { replace: true });
    } catch (error) {
      Toast.show({ icon: 'fail', content: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-form">
      <Form
        layout="horizontal"
        mode="card"
        onFinish={() => void submit()}
        footer={
          <Button block color="primary" size="large" type="submit" loading={busy} disabled={!handle || !name || !password} data-testid={TID.REGISTER_SUBMIT}>
            {t('Sign up')}
          </Button>
        }
      >
        <Form.Item label={t('Plaza ID')} help={t('6–20 letters, digits, _ or -, starting with a letter. Friends find you by it.')}>
          <Field data-testid={TID.REGISTER_HANDLE} value={handle} onValue={setHandle} placeholder={t('e.g. alice_2026')} autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('Name')}>
          <Field data-testid={TID.REGISTER_DISPLAY_NAME} value={name} onValue={setName} placeholder={t('Name shown to friends')} autoComplete="nickname" />
        </Form.Item>
        <Form.Item label={t('Password')}>
          <Field
            data-testid={TID.REGISTER_PASSWORD}
            type="password"
            value={password}
            onValue={setPassword}
            placeholder={t('Password')}
            autoComplete="new-password"
          />
        </Form.Item>
      </Form>
    </div>
  );
}

function QrLoginPanel() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [qr, setQr] = useState<QrLogin | null>(null);
  const [state, setState] = useState<QrLoginState>({ status: 'pending' });
  const [failed, setFailed] = useState('');

  const start = useCallback(async () => {
    setFailed('');
    setState({ status: 'pending' });
    try {
      const { qrLogin } = await api.createQrLogin(deviceName());
      setQr(qrLogin);
    } catch (error) {
      setFailed(errorText(error));
    }
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  useEffect(() => {
    if (!qr) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const { qrLogin } = await api.pollQrLogin(qr.id, qr.secret);
        if (!alive) return;
        setState(qrLogin);
        if (qrLogin.status === 'confirmed' && qrLogin.token) {
          const token = qrLogin.token;
          api.token = token;
          const account = qrLogin.account ?? (await api.me()).account;
          setAuth(token, account);
          navigate('/chats', { replace: true });
          return;
        }
        if (qrLogin.status === 'expired' || qrLogin.status === 'consumed') return;
      } catch (error) {
        if (!alive) return;
        setFailed(errorText(error));
      }
      if (new Date(qr.expiresAt).getTime() < Date.now()) {
        setState({ status: 'expired' });
        return;
      }
      timer = setTimeout(poll, QR_POLL_MS);
    };
    timer = setTimeout(poll, QR_POLL_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [qr, navigate]);

  const expired = state.status === 'expired' || state.status === 'consumed';
  return (
    <div className="qr-login">
      {state.status === 'scanned' ? (
        <div className="qr-login-scanned" data-testid={TID.QR_LOGIN_STATUS} data-status="scanned">
          <Avatar account={state.account} size={72} />
          <strong>{state.account?.displayName}</strong>
          <p>{t('Confirm on your phone')}</p>
          <Button fill="none" onClick={() => void start()}>
            {t('Switch account')}
          </Button>
        </div>
      ) : (
        <>
          <div className={`qr-login-code ${expired ? 'expired' : ''}`}>
            {qr ? <QrImage text={qr.qrText} size={220} testId={TID.QR_LOGIN_IMAGE} alt={t('Login QR code')} /> : <div className="qr-placeholder" />}
            {expired || failed ? (
              <div className="qr-overlay">
                <p>{expired ? t('QR code expired') : failed}</p>
                <Button size="small" color="primary" onClick={() => void start()} data-testid={TID.QR_LOGIN_REFRESH}>
                  {t('Refresh')}
                </Button>
              </div>
            ) : null}
          </div>
          <p className="muted" data-testid={TID.QR_LOGIN_STATUS} data-status={state.status}>
            {t('Scan with Plaza on your phone to log in')}
          </p>
        </>
      )}
    </div>
  );
}

export function AuthScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useState('login');
  return (
    <div className="auth-screen">
      <div className="auth-brand">
        <img src="/icon.svg" alt="" width={64} height={64} />
        <h1>Plaza</h1>
        <p>{t('Chats, contacts and services on a server you trust.')}</p>
      </div>
      <Tabs activeKey={tab} onChange={setTab} className="auth-tabs">
        <Tabs.Tab key="login" title={<span data-testid={TID.AUTH_TAB_LOGIN}>{t('Log in')}</span>}>
          <LoginForm />
        </Tabs.Tab>
        <Tabs.Tab key="register" title={<span data-testid={TID.AUTH_TAB_REGISTER}>{t('Sign up')}</span>}>
          <RegisterForm />
        </Tabs.Tab>
        <Tabs.Tab key="qr" title={<span data-testid={TID.AUTH_TAB_QR}>{t('QR login')}</span>}>
          {tab === 'qr' ? <QrLoginPanel /> : null}
        </Tabs.Tab>
      </Tabs>
    </div>
  );
}
