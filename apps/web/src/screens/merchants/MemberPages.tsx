import { Button, Input, List, Result, Selector, Tag, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Page } from '../../components/Page';
import { QrImage } from '../../components/QrImage';
import { errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { formatMinor, parseMajor } from '../wallet/api';
import { PinPrompt } from '../wallet/PinPrompt';
import { CATEGORIES, MERCHANT_EVENT, type MerchantEventDetail, merchantsApi, type Payment, type SearchResult } from './api';
import './merchants.css';

/** After scanning a merchant code: the merchant, the amount (entered for a static code), the coupon that applies, then the PIN. */
export function PayPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const [amount, setAmount] = useState('');
  const minor = parseMajor(amount);
  const { data, error } = useQuery({ queryKey: ['pay', token, minor ?? ''], queryFn: () => merchantsApi.previewPay(token, minor) });
  const [askPin, setAskPin] = useState(false);
  const [paid, setPaid] = useState<Payment | null>(null);
  // One key per attempt: a retry of the same tap after a network failure cannot pay twice.
  const attemptKey = useRef(crypto.randomUUID());
  if (error)
    return (
      <Page title={t('Pay')} fallback="/discover">
        <Result status="error" title={errorText(error)} />
      </Page>
    );
  const order = data?.order;
  const total = order ? order.amountMinor : minor;
  const subsidy = data?.coupon?.subsidyMinor ?? '0';
  const pay = async (pin: string) => {
    setAskPin(false);
    try {
      const result = await merchantsApi.pay(token, order ? { pin } : { amountMinor: minor, pin }, attemptKey.current);
      attemptKey.current = crypto.randomUUID();
      setPaid(result.payment);
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
    } catch (e) {
      Toast.show({ content: errorText(e) });
    }
  };
  if (paid) {
    return (
      <Page title={t('Pay')} fallback="/discover">
        <Result
          status="success"
          title={<span data-testid={TID.PAY_SUCCESS}>¥{formatMinor(paid.paidMinor)}</span>}
          description={`${data?.merchant.businessName ?? ''}${Number(paid.subsidyMinor) > 0 ? ` · ${t('Coupon')} -¥${formatMinor(paid.subsidyMinor)}` : ''}`}
        />
      </Page>
    );
  }
  return (
    <Page title={t('Pay')} fallback="/discover">
      <div className="form-card">
        <h2 data-testid={TID.PAY_MERCHANT}>{data?.merchant.businessName}</h2>
        {order ? (
          <div className="wallet-amount">
            ¥{formatMinor(order.amountMinor)} <span className="muted">{order.description}</span>
          </div>
        ) : (
          <div className="wallet-amount">
            ¥<Input aria-label={t('Amount')} placeholder="0.00" inputMode="decimal" value={amount} onChange={setAmount} data-testid={TID.PAY_AMOUNT} />
          </div>
        )}
        {data?.coupon && Number(subsidy) > 0 ? (
          <div data-testid={TID.PAY_COUPON}>
            <Tag color="danger">{t('Coupon')}</Tag> {data.coupon.name} -¥{formatMinor(subsidy)}
          </div>
        ) : null}
        {total ? (
          <div>
            {t('You pay')}: <strong data-testid={TID.PAY_TOTAL}>¥{formatMinor(Number(total) - Number(subsidy))}</strong>
          </div>
        ) : null}
        <Button block color="primary" disabled={!total} onClick={() => setAskPin(true)} data-testid={TID.PAY_SUBMIT}>
          {t('Pay')}
        </Button>
      </div>
      <PinPrompt
        visible={askPin}
        title={`¥${formatMinor(Number(total ?? 0) - Number(subsidy))}`}
        onClose={() => setAskPin(false)}
        onPin={(pin) => void pay(pin)}
      />
    </Page>
  );
}

/** The member's payment code: one-time, 18 digits, refreshed every minute; large charges wait for the PIN here. */
export function PaymentCodePage() {
  const { t } = useTranslation();
  const { data, refetch } = useQuery({ queryKey: ['payment-code'], queryFn: merchantsApi.paymentCode, gcTime: 0 });
  const [pending, setPending] = useState<Payment | null>(null);
  const [done, setDone] = useState<Payment | null>(null);
  useEffect(() => {
    const timer = setInterval(() => void refetch(), data?.paymentCode.refreshInMs ?? 60_000);
    return () => clearInterval(timer);
  }, [data, refetch]);
  useEffect(() => {
    const onEvent = (event: Event) => {
      const detail = (event as CustomEvent<MerchantEventDetail>).detail;
      if (!detail.merchantName || detail.type !== 'merchant.payment' || !detail.payment) return;
      if (detail.payment.status === 'awaiting_pin') setPending(detail.payment);
      else if (detail.payment.channel === 'code') {
        setDone(detail.payment);
        void refetch();
      }
    };
    window.addEventListener(MERCHANT_EVENT, onEvent);
    return () => window.removeEventListener(MERCHANT_EVENT, onEvent);
  }, [refetch]);
  const code = data?.paymentCode.code ?? '';
  return (
    <Page title={t('Payment code')} fallback="/me/wallet">
      <div className="merchant-qr">
        <p className="muted">{t('Show this to the cashier. It changes every minute and works once.')}</p>
        <Barcode digits={code} />
        <div className="pay-code-digits" data-testid={TID.PAYMENT_CODE_DIGITS}>
          {code.replace(/(\d{4})(?=\d)/g, '$1 ')}
        </div>
        {code ? <QrImage text={code} size={200} alt={t('Payment code')} testId={TID.PAYMENT_CODE_QR} /> : null}
        {done ? (
          <p>
            {t('Paid')} ¥{formatMinor(done.paidMinor)}
          </p>
        ) : null}
      </div>
      <PinPrompt
        visible={Boolean(pending)}
        title={`${t('Confirm payment')} ¥${formatMinor(pending?.amountMinor ?? 0)}`}
        onClose={() => setPending(null)}
        onPin={async (pin) => {
          if (!pending) return;
          try {
            setDone((await merchantsApi.confirmCharge(pending.id, pin)).payment);
          } catch (error) {
            Toast.show({ content: errorText(error) });
          }
          setPending(null);
        }}
      />
    </Page>
  );
}

/**
 * The code as an Interleaved 2 of 5 barcode (digits only, even length: the 18-digit code fits):
 * each pair of digits is five bars for the first and five spaces for the second, two of each five
 * wide (3:1), between the standard start and stop guards and quiet zones of ten narrow widths.
 */
function Barcode({ digits }: { digits: string }) {
  const patterns = ['00110', '10001', '01001', '11000', '00101', '10100', '01100', '00011', '10010', '01010'];
  const narrow = 2;
  const quiet = 10 * narrow;
  const bars: { x: number; w: number }[] = [];
  let x = quiet;
  const push = (wide: boolean, black: boolean) => {
    const w = wide ? 3 * narrow : narrow;
    if (black) bars.push({ x, w });
    x += w;
  };
  for (const black of [true, false, true, false]) push(false, black);
  const even = digits.length % 2 === 0 ? digits : `0${digits}`;
  for (let i = 0; i + 1 < even.length; i += 2) {
    const a = patterns[Number(even[i])] ?? '00000';
    const b = patterns[Number(even[i + 1])] ?? '00000';
    for (let j = 0; j < 5; j += 1) {
      push(a[j] === '1', true);
      push(b[j] === '1', false);
    }
  }
  push(true, true);
  push(false, false);
  push(false, true);
  const width = x + quiet;
  return (
    <svg className="pay-barcode" viewBox={`0 0 ${width} 80`} role="img" aria-label={digits} data-testid={TID.PAYMENT_CODE_BARCODE}>
      <rect width={width} height="80" fill="#fff" />
      {bars.map((bar) => (
        <rect key={bar.x} x={bar.x} y="5" width={bar.w} height="70" fill="#000" />
      ))}
    </svg>
  );
}

/** Discover → Coupons: campaigns open to grab now, and my coupons. */
export function CouponsPage() {
  const { t } = useTranslation();
  const campaigns = useQuery({ queryKey: ['coupons', 'campaigns'], queryFn: merchantsApi.campaigns, refetchInterval: 10_000 });
  const mine = useQuery({ queryKey: ['coupons', 'mine'], queryFn: merchantsApi.myCoupons });
  const now = Date.now();
  return (
    <Page title={t('Coupons')} fallback="/discover">
      <List header={t('Grab now')}>
        {(campaigns.data?.campaigns ?? []).map((c) => {
          const released = c.batches.filter((b) => Date.parse(b.releaseAt) <= now);
          const left = released.reduce((sum, b) => sum + b.quota - b.issued, 0);
          const next = c.batches.find((b) => Date.parse(b.releaseAt) > now);
          return (
            <List.Item
              key={c.id}
              data-testid={TID.COUPON_CAMPAIGN}
              description={`${c.issuerName ? `${c.issuerName} · ` : ''}${t('{{face}} off {{threshold}}', { face: formatMinor(c.faceMinor), threshold: formatMinor(c.thresholdMinor) })} · ${left > 0 ? t('{{n}} left', { n: left }) : next ? `${t('Next release')} ${new Date(next.releaseAt).toLocaleString()}` : t('All taken')}`}
              extra={
                <Button
                  size="mini"
                  color="danger"
                  disabled={left <= 0}
                  data-testid={TID.COUPON_GRAB}
                  onClick={async () => {
                    try {
                      await merchantsApi.grab(c.id);
                      Toast.show({ content: t('Coupon added to your card bag'), icon: 'success' });
                    } catch (error) {
                      Toast.show({ content: errorText(error) });
                    }
                    void queryClient.invalidateQueries({ queryKey: ['coupons'] });
                  }}
                >
                  {t('Grab')}
                </Button>
              }
            >
              {c.name}
            </List.Item>
          );
        })}
      </List>
      <List header={t('My coupons')}>
        {(mine.data?.coupons ?? []).map((c) => (
          <List.Item
            key={c.id}
            data-testid={TID.MY_COUPON}
            description={`${t('Valid until')} ${new Date(c.expiresAt).toLocaleDateString()}`}
            extra={<Tag>{t(c.status)}</Tag>}
          >
            {c.name} · ¥{formatMinor(c.faceMinor ?? 0)}
          </List.Item>
        ))}
      </List>
    </Page>
  );
}

/** Discover → Nearby: search merchants by words, category and distance; a list and a simple map. */
export function NearbyPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<string | undefined>();
  const [origin, setOrigin] = useState<{ lat: number; lng: number }>({ lat: 31.2304, lng: 121.4737 });
  useEffect(() => {
    navigator.geolocation?.getCurrentPosition((p) => setOrigin({ lat: p.coords.latitude, lng: p.coords.longitude }));
  }, []);
  const params = useMemo(() => {
    const p: Record<string, string> = { lat: String(origin.lat), lng: String(origin.lng), limit: '50' };
    if (q.trim()) p.q = q.trim();
    if (category) p.category = category;
    return p;
  }, [q, category, origin]);
  const { data } = useQuery({ queryKey: ['nearby', params], queryFn: () => merchantsApi.search(params) });
  const results = data?.results ?? [];
  return (
    <Page title={t('Nearby')} fallback="/discover">
      <div className="form-card">
        <Input
          aria-label={t('Search shops and services')}
          placeholder={t('Search shops and services')}
          value={q}
          onChange={setQ}
          clearable
          data-testid={TID.NEARBY_SEARCH}
        />
        <Selector
          columns={5}
          options={CATEGORIES.map((c) => ({ label: t(c), value: c }))}
          value={category ? [category] : []}
          onChange={(v) => setCategory(v[0])}
        />
      </div>
      <MerchantMap origin={origin} results={results} />
      <List>
        {results.length === 0 ? <List.Item>{t('Nothing found nearby. Try another word or category.')}</List.Item> : null}
        {results.map((r) => (
          <List.Item
            key={r.id}
            data-testid={TID.NEARBY_RESULT}
            description={`${t(r.category)} · ${r.address}`}
            extra={r.distanceM === null ? '' : r.distanceM < 1000 ? `${r.distanceM} m` : `${(r.distanceM / 1000).toFixed(1)} km`}
          >
            {r.businessName}
          </List.Item>
        ))}
      </List>
    </Page>
  );
}

/** A plain map: the member at the centre, merchants placed by their offset (equirectangular), scaled to fit. */
function MerchantMap({ origin, results }: { origin: { lat: number; lng: number }; results: SearchResult[] }) {
  const size = 300;
  const cos = Math.cos((origin.lat * Math.PI) / 180);
  const points = results.map((r) => ({ r, dx: (r.lng - origin.lng) * cos, dy: r.lat - origin.lat }));
  const extent = Math.max(0.002, ...points.map((p) => Math.max(Math.abs(p.dx), Math.abs(p.dy))));
  // Markers stay inside the circle with room for their labels.
  const scale = (size / 2 - 50) / (extent * Math.SQRT2);
  return (
    <svg className="merchant-map" viewBox={`0 0 ${size} ${size}`} role="img" aria-label="map" data-testid={TID.NEARBY_MAP}>
      <rect width={size} height={size} fill="var(--plaza-surface, #f5f5f5)" />
      <circle cx={size / 2} cy={size / 2} r={size / 2 - 20} fill="none" stroke="#ccc" strokeDasharray="4 4" />
      <circle cx={size / 2} cy={size / 2} r="6" fill="#2f80ed" />
      {points.map(({ r, dx, dy }) => (
        <g key={r.id} transform={`translate(${size / 2 + dx * scale}, ${size / 2 - dy * scale})`} data-testid={TID.NEARBY_MARKER}>
          <path d="M0 0 L-6 -12 A7 7 0 1 1 6 -12 Z" fill="#f25f5c" />
          <text y="12" textAnchor="middle" fontSize="10">
            {r.businessName.slice(0, 10)}
          </text>
        </g>
      ))}
    </svg>
  );
}
