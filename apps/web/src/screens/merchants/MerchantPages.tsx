import { Button, Dialog, List, Selector, Tabs, Tag, Toast } from 'antd-mobile';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Field } from '../../components/Field';
import { Page } from '../../components/Page';
import { QrImage } from '../../components/QrImage';
import { api, errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { EChart } from '../wallet/EChart';
import { formatMinor, parseMajor } from '../wallet/api';
import { PinPrompt } from '../wallet/PinPrompt';
import { CATEGORIES, MERCHANT_EVENT, type MerchantEventDetail, merchantsApi, type Payment, playChime } from './api';
import './merchants.css';

/** Me → Merchant: my merchants (owned or staffed), or the application form. */
export function MerchantHomePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data } = useQuery({ queryKey: ['merchants', 'mine'], queryFn: merchantsApi.mine });
  const merchants = data?.merchants ?? [];
  return (
    <Page title={t('Merchant')} fallback="/me">
      {merchants.length > 0 ? (
        <List header={t('My merchants')}>
          {merchants.map((m) => (
            <List.Item
              key={m.id}
              data-testid={TID.MERCHANT_ROW}
              description={`${t(m.category)} · ${t(m.role ?? 'owner')}`}
              extra={<Tag color={m.status === 'approved' ? 'success' : m.status === 'pending' ? 'warning' : 'danger'}>{t(m.status)}</Tag>}
              onClick={() => navigate(`/me/merchant/${m.id}`)}
            >
              {m.businessName}
            </List.Item>
          ))}
        </List>
      ) : null}
      {merchants.every((m) => m.role !== 'owner') ? <ApplyForm /> : null}
    </Page>
  );
}

function ApplyForm() {
  const { t } = useTranslation();
  const [form, setForm] = useState({ businessName: '', licenceNumber: '', address: '', lat: '31.2304', lng: '121.4737' });
  const [category, setCategory] = useState('food');
  const apply = useMutation({
    mutationFn: () => merchantsApi.apply({ ...form, category, lat: Number(form.lat), lng: Number(form.lng) }),
    onSuccess: () => {
      Toast.show({ content: t('Application sent for review'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['merchants'] });
    },
    onError: (error) => Toast.show({ content: errorText(error) }),
  });
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <div className="form-card">
      <strong>{t('Open a merchant account')}</strong>
      <Field
        aria-label={t('Business name')}
        placeholder={t('Business name')}
        value={form.businessName}
        onValue={set('businessName')}
        data-testid={TID.MERCHANT_APPLY_NAME}
      />
      <Selector columns={3} options={CATEGORIES.map((c) => ({ label: t(c), value: c }))} value={[category]} onChange={(v) => v[0] && setCategory(v[0])} />
      <Field
        aria-label={t('Licence number')}
        placeholder={t('Licence number')}
        value={form.licenceNumber}
        onValue={set('licenceNumber')}
        data-testid={TID.MERCHANT_APPLY_LICENCE}
      />
      <Field aria-label={t('Address')} placeholder={t('Address')} value={form.address} onValue={set('address')} data-testid={TID.MERCHANT_APPLY_ADDRESS} />
      <div className="merchant-row">
        <Field aria-label={t('Latitude')} value={form.lat} onValue={set('lat')} />
        <Field aria-label={t('Longitude')} value={form.lng} onValue={set('lng')} />
        <Button
          size="small"
          onClick={() =>
            navigator.geolocation?.getCurrentPosition((p) => setForm((f) => ({ ...f, lat: p.coords.latitude.toFixed(6), lng: p.coords.longitude.toFixed(6) })))
          }
        >
          {t('Use my location')}
        </Button>
      </div>
      <Button block color="primary" loading={apply.isPending} onClick={() => apply.mutate()} data-testid={TID.MERCHANT_APPLY_SUBMIT}>
        {t('Apply')}
      </Button>
    </div>
  );
}

/** The merchant console: live payments, QR codes, orders, charges, refunds, reports, points, claims, settings. */
export function MerchantConsolePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { data } = useQuery({ queryKey: ['merchants', id, 'details'], queryFn: () => merchantsApi.details(id) });
  if (!data)
    return (
      <Page title={t('Merchant')} fallback="/me/merchant">
        {null}
      </Page>
    );
  const m = data.merchant;
  return (
    <Page title={m.businessName} fallback="/me/merchant">
      {m.status !== 'approved' ? (
        <div className="form-card" data-testid={TID.MERCHANT_STATUS}>
          {m.status === 'pending' ? t('Your application is waiting for review.') : `${t('Rejected')}: ${m.reviewNote}`}
        </div>
      ) : (
        <>
          <div className="merchant-hero">
            <div>
              {t('Balance')}: <strong data-testid={TID.MERCHANT_BALANCE}>¥{formatMinor(data.balanceMinor)}</strong>
            </div>
            <div>
              {t('Points')}: <strong>{data.points}</strong>
            </div>
          </div>
          <Tabs defaultActiveKey="live">
            <Tabs.Tab title={t('Live')} key="live">
              <LivePayments merchantId={id} canRefund={data.role !== 'cashier'} />
            </Tabs.Tab>
            <Tabs.Tab title={t('QR code')} key="qr">
              <QrTab merchantId={id} content={data.staticQrContent} name={m.businessName} />
            </Tabs.Tab>
            <Tabs.Tab title={t('Collect')} key="collect">
              <CollectTab merchantId={id} />
            </Tabs.Tab>
            {data.role !== 'cashier' ? (
              <Tabs.Tab title={t('Report')} key="report">
                <ReportTab merchantId={id} />
              </Tabs.Tab>
            ) : null}
            {data.role !== 'cashier' ? (
              <Tabs.Tab title={t('Points')} key="points">
                <PointsTab merchantId={id} />
              </Tabs.Tab>
            ) : null}
            {data.role === 'owner' ? (
              <Tabs.Tab title={t('Relief cover')} key="cover">
                <CoverTab merchantId={id} />
              </Tabs.Tab>
            ) : null}
            {data.role === 'owner' ? (
              <Tabs.Tab title={t('Settings')} key="settings">
                <SettingsTab merchantId={id} staff={data.staff} webhookUrl={data.webhookUrl} />
              </Tabs.Tab>
            ) : null}
          </Tabs>
        </>
      )}
    </Page>
  );
}

function LivePayments({ merchantId, canRefund }: { merchantId: string; canRefund: boolean }) {
  const { t } = useTranslation();
  const key = ['merchants', merchantId, 'payments'];
  const { data } = useQuery({ queryKey: key, queryFn: () => merchantsApi.payments(merchantId) });
  const [flash, setFlash] = useState<string | null>(null);
  useEffect(() => {
    const onEvent = (event: Event) => {
      const detail = (event as CustomEvent<MerchantEventDetail>).detail;
      if (detail.payment?.merchantId !== merchantId || detail.merchantName) return;
      if (detail.type === 'merchant.payment' && detail.payment.status === 'paid') {
        playChime();
        setFlash(detail.payment.id);
      }
      void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
    };
    window.addEventListener(MERCHANT_EVENT, onEvent);
    return () => window.removeEventListener(MERCHANT_EVENT, onEvent);
  }, [merchantId]);
  const refund = async (payment: Payment) => {
    const left = Number(payment.paidMinor) - Number(payment.refundedMinor);
    let text = '';
    const ok = await Dialog.confirm({
      title: t('Refund'),
      content: (
        <div>
          <p>
            {t('Up to')} ¥{formatMinor(left)}
          </p>
          <Field aria-label={t('Refund amount')} placeholder="0.00" onValue={(v) => (text = v)} data-testid={TID.MERCHANT_REFUND_AMOUNT} />
        </div>
      ),
      confirmText: <span data-testid={TID.MERCHANT_REFUND_CONFIRM}>{t('Refund')}</span>,
      cancelText: t('Cancel'),
    });
    if (!ok) return;
    const minor = parseMajor(text);
    if (!minor) return Toast.show({ content: t('Enter an amount') });
    try {
      await merchantsApi.refund(merchantId, payment.id, minor, `web-${crypto.randomUUID().slice(0, 18)}`);
      Toast.show({ content: t('Refunded'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  const payments = data?.payments ?? [];
  return (
    <List>
      {payments.length === 0 ? <List.Item>{t('No payments yet: print your QR code and put it at the till.')}</List.Item> : null}
      {payments.map((p) => (
        <List.Item
          key={p.id}
          data-testid={TID.MERCHANT_PAYMENT_ROW}
          data-payment-id={p.id}
          className={flash === p.id ? 'merchant-flash' : ''}
          description={`${new Date(p.paidAt ?? p.createdAt).toLocaleTimeString()} · ${t(p.channel)}${Number(p.subsidyMinor) > 0 ? ` · ${t('Coupon')} ¥${formatMinor(p.subsidyMinor)}` : ''}${Number(p.refundedMinor) > 0 ? ` · ${t('Refunded')} ¥${formatMinor(p.refundedMinor)}` : ''}`}
          extra={
            canRefund && Number(p.refundedMinor) < Number(p.paidMinor) ? (
              <Button size="mini" onClick={() => void refund(p)} data-testid={TID.MERCHANT_REFUND_BUTTON}>
                {t('Refund')}
              </Button>
            ) : null
          }
        >
          <span data-testid={TID.MERCHANT_PAYMENT_AMOUNT}>¥{formatMinor(p.amountMinor)}</span>
        </List.Item>
      ))}
    </List>
  );
}

function QrTab({ merchantId, content, name }: { merchantId: string; content: string; name: string }) {
  const { t } = useTranslation();
  const [pngUrl, setPngUrl] = useState('');
  useEffect(() => {
    let url = '';
    void merchantsApi.qrFile(merchantId, 'png').then((blob) => {
      url = URL.createObjectURL(blob);
      setPngUrl(url);
    });
    return () => URL.revokeObjectURL(url);
  }, [merchantId]);
  return (
    <div className="merchant-qr print-area">
      <h2>{name}</h2>
      <QrImage text={content} size={260} alt={t('Payment QR code')} testId={TID.MERCHANT_STATIC_QR} />
      <p className="muted">{t('Scan with Plaza to pay')}</p>
      <div className="merchant-row no-print">
        <a href={pngUrl} download={`plaza-merchant-${merchantId}.png`} data-testid={TID.MERCHANT_QR_DOWNLOAD}>
          <Button size="small" disabled={!pngUrl}>
            {t('Download PNG')}
          </Button>
        </a>
        <Button
          size="small"
          onClick={async () => {
            try {
              const url = URL.createObjectURL(await merchantsApi.qrFile(merchantId, 'pdf'));
              const link = document.createElement('a');
              link.href = url;
              link.download = `plaza-merchant-${merchantId}.pdf`;
              link.click();
              setTimeout(() => URL.revokeObjectURL(url), 60_000);
            } catch (error) {
              Toast.show(errorText(error));
            }
          }}
          data-testid={TID.MERCHANT_QR_PDF}
        >
          {t('Download PDF')}
        </Button>
        <Button size="small" onClick={() => window.print()} data-testid={TID.MERCHANT_QR_PRINT}>
          {t('Print')}
        </Button>
      </div>
    </div>
  );
}

function CollectTab({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [code, setCode] = useState('');
  const [order, setOrder] = useState<Payment | null>(null);
  const create = async () => {
    const minor = parseMajor(amount);
    if (!minor) return Toast.show({ content: t('Enter an amount') });
    try {
      setOrder((await merchantsApi.createOrder(merchantId, minor, description)).order);
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  const charge = async () => {
    const minor = parseMajor(amount);
    if (!minor || !/^[0-9]{18}$/.test(code)) return Toast.show({ content: t('Enter an amount and the 18-digit code') });
    try {
      const { payment } = await merchantsApi.charge(merchantId, code, minor);
      Toast.show({ content: payment.status === 'paid' ? t('Paid') : t('Waiting for the customer to confirm with the PIN'), icon: 'success' });
      setCode('');
      void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <div className="form-card">
      <Field aria-label={t('Amount')} placeholder="0.00" inputMode="decimal" value={amount} onValue={setAmount} data-testid={TID.MERCHANT_ORDER_AMOUNT} />
      <Field aria-label={t('Description')} placeholder={t('Description')} value={description} onValue={setDescription} />
      <Button block color="primary" onClick={() => void create()} data-testid={TID.MERCHANT_ORDER_CREATE}>
        {t('Create order QR code')}
      </Button>
      {order?.qrContent ? (
        <div className="merchant-qr">
          <QrImage text={order.qrContent} size={220} alt={t('Order QR code')} testId={TID.MERCHANT_ORDER_QR} />
          <p>
            ¥{formatMinor(order.amountMinor)} · {t('Expires')} {new Date(order.expiresAt ?? '').toLocaleTimeString()}
          </p>
        </div>
      ) : null}
      <Field
        aria-label={t('Customer payment code')}
        placeholder={t('Customer payment code')}
        inputMode="numeric"
        value={code}
        onValue={setCode}
        data-testid={TID.MERCHANT_CHARGE_CODE}
      />
      <Button block onClick={() => void charge()} data-testid={TID.MERCHANT_CHARGE_SUBMIT}>
        {t('Charge payment code')}
      </Button>
    </div>
  );
}

function ReportTab({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['merchants', merchantId, 'report'], queryFn: () => merchantsApi.report(merchantId) });
  const option = useMemo(() => {
    const days = data?.days ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: [t('Takings'), t('Refunds'), t('Payments')] },
      xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
      yAxis: [{ type: 'value' }, { type: 'value', minInterval: 1 }],
      series: [
        { name: t('Takings'), type: 'bar', data: days.map((d) => Number(d.grossMinor) / 100) },
        { name: t('Refunds'), type: 'bar', data: days.map((d) => Number(d.refundedMinor) / 100) },
        { name: t('Payments'), type: 'line', yAxisIndex: 1, data: days.map((d) => d.count) },
      ],
    };
  }, [data, t]);
  const today = data?.days[data.days.length - 1];
  const [askPin, setAskPin] = useState(false);
  const [settleText, setSettleText] = useState('');
  const downloadStatement = async () => {
    const day = today?.day ?? new Date().toISOString().slice(0, 10);
    try {
      const url = URL.createObjectURL(await merchantsApi.statement(merchantId, day));
      const a = document.createElement('a');
      a.href = url;
      a.download = `statement-${day}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <div className="wallet-chart" data-testid={TID.MERCHANT_REPORT}>
      <EChart option={option} height={260} />
      <div className="merchant-row">
        <Button size="small" onClick={() => void downloadStatement()}>
          {t("Today's statement (CSV)")}
        </Button>
        <Field aria-label={t('Amount to settle')} placeholder={t('Amount to settle')} inputMode="decimal" value={settleText} onValue={setSettleText} />
        <Button size="small" disabled={!parseMajor(settleText)} onClick={() => setAskPin(true)}>
          {t('Settle to my wallet')}
        </Button>
      </div>
      <PinPrompt
        visible={askPin}
        title={`${t('Settle to my wallet')} ¥${formatMinor(parseMajor(settleText) ?? 0)}`}
        onClose={() => setAskPin(false)}
        onPin={async (pin) => {
          setAskPin(false);
          try {
            await merchantsApi.settle(merchantId, parseMajor(settleText) ?? '0', pin);
            Toast.show({ content: t('Moved to your wallet; withdraw to a bank card from Wallet.'), icon: 'success' });
            setSettleText('');
            void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
          } catch (error) {
            Toast.show({ content: errorText(error) });
          }
        }}
      />
      {today ? (
        <List header={t('Today')}>
          <List.Item extra={today.count}>{t('Payments')}</List.Item>
          <List.Item extra={`¥${formatMinor(today.grossMinor)}`}>{t('Takings')}</List.Item>
          <List.Item extra={`¥${formatMinor(today.subsidyMinor)}`}>{t('Coupons redeemed')}</List.Item>
          <List.Item extra={`¥${formatMinor(today.feeMinor)}`}>{t('Fees')}</List.Item>
          <List.Item extra={`¥${formatMinor(today.refundedMinor)}`}>{t('Refunds')}</List.Item>
        </List>
      ) : null}
    </div>
  );
}

function PointsTab({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['merchants', merchantId, 'points'], queryFn: () => merchantsApi.points(merchantId) });
  const [points, setPoints] = useState('');
  const redeem = async (target: 'fees' | 'cash') => {
    try {
      await merchantsApi.redeem(merchantId, points, target);
      Toast.show({ content: t('Redeemed'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <div className="form-card">
      <div>
        {t('Points')}: <strong data-testid={TID.MERCHANT_POINTS}>{data?.points ?? '0'}</strong> ({t('1 point')} = ¥
        {formatMinor(data?.rules.pointValueMinor ?? 0)})
      </div>
      <div className="muted">
        {t('Fees paid')}: ¥{formatMinor(data?.feesPaidMinor ?? 0)} · {t('Rebated')}: ¥{formatMinor(data?.feesRebatedMinor ?? 0)}
      </div>
      <Field aria-label={t('Points to redeem')} placeholder={t('Points to redeem')} inputMode="numeric" value={points} onValue={setPoints} />
      <div className="merchant-row">
        <Button onClick={() => void redeem('fees')}>{t('Against fees')}</Button>
        <Button disabled={!data?.rules.cashEnabled} onClick={() => void redeem('cash')}>
          {t('For cash')}
        </Button>
      </div>
    </div>
  );
}

function CoverTab({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation();
  const programs = useQuery({ queryKey: ['cover', 'programs'], queryFn: merchantsApi.coverPrograms });
  const claims = useQuery({ queryKey: ['merchants', merchantId, 'claims'], queryFn: () => merchantsApi.coverClaims(merchantId) });
  const [dates, setDates] = useState({ start: '', end: '' });
  const [files, setFiles] = useState<File[]>([]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId, 'claims'] });
  const upload = async () => {
    const ids: string[] = [];
    for (const file of files) ids.push(String((await api.uploadMedia(file.type.startsWith('image/') ? 'image' : 'file', file, file.name)).media.id));
    return ids;
  };
  const file = async (programId: string) => {
    try {
      await merchantsApi.fileClaim(merchantId, { programId, startDate: dates.start, endDate: dates.end, mediaIds: await upload() });
      Toast.show({ content: t('Claim filed'), icon: 'success' });
      refresh();
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  const enrolled = new Set(claims.data?.enrolledProgramIds ?? []);
  return (
    <>
      <List header={t('Cover programs')}>
        {(programs.data?.programs ?? []).map((p) => (
          <List.Item
            key={p.id}
            description={`¥${formatMinor(p.dailyBenefitMinor)} / ${t('day')} · ${t('up to {{n}} days', { n: p.maxDays })}`}
            extra={
              enrolled.has(p.id) ? (
                <Tag color="success">{t('Enrolled')}</Tag>
              ) : (
                <Button
                  size="mini"
                  onClick={async () => {
                    try {
                      await merchantsApi.enrol(merchantId, p.id);
                      refresh();
                    } catch (error) {
                      Toast.show({ content: errorText(error) });
                    }
                  }}
                >
                  {t('Enrol')}
                </Button>
              )
            }
          >
            {p.name}
          </List.Item>
        ))}
      </List>
      {enrolled.size > 0 ? (
        <div className="form-card">
          <strong>{t('File a claim')}</strong>
          <label>
            {t('First day')} <input type="date" value={dates.start} onChange={(e) => setDates((d) => ({ ...d, start: e.target.value }))} />
          </label>
          <label>
            {t('Last day')} <input type="date" value={dates.end} onChange={(e) => setDates((d) => ({ ...d, end: e.target.value }))} />
          </label>
          <input type="file" multiple accept="image/*,application/pdf" aria-label={t('Documents')} onChange={(e) => setFiles([...(e.target.files ?? [])])} />
          {[...enrolled].map((programId) => (
            <Button key={programId} color="primary" disabled={!dates.start || !dates.end || files.length === 0} onClick={() => void file(programId)}>
              {t('Submit claim')} ({programs.data?.programs.find((p) => p.id === programId)?.name})
            </Button>
          ))}
        </div>
      ) : null}
      <List header={t('My claims')}>
        {(claims.data?.claims ?? []).map((c) => (
          <List.Item
            key={c.id}
            description={`${c.startDate} – ${c.endDate} · ${c.note}`}
            extra={
              <span>
                <Tag>{t(c.status)}</Tag> {c.status === 'approved' ? `¥${formatMinor(c.payoutMinor)}` : ''}
              </span>
            }
            onClick={
              c.status === 'more_info'
                ? async () => {
                    if (files.length === 0) return Toast.show({ content: t('Choose the documents to add first') });
                    try {
                      await merchantsApi.addDocuments(merchantId, c.id, await upload());
                      refresh();
                    } catch (error) {
                      Toast.show({ content: errorText(error) });
                    }
                  }
                : undefined
            }
          >
            {t('{{n}} days', { n: c.days })}
          </List.Item>
        ))}
      </List>
    </>
  );
}

function SettingsTab({
  merchantId,
  staff,
  webhookUrl,
}: {
  merchantId: string;
  staff: { accountId: string; displayName: string; role: string }[];
  webhookUrl: string | null;
}) {
  const { t } = useTranslation();
  const contacts = useQuery({ queryKey: ['contacts', 'for-staff'], queryFn: () => api.listContacts() });
  const [url, setUrl] = useState(webhookUrl ?? '');
  const addStaff = async (accountId: string, role: string) => {
    try {
      await merchantsApi.addStaff(merchantId, accountId, role);
      void queryClient.invalidateQueries({ queryKey: ['merchants', merchantId] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };
  return (
    <>
      <List header={t('Staff')}>
        {staff.map((s) => (
          <List.Item key={s.accountId} extra={t(s.role)}>
            {s.displayName}
          </List.Item>
        ))}
      </List>
      <List header={t('Add staff from contacts')}>
        {(contacts.data?.contacts ?? [])
          .filter((c) => !staff.some((s) => s.accountId === String(c.account.id)))
          .map((c) => (
            <List.Item
              key={String(c.account.id)}
              extra={
                <span className="merchant-row">
                  <Button size="mini" onClick={() => void addStaff(String(c.account.id), 'cashier')}>
                    {t('cashier')}
                  </Button>
                  <Button size="mini" onClick={() => void addStaff(String(c.account.id), 'manager')}>
                    {t('manager')}
                  </Button>
                </span>
              }
            >
              {c.remark || c.account.displayName}
            </List.Item>
          ))}
      </List>
      <div className="form-card">
        <strong>{t('API key')}</strong>
        <Button
          onClick={async () => {
            try {
              const { apiKey } = await merchantsApi.createApiKey(merchantId);
              await Dialog.alert({
                confirmText: t('OK'),
                title: t('Copy it now: it is shown once'),
                content: <code className="merchant-secret">{apiKey.key}</code>,
              });
            } catch (error) {
              Toast.show({ content: errorText(error) });
            }
          }}
        >
          {t('Create API key')}
        </Button>
        <strong>{t('Webhook URL')}</strong>
        <Field aria-label={t('Webhook URL')} placeholder="https://…" value={url} onValue={setUrl} />
        <Button
          onClick={async () => {
            try {
              const { webhook } = await merchantsApi.setWebhook(merchantId, url.trim() || null);
              if (webhook.secret)
                await Dialog.alert({ confirmText: t('OK'), title: t('Signing secret'), content: <code className="merchant-secret">{webhook.secret}</code> });
            } catch (error) {
              Toast.show({ content: errorText(error) });
            }
          }}
        >
          {t('Save webhook')}
        </Button>
      </div>
    </>
  );
}
