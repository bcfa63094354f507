import { Button, Dialog, Input, List, Popup, Selector, SwipeAction, Toast } from 'antd-mobile';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Page } from '../../components/Page';
import { errorText, queryClient } from '../../lib/api';
import { type BankCard, formatMinor, parseMajor, walletApi } from './api';
import { EChart } from './EChart';
import { PinPrompt } from './PinPrompt';
import './wallet.css';

function refreshWallet() {
  void queryClient.invalidateQueries({ queryKey: ['wallet'] });
}

export function useWallet() {
  return useQuery({ queryKey: ['wallet', 'home'], queryFn: walletApi.wallet });
}

function SetPinSheet({ visible, onClose, hasPin }: { visible: boolean; onClose: () => void; hasPin: boolean }) {
  const { t } = useTranslation();
  const [step, setStep] = useState<'current' | 'new'>(hasPin ? 'current' : 'new');
  const [current, setCurrent] = useState<string>();
  return (
    <PinPrompt
      visible={visible}
      title={step === 'current' ? t('Enter your current PIN') : t('Choose a 6-digit payment PIN')}
      onClose={onClose}
      onPin={async (pin) => {
        if (step === 'current') {
          setCurrent(pin);
          setStep('new');
          return;
        }
        try {
          await walletApi.setPin(pin, current);
          Toast.show({ content: t('PIN saved'), icon: 'success' });
          refreshWallet();
          onClose();
        } catch (error) {
          Toast.show({ content: errorText(error), icon: 'fail' });
          setStep(hasPin ? 'current' : 'new');
        }
      }}
    />
  );
}

function FundingSheet({ kind, cards, onClose }: { kind: 'top-up' | 'withdraw' | null; cards: BankCard[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [cardId, setCardId] = useState<string>();
  const [amount, setAmount] = useState('');
  const [askPin, setAskPin] = useState(false);
  const chosen = cardId ?? cards[0]?.id;
  const minor = parseMajor(amount);
  const submit = async (pin: string) => {
    setAskPin(false);
    if (!chosen || !minor) return;
    try {
      if (kind === 'top-up') await walletApi.topUp(chosen, minor, pin);
      else {
        const result = await walletApi.withdraw(chosen, minor, pin);
        Toast.show({ content: `${t('Fee')} ¥${formatMinor(result.withdrawal.feeMinor)}` });
      }
      Toast.show({ content: t('Done'), icon: 'success' });
      refreshWallet();
      setAmount('');
      onClose();
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  return (
    <>
      <Popup visible={kind !== null} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{kind === 'top-up' ? t('Top up') : t('Withdraw')}</div>
        {cards.length === 0 ? (
          <p className="muted">{t('Add a bank card first.')}</p>
        ) : (
          <>
            <Selector
              columns={1}
              options={cards.map((c) => ({ label: `${c.brand} ···· ${c.last4}`, value: c.id }))}
              value={chosen ? [chosen] : []}
              onChange={(v) => v[0] && setCardId(v[0])}
            />
            <div className="wallet-amount">
              <span>¥</span>
              <Input value={amount} onChange={setAmount} placeholder="0.00" inputMode="decimal" aria-label={t('Amount')} />
            </div>
            <Button block color="primary" disabled={!minor} onClick={() => setAskPin(true)}>
              {kind === 'top-up' ? t('Top up') : t('Withdraw')}
            </Button>
          </>
        )}
      </Popup>
      <PinPrompt visible={askPin} title={`¥${formatMinor(minor ?? 0)}`} onClose={() => setAskPin(false)} onPin={submit} />
    </>
  );
}

function AddCardSheet({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [number, setNumber] = useState('');
  const [holder, setHolder] = useState('');
  const add = useMutation({
    mutationFn: () => walletApi.bindCard(number.replace(/\s/g, ''), holder),
    onSuccess: () => {
      Toast.show({ content: t('Card added'), icon: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['wallet', 'cards'] });
      setNumber('');
      setHolder('');
      onClose();
    },
    onError: (error) => Toast.show({ content: errorText(error), icon: 'fail' }),
  });
  return (
    <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
      <div className="wallet-sheet-title">{t('Add bank card')}</div>
      <List>
        <List.Item title={t('Card number')}>
          <Input value={number} onChange={setNumber} placeholder="4111 1111 1111 1111" inputMode="numeric" />
        </List.Item>
        <List.Item title={t('Holder name')}>
          <Input value={holder} onChange={setHolder} />
        </List.Item>
      </List>
      <Button block color="primary" loading={add.isPending} disabled={number.replace(/\s/g, '').length < 12 || !holder.trim()} onClick={() => add.mutate()}>
        {t('Add')}
      </Button>
    </Popup>
  );
}

/** Me → Wallet: balances, top up, withdraw, bank cards and the payment PIN. */
export function WalletPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: wallet } = useWallet();
  const { data: cards } = useQuery({ queryKey: ['wallet', 'cards'], queryFn: walletApi.cards });
  const [funding, setFunding] = useState<'top-up' | 'withdraw' | null>(null);
  const [addCard, setAddCard] = useState(false);
  const [pinSheet, setPinSheet] = useState(false);
  const cny = wallet?.balances.find((b) => b.asset === 'CNY');
  const gold = wallet?.balances.find((b) => b.asset === 'XAU');
  const needPin = () => {
    if (wallet && !wallet.pinSet) {
      setPinSheet(true);
      return true;
    }
    return false;
  };
  return (
    <Page title={t('Wallet')} fallback="/me">
      <div className="wallet-hero" data-testid="wallet-balance">
        <div className="muted">{t('Balance')}</div>
        <div className="wallet-hero-amount">¥{formatMinor(cny?.availableMinor ?? 0)}</div>
        {cny && cny.heldMinor !== '0' ? (
          <div className="muted">
            {t('On hold')}: ¥{formatMinor(cny.heldMinor)}
          </div>
        ) : null}
        <div className="wallet-hero-actions">
          <Button
            color="primary"
            onClick={() => {
              if (!needPin()) setFunding('top-up');
            }}
            data-testid="wallet-top-up"
          >
            {t('Top up')}
          </Button>
          <Button
            onClick={() => {
              if (!needPin()) setFunding('withdraw');
            }}
          >
            {t('Withdraw')}
          </Button>
        </div>
      </div>
      <List className="list-gap">
        <List.Item onClick={() => navigate('/me/wallet/bill')}>{t('Bill')}</List.Item>
        <List.Item onClick={() => navigate('/me/wallet/gold')} extra={`${formatMinor(gold?.availableMinor ?? 0, 'XAU')} g`}>
          {t('Gold')}
        </List.Item>
        <List.Item onClick={() => setPinSheet(true)} extra={wallet?.pinSet ? t('Set') : t('Not set')}>
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
                    await walletApi.removeCard(card.id);
                    void queryClient.invalidateQueries({ queryKey: ['wallet', 'cards'] });
                  }
                },
              },
            ]}
          >
            <List.Item description={card.holderName}>
              {card.brand} ···· {card.last4}
            </List.Item>
          </SwipeAction>
        ))}
        <List.Item onClick={() => setAddCard(true)}>{t('Add bank card')}</List.Item>
      </List>
      <FundingSheet kind={funding} cards={cards?.cards ?? []} onClose={() => setFunding(null)} />
      <AddCardSheet visible={addCard} onClose={() => setAddCard(false)} />
      {pinSheet ? <SetPinSheet visible hasPin={Boolean(wallet?.pinSet)} onClose={() => setPinSheet(false)} /> : null}
    </Page>
  );
}

/** Every movement, with filters, monthly totals as a chart, and a CSV export. */
export function BillPage() {
  const { t } = useTranslation();
  const [direction, setDirection] = useState<string>('');
  const bill = useInfiniteQuery({
    queryKey: ['wallet', 'bill', direction],
    queryFn: ({ pageParam }) => walletApi.bill({ cursor: pageParam, direction }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const { data: monthly } = useQuery({ queryKey: ['wallet', 'monthly'], queryFn: () => walletApi.monthly('CNY') });
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('In'), t('Out')] },
      grid: { left: 48, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: (monthly?.months ?? []).map((m) => m.month) },
      yAxis: { type: 'value' },
      series: [
        { name: t('In'), type: 'bar', itemStyle: { color: '#07c160' }, data: (monthly?.months ?? []).map((m) => Number(m.inMinor) / 100) },
        { name: t('Out'), type: 'bar', itemStyle: { color: '#fa5151' }, data: (monthly?.months ?? []).map((m) => Number(m.outMinor) / 100) },
      ],
    }),
    [monthly, t],
  );
  const exportCsv = async () => {
    const blob = await walletApi.billCsv();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = 'plaza-bill.csv';
    link.click();
    URL.revokeObjectURL(url);
  };
  const entries = bill.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <Page
      title={t('Bill')}
      fallback="/me/wallet"
      right={
        <Button size="mini" fill="none" onClick={exportCsv}>
          CSV
        </Button>
      }
    >
      <div className="wallet-chart">
        <EChart option={option} />
      </div>
      <Selector
        className="wallet-filter"
        options={[
          { label: t('All'), value: '' },
          { label: t('In'), value: 'in' },
          { label: t('Out'), value: 'out' },
        ]}
        value={[direction]}
        onChange={(v) => setDirection(v[0] ?? '')}
      />
      <List data-testid="wallet-bill">
        {entries.map((e) => (
          <List.Item
            key={e.id}
            description={`${new Date(e.createdAt).toLocaleString()}${e.note ? ` · ${e.note}` : ''}${e.status !== 'posted' ? ` · ${t(e.status)}` : ''}`}
            extra={
              <span className={e.direction === 'in' ? 'wallet-in' : 'wallet-out'}>
                {e.direction === 'in' ? '+' : '-'}
                {formatMinor(e.amountMinor, e.asset)}
                {e.asset === 'XAU' ? ' g' : ''}
              </span>
            }
          >
            {t(e.title)}
            {e.counterparty ? ` · ${e.counterparty.displayName}` : ''}
          </List.Item>
        ))}
      </List>
      {bill.hasNextPage ? (
        <Button block fill="none" loading={bill.isFetchingNextPage} onClick={() => void bill.fetchNextPage()}>
          {t('More')}
        </Button>
      ) : null}
    </Page>
  );
}

/** Gold: today's price and its chart, holdings, one-time activation, buy and sell. */
export function GoldPage() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['wallet', 'gold'], queryFn: walletApi.gold });
  const gold = data?.gold;
  const [realName, setRealName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [trade, setTrade] = useState<'buy' | 'sell' | null>(null);
  const [grams, setGrams] = useState('');
  const [askPin, setAskPin] = useState(false);
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
  const activate = async () => {
    try {
      await walletApi.activateGold(realName, idNumber);
      Toast.show({ content: t('Gold account activated'), icon: 'success' });
      refreshWallet();
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  const submit = async (pin: string) => {
    setAskPin(false);
    if (!trade || !weightMg) return;
    try {
      const result = await walletApi.tradeGold(trade, weightMg, pin);
      Toast.show({ content: `¥${formatMinor(result.trade.amountMinor)}`, icon: 'success' });
      setTrade(null);
      setGrams('');
      refreshWallet();
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  return (
    <Page title={t('Gold')} fallback="/me/wallet">
      <div className="wallet-hero gold">
        <div className="muted">{t('Price per gram')}</div>
        <div className="wallet-hero-amount">¥{formatMinor(gold?.pricePerGramMinor ?? 0)}</div>
        <div className="muted">
          {t('Holding')}: {formatMinor(gold?.holdingMg ?? 0, 'XAU')} g ≈ ¥{formatMinor(gold?.worthMinor ?? 0)}
        </div>
      </div>
      <div className="wallet-chart">
        <EChart option={option} />
      </div>
      {gold && !gold.activated ? (
        <List header={t('Activate gold (one time)')}>
          <List.Item title={t('Real name')}>
            <Input value={realName} onChange={setRealName} />
          </List.Item>
          <List.Item title={t('ID number')}>
            <Input value={idNumber} onChange={setIdNumber} maxLength={18} />
          </List.Item>
          <List.Item>
            <Button block color="primary" disabled={!realName.trim() || idNumber.length !== 18} onClick={activate}>
              {t('Accept the terms and activate')}
            </Button>
          </List.Item>
        </List>
      ) : (
        <div className="wallet-hero-actions">
          <Button color="warning" onClick={() => setTrade('buy')}>
            {t('Buy')}
          </Button>
          <Button onClick={() => setTrade('sell')}>{t('Sell')}</Button>
        </div>
      )}
      <Popup visible={trade !== null} onMaskClick={() => setTrade(null)} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{trade === 'buy' ? t('Buy gold') : t('Sell gold')}</div>
        <div className="wallet-amount">
          <Input value={grams} onChange={setGrams} placeholder="0.000" inputMode="decimal" aria-label={t('Grams')} />
          <span>g</span>
        </div>
        <p className="muted">≈ ¥{formatMinor(Math.round((Number(weightMg ?? 0) * Number(gold?.pricePerGramMinor ?? 0)) / 1000))}</p>
        <Button block color="primary" disabled={!weightMg} onClick={() => setAskPin(true)}>
          {t('Confirm')}
        </Button>
      </Popup>
      <PinPrompt visible={askPin} title={t('Payment PIN')} onClose={() => setAskPin(false)} onPin={submit} />
    </Page>
  );
}
