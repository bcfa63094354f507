import { Dialog } from 'antd-mobile';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PlazaApiError } from '@plaza/client';
import { errorText } from '../../lib/api';
import { TID } from '../../testids';
import { WalletApiError } from './api';

/** What a member reads when money did not move: the reason and what to do next, by stable error code. */
export function moneyErrorText(error: unknown, t: TFunction): string {
  if (!(error instanceof PlazaApiError)) return errorText(error);
  switch (error.code) {
    case 'WALLET_BANK_DECLINED':
      return t('The bank declined this payment. Your balance did not change; try another card.');
    case 'WALLET_BANK_UNAVAILABLE':
      return t('The bank is not answering. Your balance did not change; try again later.');
    case 'WALLET_PIN_WRONG': {
      const left = error instanceof WalletApiError ? error.details?.attemptsLeft : undefined;
      return typeof left === 'number' ? t('Wrong PIN. {{count}} attempts left.', { count: left }) : t('Wrong PIN.');
    }
    case 'WALLET_PIN_LOCKED':
      return t('Too many wrong PINs. Payments are locked for a while; try again later.');
    case 'WALLET_PIN_REQUIRED':
      return t('Set a 6-digit payment PIN first (Me → Wallet → Payment PIN).');
    case 'WALLET_INSUFFICIENT_FUNDS':
      return t('Your balance is too low. Top up first.');
    case 'WALLET_DAILY_LIMIT':
      return t('This payment would pass your daily limit.');
    case 'WALLET_CARD_INVALID':
      return t('This card number is not valid. Check the digits.');
    case 'WALLET_INVALID_AMOUNT':
      return t('This amount is not allowed (too small or above the limit).');
    case 'RED_PACKET_EMPTY':
      return t('Too late: all of this red packet has been taken.');
    case 'RED_PACKET_EXPIRED':
      return t('This red packet has expired.');
    case 'RED_PACKET_ALREADY_CLAIMED':
      return t('You already opened this red packet.');
    case 'RED_PACKET_NOT_FOR_YOU':
      return t('This red packet is for someone else.');
    case 'WALLET_TRANSFER_CLOSED':
      return t('This transfer was already accepted, returned or expired.');
    default:
      return errorText(error);
  }
}

export function showMoneyError(error: unknown, t: TFunction): void {
  void Dialog.alert({
    title: t('Not done'),
    content: (
      <div role="alert" data-testid={TID.MONEY_ERROR} data-code={error instanceof PlazaApiError ? error.code : undefined}>
        {moneyErrorText(error, t)}
      </div>
    ),
    confirmText: t('OK'),
  });
}

/**
 * The PIN step of a payment. A wrong PIN keeps the prompt open with the attempts left; any other
 * failure closes it and explains in a dialog, so the member is never left guessing.
 */
export function usePinPayment(pay: (pin: string) => Promise<void>) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(false);
  const [error, setError] = useState<string>();
  const onPin = async (pin: string) => {
    try {
      await pay(pin);
      setVisible(false);
      setError(undefined);
    } catch (failure) {
      if (failure instanceof PlazaApiError && failure.code === 'WALLET_PIN_WRONG') {
        setError(moneyErrorText(failure, t));
        return;
      }
      setVisible(false);
      setError(undefined);
      showMoneyError(failure, t);
    }
  };
  return {
    open: () => {
      setError(undefined);
      setVisible(true);
    },
    prompt: { visible, error, onPin: (pin: string) => void onPin(pin), onClose: () => setVisible(false) },
  };
}
