import { Button, Input, List, Popup, Selector, Stepper, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, queryClient, useMyId } from '../../lib/api';
import { formatMinor, parseMajor, type RedPacket, walletApi } from './api';
import { PinPrompt } from './PinPrompt';
import './wallet.css';

interface CardMessage {
  content: unknown;
}

/** The chat "+" panel → Transfer: amount, note, PIN; the card appears in the chat. */
export function TransferSheet({ visible, peerId, onClose }: { visible: boolean; peerId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [askPin, setAskPin] = useState(false);
  const minor = parseMajor(amount);
  const send = async (pin: string) => {
    setAskPin(false);
    if (!peerId || !minor) return;
    try {
      await walletApi.sendTransfer(peerId, 'CNY', minor, note, pin);
      setAmount('');
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onClose();
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  return (
    <>
      <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet" destroyOnClose>
        <div className="wallet-sheet-title">{t('Transfer')}</div>
        <div className="wallet-amount">
          <span>¥</span>
          <Input value={amount} onChange={setAmount} placeholder="0.00" inputMode="decimal" aria-label={t('Amount')} data-testid="transfer-amount" />
        </div>
        <Input value={note} onChange={setNote} placeholder={t('Add a note')} maxLength={100} className="wallet-note" />
        <Button block color="primary" disabled={!minor || !peerId} onClick={() => setAskPin(true)} data-testid="transfer-send">
          {t('Transfer')}
        </Button>
      </Popup>
      <PinPrompt visible={askPin} title={`¥${formatMinor(minor ?? 0)}`} onClose={() => setAskPin(false)} onPin={send} />
    </>
  );
}

/** The chat "+" panel → Red Packet: random, equal or exclusive (groups), in CNY or gold. */
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
  const [mode, setMode] = useState<'random' | 'equal' | 'exclusive'>(isGroup ? 'random' : 'equal');
  const [asset, setAsset] = useState<'CNY' | 'XAU'>('CNY');
  const [amount, setAmount] = useState('');
  const [count, setCount] = useState(isGroup ? Math.min(3, Math.max(1, members.length)) : 1);
  const [greeting, setGreeting] = useState('');
  const [exclusiveTo, setExclusiveTo] = useState<string>();
  const [askPin, setAskPin] = useState(false);
  const minor = parseMajor(amount, asset);
  const send = async (pin: string) => {
    setAskPin(false);
    if (!minor) return;
    try {
      await walletApi.sendRedPacket({
        conversationId,
        mode,
        asset,
        totalMinor: minor,
        count: mode === 'exclusive' || !isGroup ? 1 : count,
        greeting: greeting || t('Best wishes'),
        ...(mode === 'exclusive' && exclusiveTo ? { exclusiveTo } : {}),
        pin,
      });
      setAmount('');
      setGreeting('');
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onClose();
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  return (
    <>
      <Popup visible={visible} onMaskClick={onClose} bodyClassName="wallet-sheet red" destroyOnClose>
        <div className="wallet-sheet-title">{t('Red Packet')}</div>
        <Selector
          options={[
            { label: t('Cash'), value: 'CNY' },
            { label: t('Gold'), value: 'XAU' },
          ]}
          value={[asset]}
          onChange={(v) => v[0] && setAsset(v[0] as 'CNY' | 'XAU')}
        />
        {isGroup ? (
          <Selector
            options={[
              { label: t('Random'), value: 'random' },
              { label: t('Equal'), value: 'equal' },
              { label: t('Exclusive'), value: 'exclusive' },
            ]}
            value={[mode]}
            onChange={(v) => v[0] && setMode(v[0] as 'random' | 'equal' | 'exclusive')}
          />
        ) : null}
        <List>
          <List.Item title={asset === 'XAU' ? t('Total (g)') : t('Total (¥)')}>
            <Input value={amount} onChange={setAmount} placeholder={asset === 'XAU' ? '0.000' : '0.00'} inputMode="decimal" data-testid="red-packet-amount" />
          </List.Item>
          {isGroup && mode !== 'exclusive' ? (
            <List.Item title={t('Shares')}>
              <Stepper min={1} max={Math.min(100, Math.max(1, members.length))} value={count} onChange={(v) => setCount(v)} />
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
          <List.Item title={t('Greeting')}>
            <Input value={greeting} onChange={setGreeting} placeholder={t('Best wishes')} maxLength={60} />
          </List.Item>
        </List>
        <Button block color="danger" disabled={!minor || (mode === 'exclusive' && !exclusiveTo)} onClick={() => setAskPin(true)} data-testid="red-packet-send">
          {t('Put money in')}
        </Button>
      </Popup>
      <PinPrompt
        visible={askPin}
        title={`${asset === 'XAU' ? '' : '¥'}${formatMinor(minor ?? 0, asset)}${asset === 'XAU' ? ' g' : ''}`}
        onClose={() => setAskPin(false)}
        onPin={send}
      />
    </>
  );
}

/** A transfer card: the recipient accepts or returns it; everyone sees its state. */
export function TransferCard({ message }: { message: CardMessage }) {
  const { t } = useTranslation();
  const myId = useMyId();
  const c = message.content as unknown as { transferId: string; amountMinor: string; asset: string; note?: string; toAccountId: string; status: string };
  const { data } = useQuery({
    queryKey: ['wallet', 'transfer', c.transferId],
    queryFn: () => walletApi.transfer(c.transferId),
    enabled: c.status === 'pending',
  });
  const status = c.status === 'pending' ? (data?.transfer.status ?? 'pending') : c.status;
  const mayAnswer = status === 'pending' && c.toAccountId === myId;
  const answer = async (accept: boolean) => {
    try {
      await (accept ? walletApi.acceptTransfer(c.transferId) : walletApi.returnTransfer(c.transferId));
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
    } catch (error) {
      Toast.show({ content: errorText(error), icon: 'fail' });
    }
  };
  const label = status === 'posted' ? t('Received') : status === 'voided' ? t('Returned') : t('Transfer');
  return (
    <div className={`money-card transfer ${status === 'pending' ? '' : 'done'}`} data-testid="transfer-card">
      <div className="money-card-body">
        <span className="money-card-icon">⇄</span>
        <div>
          <div className="money-card-amount">¥{formatMinor(c.amountMinor, c.asset)}</div>
          <div className="money-card-note">{c.note || label}</div>
        </div>
      </div>
      {mayAnswer ? (
        <div className="money-card-actions">
          <Button size="mini" color="primary" onClick={() => answer(true)}>
            {t('Accept')}
          </Button>
          <Button size="mini" onClick={() => answer(false)}>
            {t('Return')}
          </Button>
        </div>
      ) : null}
      <div className="money-card-foot">{label}</div>
    </div>
  );
}

function ClaimsList({ packet }: { packet: RedPacket }) {
  const { t } = useTranslation();
  const unit = packet.asset === 'XAU' ? ' g' : '';
  return (
    <div className="red-packet-detail">
      <div className="red-packet-detail-head">
        <div>
          {packet.sender.displayName} · {packet.greeting}
        </div>
        {packet.myClaim ? (
          <div className="red-packet-detail-mine">
            {packet.asset === 'XAU' ? '' : '¥'}
            {formatMinor(packet.myClaim.amountMinor, packet.asset)}
            {unit}
          </div>
        ) : null}
        <div className="muted">
          {packet.count - packet.remainingCount}/{packet.count} {t('opened')}
          {packet.status === 'refunded' ? ` · ${t('expired, rest refunded')}` : ''}
        </div>
      </div>
      <List>
        {packet.claims.map((c) => (
          <List.Item key={c.account.id} description={new Date(c.createdAt).toLocaleTimeString()} extra={`${formatMinor(c.amountMinor, packet.asset)}${unit}`}>
            {c.account.displayName}
            {c.luckiest ? <span className="red-packet-luckiest"> 👑 {t('Luckiest')}</span> : null}
          </List.Item>
        ))}
      </List>
    </div>
  );
}

/** A red packet card: tap to open (with the spinning 開 coin), then the claims list. */
export function RedPacketCard({ message }: { message: CardMessage }) {
  const { t } = useTranslation();
  const c = message.content as unknown as { redPacketId: string; greeting?: string; asset: string };
  const { data, refetch } = useQuery({ queryKey: ['wallet', 'red-packet', c.redPacketId], queryFn: () => walletApi.redPacket(c.redPacketId) });
  const packet = data?.redPacket;
  const [open, setOpen] = useState(false);
  const [opening, setOpening] = useState(false);
  const opened = Boolean(packet?.myClaim) || packet?.status !== 'active' || packet?.remainingCount === 0;
  const grab = async () => {
    setOpening(true);
    try {
      await walletApi.claim(c.redPacketId);
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
    } catch (error) {
      Toast.show({ content: errorText(error) });
    } finally {
      // Let the coin spin at least once before the result shows.
      setTimeout(() => {
        setOpening(false);
        void refetch();
      }, 700);
    }
  };
  return (
    <>
      <button type="button" className={`money-card red ${opened ? 'done' : ''}`} onClick={() => setOpen(true)} data-testid="red-packet-card">
        <div className="money-card-body">
          <span className="money-card-icon">{c.asset === 'XAU' ? '🪙' : '🧧'}</span>
          <div className="money-card-note">{c.greeting || t('Best wishes')}</div>
        </div>
        <div className="money-card-foot">{c.asset === 'XAU' ? t('Gold Red Packet') : t('Red Packet')}</div>
      </button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyClassName="red-packet-popup" destroyOnClose>
        {packet && !packet.myClaim && packet.status === 'active' && packet.remainingCount > 0 && packet.senderId !== '' ? (
          <div className="red-packet-envelope">
            <div className="red-packet-from">{packet.sender.displayName}</div>
            <div className="red-packet-greeting">{packet.greeting || t('Best wishes')}</div>
            <button
              type="button"
              className={`red-packet-coin ${opening ? 'spinning' : ''}`}
              onClick={grab}
              aria-label={t('Open')}
              data-testid="red-packet-open"
            >
              開
            </button>
          </div>
        ) : packet ? (
          <ClaimsList packet={packet} />
        ) : null}
      </Popup>
    </>
  );
}
