import { Button, Input, List, Popup, Selector, Stepper, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queryClient, useMyId } from '../../lib/api';
import { useConversations } from '../../lib/queries';
import { TID } from '../../testids';
import { formatAmount, formatMinor, parseMajor, type RedPacket, walletApi } from './api';
import { moneyErrorText, showMoneyError, usePinPayment } from './money';
import { PinPrompt } from './PinPrompt';
import './wallet.css';

interface CardMessage {
  conversationId?: string | number;
  content: unknown;
}

function useWalletHome() {
  return useQuery({ queryKey: ['wallet', 'home'], queryFn: walletApi.wallet, staleTime: 0, refetchOnMount: 'always' });
}

function useGoldPrice(enabled: boolean) {
  const { data } = useQuery({ queryKey: ['wallet', 'gold'], queryFn: walletApi.gold, enabled });
  return Number(data?.gold.pricePerGramMinor ?? 0);
}

/** What a weight of gold is worth at a price per gram, rounded down to the fen as the server does. */
function goldWorthMinor(weightMg: number, pricePerGramMinor: number): number {
  return Math.floor((weightMg * pricePerGramMinor) / 1000);
}

/** The chat "+" panel → Transfer: amount, note, PIN; the card appears in the chat. */
export function TransferSheet({ visible, peerId, onClose }: { visible: boolean; peerId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const { data: wallet } = useWalletHome();
  const minor = parseMajor(amount);
  const available = Number(wallet?.balances.find((b) => b.asset === 'CNY')?.availableMinor ?? 0);
  const tooMuch = minor !== undefined && Number(minor) > available;
  const payment = usePinPayment(async (pin) => {
    if (!peerId || !minor) return;
    await walletApi.sendTransfer(peerId, 'CNY', minor, note.trim(), pin);
    setAmount('');
    setNote('');
    void queryClient.invalidateQueries({ queryKey: ['wallet'] });
    onClose();
  });
  return (
    <>
      <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{t('Transfer', { context: 'money' })}</div>
        <div className="wallet-amount">
          <span>¥</span>
          <Input value={amount} onChange={setAmount} placeholder="0.00" inputMode="decimal" aria-label={t('Amount')} data-testid={TID.TRANSFER_AMOUNT} />
        </div>
        <p className={tooMuch ? 'wallet-error' : 'muted'}>
          {tooMuch ? t('Your balance is too low. Top up first.') : `${t('Balance')} ¥${formatMinor(available)}`}
        </p>
        <Input value={note} onChange={setNote} placeholder={t('Add a note')} maxLength={100} className="wallet-note" data-testid={TID.TRANSFER_NOTE} />
        <Button block color="primary" disabled={!minor || !peerId || tooMuch} onClick={payment.open} data-testid={TID.TRANSFER_SEND}>
          {t('Transfer', { context: 'money' })}
        </Button>
      </Popup>
      <PinPrompt {...payment.prompt} title={`${t('Transfer', { context: 'money' })} ¥${formatMinor(minor ?? 0)}`} />
    </>
  );
}

type Mode = 'random' | 'equal' | 'exclusive';

/** The chat "+" panel → Red Packet: random, equal or exclusive (groups), in cash or gold. */
export function RedPacketSheet({
  visible,
  conversationId,
  isGroup,
  members,
  onClose,
}: {
  visible: boolean;
  conversationId: string;
  isGroup: boolean;
  members: { id: string; displayName: string }[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { data: wallet } = useWalletHome();
  const [mode, setMode] = useState<Mode>(isGroup ? 'random' : 'equal');
  const [asset, setAsset] = useState<'CNY' | 'XAU'>('CNY');
  const [amount, setAmount] = useState('');
  const countMax = Math.max(1, Math.min(wallet?.limits.redPacketCountMax ?? 100, members.length + 1));
  // Unset until the member changes it: the group's members may still be loading when the sheet opens.
  const [count, setCount] = useState<number>();
  const [greeting, setGreeting] = useState('');
  const [exclusiveTo, setExclusiveTo] = useState<string>();
  const price = useGoldPrice(asset === 'XAU');
  const shares = isGroup && mode !== 'exclusive' ? Math.min(count ?? Math.min(3, countMax), countMax) : 1;
  // "Equal" is entered per share (as members know it), "random" and one-share packets as a total.
  const entered = parseMajor(amount, asset);
  const totalMinor = entered === undefined ? undefined : mode === 'equal' && isGroup ? Number(entered) * shares : Number(entered);
  const available = Number(wallet?.balances.find((b) => b.asset === asset)?.availableMinor ?? 0);
  const tooMuch = totalMinor !== undefined && totalMinor > available;
  const tooFew = totalMinor !== undefined && totalMinor < shares;
  const payment = usePinPayment(async (pin) => {
    if (!totalMinor) return;
    await walletApi.sendRedPacket({
      conversationId,
      mode: isGroup ? mode : 'equal',
      asset,
      totalMinor: String(totalMinor),
      count: shares,
      greeting: greeting.trim() || t('Best wishes'),
      ...(mode === 'exclusive' && exclusiveTo ? { exclusiveTo } : {}),
      pin,
    });
    setAmount('');
    setGreeting('');
    void queryClient.invalidateQueries({ queryKey: ['wallet'] });
    onClose();
  });
  const amountLabel = mode === 'equal' && isGroup ? t('Amount each') : t('Total');
  return (
    <>
      <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet red" destroyOnClose>
        <div className="wallet-sheet-title">{asset === 'XAU' ? t('Gold Red Packet') : t('Red Packet')}</div>
        <Selector
          options={[
            { label: t('Cash'), value: 'CNY' },
            { label: t('Gold'), value: 'XAU' },
          ]}
          value={[asset]}
          onChange={(v) => {
            if (!v[0]) return;
            setAsset(v[0] as 'CNY' | 'XAU');
            setAmount('');
          }}
          data-testid={TID.RED_PACKET_ASSET_GOLD}
        />
        {isGroup ? (
          <div className="red-packet-modes">
            {(
              [
                ['random', t('Random amount'), TID.RED_PACKET_MODE_RANDOM],
                ['equal', t('Equal amount'), TID.RED_PACKET_MODE_EQUAL],
                ['exclusive', t('Exclusive'), TID.RED_PACKET_MODE_EXCLUSIVE],
              ] as const
            ).map(([value, label, testId]) => (
              <Button key={value} size="small" color={mode === value ? 'danger' : 'default'} onClick={() => setMode(value)} data-testid={testId}>
                {label}
              </Button>
            ))}
          </div>
        ) : null}
        <List>
          {isGroup && mode !== 'exclusive' ? (
            <List.Item title={t('Shares')} description={t('This group has {{count}} members', { count: members.length + 1 })}>
              <Stepper min={1} max={countMax} value={shares} onChange={(v) => setCount(v)} data-testid={TID.RED_PACKET_COUNT} />
            </List.Item>
          ) : null}
          {isGroup && mode === 'exclusive' ? (
            <List.Item title={t('For')}>
              <Selector
                columns={2}
                options={members.map((m) => ({ label: m.displayName, value: m.id }))}
                value={exclusiveTo ? [exclusiveTo] : []}
                onChange={(v) => setExclusiveTo(v[0])}
              />
            </List.Item>
          ) : null}
          <List.Item title={`${amountLabel} (${asset === 'XAU' ? 'g' : '¥'})`}>
            <Input
              value={amount}
              onChange={setAmount}
              placeholder={asset === 'XAU' ? '0.000' : '0.00'}
              inputMode="decimal"
              aria-label={amountLabel}
              data-testid={TID.RED_PACKET_AMOUNT}
            />
          </List.Item>
          <List.Item title={t('Greeting')}>
            <Input
              value={greeting}
              onChange={setGreeting}
              placeholder={t('Best wishes')}
              maxLength={60}
              aria-label={t('Greeting')}
              data-testid={TID.RED_PACKET_GREETING}
            />
          </List.Item>
        </List>
        <div className="red-packet-total">
          {formatAmount(totalMinor ?? 0, asset)}
          {asset === 'XAU' ? (
            <div className="muted" data-testid={TID.RED_PACKET_WORTH}>
              ≈ ¥{formatMinor(goldWorthMinor(totalMinor ?? 0, price))} {t('at today’s price')} (¥{formatMinor(price)}/g)
            </div>
          ) : null}
        </div>
        <p className={tooMuch || tooFew ? 'wallet-error' : 'muted'}>
          {tooMuch
            ? asset === 'XAU'
              ? t('Not enough gold: buy some on the Gold page first.')
              : t('Your balance is too low. Top up first.')
            : tooFew
              ? t('Every share needs at least the smallest unit.')
              : `${t('Balance')} ${formatAmount(available, asset)}`}
        </p>
        <Button
          block
          color="danger"
          disabled={!totalMinor || tooMuch || tooFew || (mode === 'exclusive' && isGroup && !exclusiveTo)}
          onClick={payment.open}
          data-testid={TID.RED_PACKET_SEND}
        >
          {t('Put money in')}
        </Button>
      </Popup>
      <PinPrompt
        {...payment.prompt}
        title={`${t('Red Packet')} ${formatAmount(totalMinor ?? 0, asset)}`}
        description={t('{{count}} shares', { count: shares })}
      />
    </>
  );
}

interface TransferContent {
  transferId: string;
  amountMinor: string;
  asset: string;
  note?: string;
  toAccountId: string;
  status: 'pending' | 'posted' | 'voided';
}

/** A transfer card; tapping opens its page, where the recipient accepts it or sends it back. */
export function TransferCard({ message }: { message: CardMessage }) {
  const { t } = useTranslation();
  const myId = useMyId();
  const c = message.content as TransferContent;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const { data } = useQuery({ queryKey: ['wallet', 'transfer', c.transferId], queryFn: () => walletApi.transfer(c.transferId) });
  // A card saying "accepted" or "returned" means the first card of this transfer is out of date.
  useEffect(() => {
    if (c.status === 'pending') return;
    void queryClient.invalidateQueries({ queryKey: ['wallet', 'transfer', c.transferId] });
    void queryClient.invalidateQueries({ queryKey: ['wallet', 'home'] });
  }, [c.status, c.transferId]);
  const status = c.status !== 'pending' ? c.status : (data?.transfer.status ?? 'pending');
  const toMe = c.toAccountId === myId;
  const mayAnswer = status === 'pending' && toMe;
  const answer = async (accept: boolean) => {
    setBusy(true);
    try {
      await (accept ? walletApi.acceptTransfer(c.transferId) : walletApi.returnTransfer(c.transferId));
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
      Toast.show({ content: accept ? t('Money received into your balance') : t('Sent back'), icon: 'success' });
    } catch (error) {
      showMoneyError(error, t);
    } finally {
      setBusy(false);
    }
  };
  const label =
    status === 'posted' ? (toMe ? t('Received') : t('Accepted')) : status === 'voided' ? t('Returned') : toMe ? t('Transfer to you') : t('Awaiting acceptance');
  const expiresAt = data?.transfer.expiresAt ?? null;
  return (
    <>
      <button
        type="button"
        className={`money-card transfer ${status === 'pending' ? '' : 'done'}`}
        onClick={() => setOpen(true)}
        data-testid={TID.TRANSFER_CARD}
        data-status={status}
        data-transfer-id={c.transferId}
      >
        <div className="money-card-body">
          <span className="money-card-icon">{status === 'posted' ? '✓' : status === 'voided' ? '↩' : '⇄'}</span>
          <div>
            <div className="money-card-amount">{formatAmount(c.amountMinor, c.asset)}</div>
            <div className="money-card-note">{c.note || label}</div>
          </div>
        </div>
        <div className="money-card-foot">
          {t('Transfer', { context: 'money' })} · {label}
        </div>
      </button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyClassName="transfer-detail-popup" destroyOnClose>
        <div className="transfer-detail" data-testid={TID.TRANSFER_DETAIL} data-status={status}>
          <div className={`transfer-detail-icon ${status}`}>{status === 'posted' ? '✓' : status === 'voided' ? '↩' : '⌛'}</div>
          <div className="transfer-detail-label">{label}</div>
          <div className="transfer-detail-amount">{formatAmount(c.amountMinor, c.asset)}</div>
          {c.note ? <div className="muted">{c.note}</div> : null}
          {status === 'pending' && !toMe ? (
            <p className="muted">
              {t('If it is not accepted, it returns to you automatically')}
              {expiresAt ? ` (${new Date(expiresAt).toLocaleString()})` : ''}
            </p>
          ) : null}
          {mayAnswer ? (
            <>
              <Button block color="primary" loading={busy} onClick={() => answer(true)} data-testid={TID.TRANSFER_ACCEPT}>
                {t('Accept')}
              </Button>
              <Button block fill="none" disabled={busy} onClick={() => answer(false)} data-testid={TID.TRANSFER_RETURN}>
                {t('Return it')}
              </Button>
              <p className="muted">{t('Not accepted within 24 hours, it goes back to the sender.')}</p>
            </>
          ) : null}
          <Button block fill="none" onClick={() => setOpen(false)}>
            {t('Close')}
          </Button>
        </div>
      </Popup>
    </>
  );
}

function ClaimsList({ packet, missed }: { packet: RedPacket; missed: boolean }) {
  const { t } = useTranslation();
  const myId = useMyId();
  const taken = packet.claims.reduce((sum, c) => sum + Number(c.amountMinor), 0);
  return (
    <div className="red-packet-detail" data-testid={TID.RED_PACKET_DETAIL}>
      <div className="red-packet-detail-head">
        <div>
          {t('Red packet from {{name}}', { name: packet.sender.displayName })}
          {packet.asset === 'XAU' ? ` · ${t('Gold')}` : ''}
        </div>
        <div className="red-packet-detail-greeting">{packet.greeting || t('Best wishes')}</div>
        {packet.myClaim ? (
          <div className="red-packet-detail-mine" data-testid={TID.RED_PACKET_MY_AMOUNT} data-amount-minor={packet.myClaim.amountMinor}>
            {formatAmount(packet.myClaim.amountMinor, packet.asset)}
            {packet.myClaim.worthMinor !== null ? <div className="red-packet-detail-worth">≈ ¥{formatMinor(packet.myClaim.worthMinor)}</div> : null}
          </div>
        ) : missed ? (
          <div className="red-packet-detail-missed">{t('Too late: all of this red packet has been taken.')}</div>
        ) : null}
        {packet.myClaim ? <div className="muted-light">{t('Added to your balance')}</div> : null}
      </div>
      <div className="red-packet-detail-summary muted">
        {t('{{opened}}/{{count}} opened', { opened: packet.count - packet.remainingCount, count: packet.count })}, {formatAmount(taken, packet.asset)} /{' '}
        {formatAmount(packet.totalMinor, packet.asset)}
        {packet.worthMinor !== null ? ` ≈ ¥${formatMinor(packet.worthMinor)}` : ''}
        {packet.status === 'refunded' ? ` · ${t('expired, rest refunded')}` : ''}
        {packet.status === 'active' && packet.senderId === myId ? ` · ${t('what is left returns to you after 24 hours')}` : ''}
      </div>
      <List>
        {packet.claims.map((c) => (
          <List.Item
            key={c.account.id}
            data-testid={TID.RED_PACKET_CLAIM}
            data-account-id={c.account.id}
            data-amount-minor={c.amountMinor}
            description={new Date(c.createdAt).toLocaleTimeString()}
            extra={formatAmount(c.amountMinor, packet.asset)}
          >
            {c.account.displayName}
            {c.luckiest ? <span className="red-packet-luckiest"> 👑 {t('Luckiest')}</span> : null}
          </List.Item>
        ))}
      </List>
    </div>
  );
}

type Phase = 'envelope' | 'spinning' | 'opening' | 'detail';
const SPIN_MS = 800;
const OPEN_MS = 450;

/**
 * A red packet card. Tapping shows the envelope; the 開 coin spins while the claim is decided, the
 * envelope opens, and the amount and the claims list follow (the open animation members know).
 */
export function RedPacketCard({ message }: { message: CardMessage }) {
  const { t } = useTranslation();
  const myId = useMyId();
  const c = message.content as { redPacketId: string; greeting?: string; asset: string; totalMinor?: string };
  const { data, refetch } = useQuery({ queryKey: ['wallet', 'red-packet', c.redPacketId], queryFn: () => walletApi.redPacket(c.redPacketId) });
  const { data: conversations } = useConversations();
  const direct = conversations?.find((conv) => String(conv.id) === String(message.conversationId))?.kind === 'direct';
  const packet = data?.redPacket;
  const [open, setOpen] = useState(false);
  // null: not decided yet, follow the packet (it may still be loading when the card is tapped).
  const [chosenPhase, setPhase] = useState<Phase | null>(null);
  const [missed, setMissed] = useState(false);
  const mine = packet?.senderId === myId;
  const forSomeoneElse = packet?.exclusiveTo != null && packet.exclusiveTo !== myId;
  const openable = Boolean(packet && !packet.myClaim && packet.status === 'active' && packet.remainingCount > 0 && !forSomeoneElse && !(mine && direct));
  const opened = Boolean(packet?.myClaim) || (packet !== undefined && packet.status !== 'active') || packet?.remainingCount === 0;
  const phase: Phase = chosenPhase ?? (openable ? 'envelope' : 'detail');
  const show = () => {
    setPhase(null);
    setMissed(false);
    setOpen(true);
  };
  const grab = async () => {
    setPhase('spinning');
    const started = Date.now();
    let failure: unknown;
    try {
      await walletApi.claim(c.redPacketId);
    } catch (error) {
      failure = error;
    }
    await refetch();
    // Let the coin turn for a moment even when the answer is instant, then open the envelope.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, SPIN_MS - (Date.now() - started))));
    void queryClient.invalidateQueries({ queryKey: ['wallet', 'home'] });
    void queryClient.invalidateQueries({ queryKey: ['wallet', 'bill'] });
    if (failure) {
      const code = (failure as { code?: string }).code;
      if (code === 'RED_PACKET_EMPTY' || code === 'RED_PACKET_ALREADY_CLAIMED') {
        setMissed(code === 'RED_PACKET_EMPTY');
        setPhase('detail');
      } else {
        setPhase(null);
        setOpen(false);
        Toast.show({ content: moneyErrorText(failure, t) });
      }
      return;
    }
    setPhase('opening');
    setTimeout(() => setPhase('detail'), OPEN_MS);
  };
  const gold = c.asset === 'XAU';
  return (
    <>
      <button
        type="button"
        className={`money-card red ${opened ? 'done' : ''}`}
        onClick={show}
        data-testid={TID.RED_PACKET_CARD}
        data-red-packet-id={c.redPacketId}
        data-opened={opened ? 'true' : 'false'}
      >
        <div className="money-card-body">
          <span className="money-card-icon">{gold ? '🪙' : '🧧'}</span>
          <div>
            <div className="money-card-note">{c.greeting || t('Best wishes')}</div>
            {gold && c.totalMinor ? (
              <div className="money-card-sub">
                {formatAmount(c.totalMinor, 'XAU')}
                {packet?.worthMinor ? ` ≈ ¥${formatMinor(packet.worthMinor)}` : ''}
              </div>
            ) : null}
            {packet?.myClaim ? <div className="money-card-sub">{t('Opened')}</div> : null}
          </div>
        </div>
        <div className="money-card-foot">{gold ? t('Gold Red Packet') : t('Red Packet')}</div>
      </button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyClassName="red-packet-popup" destroyOnClose>
        {packet && phase !== 'detail' ? (
          <div
            className={`red-packet-envelope ${phase === 'opening' ? 'opening' : ''} ${gold ? 'gold' : ''}`}
            data-testid={TID.RED_PACKET_ENVELOPE}
            data-phase={phase}
          >
            <div className="red-packet-flap" />
            <div className="red-packet-from">{t('Red packet from {{name}}', { name: packet.sender.displayName })}</div>
            <div className="red-packet-greeting">{packet.greeting || t('Best wishes')}</div>
            {gold ? <div className="red-packet-envelope-worth">{formatAmount(packet.totalMinor, 'XAU')}</div> : null}
            <button
              type="button"
              className={`red-packet-coin ${phase === 'spinning' ? 'spinning' : ''}`}
              onClick={grab}
              disabled={phase !== 'envelope'}
              aria-label={t('Open')}
              data-testid={TID.RED_PACKET_OPEN}
            >
              開
            </button>
          </div>
        ) : packet ? (
          <ClaimsList packet={packet} missed={missed} />
        ) : null}
      </Popup>
    </>
  );
}
