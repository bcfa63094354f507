import { PlazaApiError } from '@plaza/client';
import { Button, Checkbox, Dialog, Input, List, Popup, Selector, SwipeAction, Toast } from 'antd-mobile';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Page } from '../../components/Page';
import { errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { type BankCard, type BillFilter, formatAmount, formatMinor, parseMajor, type WalletInfo, walletApi } from './api';
import { EChart } from './EChart';
import { moneyErrorText, showMoneyError, usePinPayment } from './money';
import { PinPrompt } from './PinPrompt';
import { groupCardNumber, luhnValid, prcIdNumberValid, withdrawalFeeMinor } from './validation';
import './wallet.css';

function refreshWallet() {
  void queryClient.invalidateQueries({ queryKey: ['wallet'] });
}

// Balances change through other people (a friend accepts or returns a transfer), so money screens
// read afresh whenever they open instead of trusting the app-wide 30 s cache.
export const FRESH = { staleTime: 0, refetchOnMount: 'always' } as const;

export function useWallet() {
  return useQuery({ queryKey: ['wallet', 'home'], queryFn: walletApi.wallet, ...FRESH });
}

/** Set the PIN (twice, to catch a slip) or change it (current PIN first). */
function SetPinSheet({ hasPin, onClose, onSaved }: { hasPin: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const [step, setStep] = useState<'current' | 'new' | 'confirm'>(hasPin ? 'current' : 'new');
  const [current, setCurrent] = useState<string>();
  const [chosen, setChosen] = useState<string>();
  const [error, setError] = useState<string>();
  const titles = {
    current: t('Enter your current PIN'),
    new: t('Choose a 6-digit payment PIN'),
    confirm: t('Enter the new PIN again'),
  };
  return (
    <PinPrompt
      key={step}
      visible
      title={titles[step]}
      description={step === 'new' ? t('Not a run (123456) and not one digit six times.') : undefined}
      error={error}
      onClose={onClose}
      onPin={async (pin) => {
        setError(undefined);
        if (step === 'current') {
          setCurrent(pin);
          setStep('new');
          return;
        }
        if (step === 'new') {
          setChosen(pin);
          setStep('confirm');
          return;
        }
        if (pin !== chosen) {
          setError(t('The two PINs differ. Choose again.'));
          setStep('new');
          return;
        }
        try {
          await walletApi.setPin(pin, current);
          Toast.show({ content: t('PIN saved'), icon: 'success' });
          refreshWallet();
          onSaved();
        } catch (failure) {
          setError(failure instanceof PlazaApiError && failure.code === 'VALIDATION_FAILED' ? errorText(failure) : moneyErrorText(failure, t));
          setStep(hasPin && failure instanceof PlazaApiError && failure.code === 'WALLET_PIN_WRONG' ? 'current' : 'new');
        }
      }}
    />
  );
}

function FundingSheet({
  kind,
  cards,
  wallet,
  onAddCard,
  onClose,
}: {
  kind: 'top-up' | 'withdraw' | null;
  cards: BankCard[];
  wallet: WalletInfo | undefined;
  onAddCard: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [cardId, setCardId] = useState<string>();
  const [amount, setAmount] = useState('');
  const chosen = cards.find((c) => c.id === cardId)?.id ?? cards[0]?.id;
  const minor = parseMajor(amount);
  const limits = wallet?.limits;
  const fee =
    kind === 'withdraw' && minor && limits ? withdrawalFeeMinor(Number(minor), limits.withdrawalFeeBasisPoints, Number(limits.withdrawalFeeMinMinor)) : 0;
  const available = Number(wallet?.balances.find((b) => b.asset === 'CNY')?.availableMinor ?? 0);
  const tooMuch = kind === 'withdraw' && minor !== undefined && Number(minor) + fee > available;
  const payment = usePinPayment(async (pin) => {
    if (!chosen || !minor) return;
    if (kind === 'top-up') await walletApi.topUp(chosen, minor, pin);
    else await walletApi.withdraw(chosen, minor, pin);
    Toast.show({ content: kind === 'top-up' ? t('Topped up') : t('Withdrawal sent to your card'), icon: 'success' });
    refreshWallet();
    setAmount('');
    onClose();
  });
  const title = kind === 'top-up' ? t('Top up') : t('Withdraw');
  return (
    <>
      <Popup visible={kind !== null} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{title}</div>
        {cards.length === 0 ? (
          <>
            <p className="muted">{t('Add a bank card first.')}</p>
            <Button block color="primary" onClick={onAddCard} data-testid={TID.FUNDING_ADD_CARD}>
              {t('Add bank card')}
            </Button>
          </>
        ) : (
          <>
            <Selector
              columns={1}
              options={cards.map((c) => ({ label: `${c.brand} ···· ${c.last4}`, value: c.id }))}
              value={chosen ? [chosen] : []}
              onChange={(v) => v[0] && setCardId(v[0])}
              data-testid={TID.FUNDING_CARD}
            />
            <div className="wallet-amount">
              <span>¥</span>
              <Input value={amount} onChange={setAmount} placeholder="0.00" inputMode="decimal" aria-label={t('Amount')} data-testid={TID.FUNDING_AMOUNT} />
            </div>
            {kind === 'withdraw' ? (
              <p className={tooMuch ? 'wallet-error' : 'muted'} data-testid={TID.FUNDING_FEE}>
                {t('Fee')} ¥{formatMinor(fee)} · {t('Available')} ¥{formatMinor(available)}
                {limits
                  ? ` · ${t('Fee rate')} ${(limits.withdrawalFeeBasisPoints / 100).toFixed(2)}% (${t('at least')} ¥${formatMinor(limits.withdrawalFeeMinMinor)})`
                  : ''}
              </p>
            ) : null}
            <Button block color="primary" disabled={!minor || tooMuch} onClick={payment.open} data-testid={TID.FUNDING_SUBMIT}>
              {title}
            </Button>
          </>
        )}
      </Popup>
      <PinPrompt
        {...payment.prompt}
        title={`${title} ¥${formatMinor(minor ?? 0)}`}
        description={kind === 'withdraw' ? `${t('Fee')} ¥${formatMinor(fee)} · ${t('Total')} ¥${formatMinor(Number(minor ?? 0) + fee)}` : undefined}
      />
    </>
  );
}

function AddCardSheet({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [number, setNumber] = useState('');
  const [holder, setHolder] = useState('');
  const digits = number.replace(/\D/g, '');
  const complete = digits.length >= 12;
  const valid = luhnValid(digits);
  const add = useMutation({
    mutationFn: () => walletApi.bindCard(digits, holder.trim()),
    onSuccess: () => {
      Toast.show({ content: t('Card added'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['wallet', 'cards'] });
      setNumber('');
      setHolder('');
      onClose();
    },
    onError: (error) => showMoneyError(error, t),
  });
  return (
    <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
      <div className="wallet-sheet-title">{t('Add bank card')}</div>
      <List>
        <List.Item title={t('Card number')}>
          <Input
            value={number}
            onChange={(v) => setNumber(groupCardNumber(v))}
            placeholder="4111 1111 1111 1111"
            inputMode="numeric"
            aria-label={t('Card number')}
            data-testid={TID.CARD_NUMBER}
          />
        </List.Item>
        <List.Item title={t('Holder name')}>
          <Input value={holder} onChange={setHolder} maxLength={60} aria-label={t('Holder name')} data-testid={TID.CARD_HOLDER} />
        </List.Item>
      </List>
      {complete && !valid ? (
        <p className="wallet-error" role="alert" data-testid={TID.CARD_ERROR}>
          {t('This card number is not valid. Check the digits.')}
        </p>
      ) : null}
      <Button block color="primary" loading={add.isPending} disabled={!valid || !holder.trim()} onClick={() => add.mutate()} data-testid={TID.CARD_SUBMIT}>
        {t('Add')}
      </Button>
    </Popup>
  );
}

/** Me → Wallet: balances, top up, withdraw, bank cards, the payment PIN and today's limit. */
export function WalletPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: wallet } = useWallet();
  const { data: cards } = useQuery({ queryKey: ['wallet', 'cards'], queryFn: walletApi.cards, ...FRESH });
  const [funding, setFunding] = useState<'top-up' | 'withdraw' | null>(null);
  const [addCard, setAddCard] = useState(false);
  const [pinSheet, setPinSheet] = useState(false);
  // What the member meant to do when we asked them to set a PIN first; it continues once the PIN is saved.
  const [afterPin, setAfterPin] = useState<'top-up' | 'withdraw' | null>(null);
  const cny = wallet?.balances.find((b) => b.asset === 'CNY');
  const gold = wallet?.balances.find((b) => b.asset === 'XAU');
  const startFunding = (kind: 'top-up' | 'withdraw') => {
    if (wallet && !wallet.pinSet) {
      setAfterPin(kind);
      setPinSheet(true);
      return;
    }
    setFunding(kind);
  };
  return (
    <Page title={t('Wallet')} fallback="/me">
      <div className="wallet-hero" data-testid={TID.WALLET_BALANCE} data-available-minor={cny?.availableMinor ?? ''}>
        <div className="muted">{t('Balance')}</div>
        <div className="wallet-hero-amount">¥{formatMinor(cny?.availableMinor ?? 0)}</div>
        {cny && cny.heldMinor !== '0' ? (
          <div className="muted">
            {t('On hold')}: ¥{formatMinor(cny.heldMinor)}
          </div>
        ) : null}
        <div className="wallet-hero-actions">
          <Button color="primary" onClick={() => startFunding('top-up')} data-testid={TID.WALLET_TOP_UP}>
            {t('Top up')}
          </Button>
          <Button onClick={() => startFunding('withdraw')} data-testid={TID.WALLET_WITHDRAW}>
            {t('Withdraw')}
          </Button>
        </div>
        {wallet ? (
          <div className="muted" data-testid={TID.WALLET_LIMITS}>
            {t('Today you can still pay {{left}} of {{max}}', {
              left: `¥${formatMinor(wallet.limits.dailyOutgoingLeftMinor)}`,
              max: `¥${formatMinor(wallet.limits.dailyOutgoingMaxMinor)}`,
            })}
          </div>
        ) : null}
      </div>
      <List className="list-gap">
        <List.Item onClick={() => navigate('/me/wallet/bill')} data-testid={TID.WALLET_BILL_ENTRY}>
          {t('Bill')}
        </List.Item>
        <List.Item onClick={() => navigate('/me/wallet/gold')} extra={`${formatMinor(gold?.availableMinor ?? 0, 'XAU')} g`} data-testid={TID.WALLET_GOLD_ENTRY}>
          {t('Gold')}
        </List.Item>
        <List.Item onClick={() => setPinSheet(true)} extra={wallet?.pinSet ? t('Change') : t('Not set')} data-testid={TID.WALLET_PIN_ENTRY}>
          {t('Payment PIN')}
        </List.Item>
      </List>
      <List className="list-gap" header={t('Bank cards')}>
        {(cards?.cards ?? []).map((card) => (
          <SwipeAction
            key={card.id}
            rightActions={[
              {
                key: 'remove',
                text: t('Remove'),
                color: 'danger',
                onClick: async () => {
                  if (await Dialog.confirm({ content: t('Remove this card?') })) {
                    await walletApi.removeCard(card.id).catch((error) => showMoneyError(error, t));
                    void queryClient.invalidateQueries({ queryKey: ['wallet', 'cards'] });
                  }
                },
              },
            ]}
          >
            <List.Item description={card.holderName} data-testid={TID.WALLET_CARD}>
              {card.brand} ···· {card.last4}
            </List.Item>
          </SwipeAction>
        ))}
        <List.Item onClick={() => setAddCard(true)} data-testid={TID.WALLET_ADD_CARD}>
          {t('Add bank card')}
        </List.Item>
      </List>
      <FundingSheet kind={funding} cards={cards?.cards ?? []} wallet={wallet} onAddCard={() => setAddCard(true)} onClose={() => setFunding(null)} />
      <AddCardSheet visible={addCard} onClose={() => setAddCard(false)} />
      {pinSheet ? (
        <SetPinSheet
          hasPin={Boolean(wallet?.pinSet)}
          onClose={() => {
            setPinSheet(false);
            setAfterPin(null);
          }}
          onSaved={() => {
            setPinSheet(false);
            if (afterPin) setFunding(afterPin);
            setAfterPin(null);
          }}
        />
      ) : null}
    </Page>
  );
}

const BILL_KINDS = [
  ['', 'All kinds'],
  ['top_up', 'Top-up'],
  ['withdrawal', 'Withdrawal'],
  ['p2p', 'Transfer'],
  ['red_packet', 'Red packet sent'],
  ['red_packet_claim', 'Red packet received'],
  ['red_packet_refund', 'Red packet refund'],
  ['gold_buy', 'Gold purchase'],
  ['gold_sell', 'Gold sale'],
] as const;

function lastMonths(count: number, now = new Date()): string[] {
  const months: string[] = [];
  for (let i = 0; i < count; i += 1) months.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
  return months;
}

/** Every movement, with filters, monthly totals as a chart, and a CSV export of what the filters show. */
export function BillPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<BillFilter>({});
  const set = (patch: BillFilter) => setFilter((f) => ({ ...f, ...patch }));
  const chartAsset = filter.asset === 'XAU' ? 'XAU' : 'CNY';
  const bill = useInfiniteQuery({
    queryKey: ['wallet', 'bill', filter],
    queryFn: ({ pageParam }) => walletApi.bill({ ...filter, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...FRESH,
  });
  const { data: monthly } = useQuery({ queryKey: ['wallet', 'monthly', chartAsset], queryFn: () => walletApi.monthly(chartAsset), ...FRESH });
  const option = useMemo(() => {
    const divisor = chartAsset === 'XAU' ? 1000 : 100;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('In'), t('Out')] },
      grid: { left: 56, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: (monthly?.months ?? []).map((m) => m.month) },
      yAxis: { type: 'value', name: chartAsset === 'XAU' ? 'g' : '¥' },
      series: [
        { name: t('In'), type: 'bar', itemStyle: { color: '#07c160' }, data: (monthly?.months ?? []).map((m) => Number(m.inMinor) / divisor) },
        { name: t('Out'), type: 'bar', itemStyle: { color: '#fa5151' }, data: (monthly?.months ?? []).map((m) => Number(m.outMinor) / divisor) },
      ],
    };
  }, [monthly, t, chartAsset]);
  const exportCsv = async () => {
    try {
      const blob = await walletApi.billCsv(filter);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `plaza-bill${filter.month ? `-${filter.month}` : ''}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      showMoneyError(error, t);
    }
  };
  const entries = bill.data?.pages.flatMap((p) => p.entries) ?? [];
  const months = useMemo(() => lastMonths(12), []);
  const monthLabel = (m: { month: string; inMinor: string; outMinor: string }) =>
    `${m.month}: ${t('In')} ${formatAmount(m.inMinor, chartAsset)} · ${t('Out')} ${formatAmount(m.outMinor, chartAsset)}`;
  return (
    <Page
      title={t('Bill')}
      fallback="/me/wallet"
      right={
        <Button size="mini" fill="none" onClick={exportCsv} data-testid={TID.BILL_EXPORT} aria-label={t('Export CSV')}>
          CSV
        </Button>
      }
    >
      <div className="wallet-chart" data-testid={TID.BILL_CHART}>
        <EChart option={option} />
        <ul className="wallet-chart-table">
          {(monthly?.months ?? [])
            .filter((m) => m.inMinor !== '0' || m.outMinor !== '0')
            .map((m) => (
              <li key={m.month}>{monthLabel(m)}</li>
            ))}
        </ul>
      </div>
      <div className="wallet-filters">
        <Selector
          options={[
            { label: t('All'), value: '' },
            { label: t('In'), value: 'in' },
            { label: t('Out'), value: 'out' },
          ]}
          value={[filter.direction ?? '']}
          onChange={(v) => set({ direction: v[0] || undefined })}
          data-testid={TID.BILL_FILTER_DIRECTION}
        />
        <Selector
          options={[
            { label: t('All assets'), value: '' },
            { label: t('Cash'), value: 'CNY' },
            { label: t('Gold'), value: 'XAU' },
          ]}
          value={[filter.asset ?? '']}
          onChange={(v) => set({ asset: v[0] || undefined })}
          data-testid={TID.BILL_FILTER_ASSET}
        />
        <div className="wallet-filter-selects">
          <select
            aria-label={t('Kind')}
            value={filter.kind ?? ''}
            onChange={(e) => set({ kind: e.target.value || undefined })}
            data-testid={TID.BILL_FILTER_KIND}
          >
            {BILL_KINDS.map(([value, label]) => (
              <option key={value} value={value}>
                {t(label)}
              </option>
            ))}
          </select>
          <select
            aria-label={t('Month')}
            value={filter.month ?? ''}
            onChange={(e) => set({ month: e.target.value || undefined })}
            data-testid={TID.BILL_FILTER_MONTH}
          >
            <option value="">{t('All months')}</option>
            {months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      </div>
      <List data-testid="wallet-bill">
        {entries.map((e) => (
          <List.Item
            key={e.id}
            data-testid={TID.BILL_ROW}
            data-kind={e.kind}
            data-direction={e.direction}
            data-amount-minor={e.amountMinor}
            data-status={e.status}
            description={`${new Date(e.createdAt).toLocaleString()}${e.note ? ` · ${e.note}` : ''}${e.status !== 'posted' ? ` · ${t(statusLabel(e.status))}` : ''}`}
            extra={
              <span className={e.direction === 'in' ? 'wallet-in' : 'wallet-out'}>
                {e.direction === 'in' ? '+' : '-'}
                {formatAmount(e.amountMinor, e.asset)}
              </span>
            }
          >
            {t(e.title)}
            {e.counterparty ? ` · ${e.counterparty.displayName}` : ''}
          </List.Item>
        ))}
      </List>
      {!bill.isLoading && entries.length === 0 ? (
        <p className="muted wallet-empty">{t('Nothing here yet: top up or receive a transfer to see it in your bill.')}</p>
      ) : null}
      {bill.hasNextPage ? (
        <Button block fill="none" loading={bill.isFetchingNextPage} onClick={() => void bill.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}

function statusLabel(status: string): string {
  return status === 'pending' ? 'Awaiting acceptance' : status === 'voided' ? 'Returned' : status;
}

const GOLD_TERMS =
  'Gold in Plaza is held for you by the operator of this instance and priced at the price shown when you trade. Buying rounds the cost up to the fen, selling rounds the proceeds down. Prices move; you may get back less than you paid.';

/** Gold: today's price and its chart, holdings, one-time activation, buy and sell. */
export function GoldPage() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['wallet', 'gold'], queryFn: walletApi.gold, ...FRESH });
  const gold = data?.gold;
  const [realName, setRealName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [terms, setTerms] = useState(false);
  const [trade, setTrade] = useState<'buy' | 'sell' | null>(null);
  const [grams, setGrams] = useState('');
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 24 },
      xAxis: { type: 'category', data: (gold?.history ?? []).map((p) => p.day.slice(5)) },
      yAxis: { type: 'value', scale: true },
      series: [
        {
          type: 'line',
          smooth: true,
          showSymbol: false,
          itemStyle: { color: '#d4a017' },
          data: (gold?.history ?? []).map((p) => Number(p.pricePerGramMinor) / 100),
        },
      ],
    }),
    [gold],
  );
  const weightMg = parseMajor(grams, 'XAU');
  const price = Number(gold?.pricePerGramMinor ?? 0);
  // The same rounding as the server: buying rounds the cost up, selling rounds the proceeds down.
  const estimate = weightMg ? (trade === 'buy' ? Math.ceil((Number(weightMg) * price) / 1000) : Math.floor((Number(weightMg) * price) / 1000)) : 0;
  const idComplete = idNumber.trim().length === 18;
  const idValid = prcIdNumberValid(idNumber);
  const activate = async () => {
    try {
      await walletApi.activateGold(realName.trim(), idNumber.trim().toUpperCase());
      Toast.show({ content: t('Gold account activated'), icon: 'success' });
      refreshWallet();
    } catch (error) {
      showMoneyError(error, t);
    }
  };
  const payment = usePinPayment(async (pin) => {
    if (!trade || !weightMg) return;
    const result = await walletApi.tradeGold(trade, weightMg, pin);
    Toast.show({ content: `${trade === 'buy' ? t('Paid') : t('Received')} ¥${formatMinor(result.trade.amountMinor)}`, icon: 'success' });
    setTrade(null);
    setGrams('');
    refreshWallet();
  });
  return (
    <Page title={t('Gold')} fallback="/me/wallet">
      <div className="wallet-hero gold" data-testid={TID.GOLD_PRICE} data-price-minor={gold?.pricePerGramMinor ?? ''}>
        <div className="muted">{t('Price per gram')}</div>
        <div className="wallet-hero-amount">¥{formatMinor(gold?.pricePerGramMinor ?? 0)}</div>
        <div className="muted">
          {t('Holding')}: {formatMinor(gold?.holdingMg ?? 0, 'XAU')} g ≈ ¥{formatMinor(gold?.worthMinor ?? 0)}
        </div>
      </div>
      <div className="wallet-chart" data-testid={TID.GOLD_CHART}>
        <EChart option={option} />
      </div>
      {gold && !gold.activated ? (
        <List header={t('Activate gold (one time)')}>
          <List.Item title={t('Real name')}>
            <Input value={realName} onChange={setRealName} maxLength={60} aria-label={t('Real name')} data-testid={TID.GOLD_REAL_NAME} />
          </List.Item>
          <List.Item title={t('ID number')} description={idComplete && !idValid ? undefined : t('18 characters; only a masked copy is kept.')}>
            <Input value={idNumber} onChange={setIdNumber} maxLength={18} aria-label={t('ID number')} data-testid={TID.GOLD_ID_NUMBER} />
          </List.Item>
          {idComplete && !idValid ? (
            <List.Item>
              <span className="wallet-error" role="alert" data-testid={TID.GOLD_ID_ERROR}>
                {t('This ID number is not valid: check the birth date and the last character.')}
              </span>
            </List.Item>
          ) : null}
          <List.Item>
            <p className="muted wallet-terms">{t(GOLD_TERMS)}</p>
            <Checkbox checked={terms} onChange={setTerms} data-testid={TID.GOLD_TERMS}>
              {t('I accept the gold terms')}
            </Checkbox>
          </List.Item>
          <List.Item>
            <Button block color="primary" disabled={!realName.trim() || !idValid || !terms} onClick={activate} data-testid={TID.GOLD_ACTIVATE}>
              {t('Activate')}
            </Button>
          </List.Item>
        </List>
      ) : (
        <div className="wallet-hero-actions">
          <Button color="warning" onClick={() => setTrade('buy')} data-testid={TID.GOLD_BUY}>
            {t('Buy')}
          </Button>
          <Button onClick={() => setTrade('sell')} data-testid={TID.GOLD_SELL}>
            {t('Sell')}
          </Button>
        </div>
      )}
      <Popup visible={trade !== null} onMaskClick={() => setTrade(null)} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{trade === 'buy' ? t('Buy gold') : t('Sell gold')}</div>
        <div className="wallet-amount">
          <Input value={grams} onChange={setGrams} placeholder="0.000" inputMode="decimal" aria-label={t('Grams')} data-testid={TID.GOLD_GRAMS} />
          <span>g</span>
        </div>
        <p className="muted">
          {trade === 'buy' ? t('You pay') : t('You get')} ¥{formatMinor(estimate)} · ¥{formatMinor(price)}/g
        </p>
        <Button block color="primary" disabled={!weightMg || estimate < 1} onClick={payment.open} data-testid={TID.GOLD_CONFIRM}>
          {t('Confirm')}
        </Button>
      </Popup>
      <PinPrompt {...payment.prompt} title={`${trade === 'buy' ? t('Buy gold') : t('Sell gold')} · ¥${formatMinor(estimate)}`} />
    </Page>
  );
}

/** Operator console → Gold price: set today's price per gram; members see it at once. */
export function GoldPriceSection() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['wallet', 'gold'], queryFn: walletApi.gold });
  const [price, setPrice] = useState('');
  const minor = parseMajor(price);
  const save = async () => {
    if (!minor) return;
    try {
      await walletApi.setGoldPrice(minor);
      Toast.show({ content: t('Gold price saved'), icon: 'success' });
      setPrice('');
      void queryClient.invalidateQueries({ queryKey: ['wallet', 'gold'] });
    } catch (error) {
      showMoneyError(error, t);
    }
  };
  return (
    <List header={t('Gold price')}>
      <List.Item extra={`¥${formatMinor(data?.gold.pricePerGramMinor ?? 0)}/g`}>{t('Today')}</List.Item>
      <List.Item title={t('New price per gram (¥)')}>
        <Input value={price} onChange={setPrice} placeholder="600.00" inputMode="decimal" data-testid={TID.OPERATOR_GOLD_PRICE} />
      </List.Item>
      <List.Item>
        <Button block color="primary" disabled={!minor} onClick={save} data-testid={TID.OPERATOR_GOLD_SAVE}>
          {t('Save')}
        </Button>
      </List.Item>
    </List>
  );
}
