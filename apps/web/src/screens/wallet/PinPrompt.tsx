import { Button, PasscodeInput, type PasscodeInputRef, Popup } from 'antd-mobile';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TID } from '../../testids';

/**
 * A bottom sheet asking for the 6-digit payment PIN; `onPin` gets it when six digits are in.
 * `error` shows under the cells (a wrong PIN, attempts left) so the member can try again in place.
 */
export function PinPrompt({
  visible,
  title,
  description,
  error,
  onPin,
  onClose,
}: {
  visible: boolean;
  title: string;
  description?: string;
  error?: string;
  onPin: (pin: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const input = useRef<PasscodeInputRef>(null);
  return (
    <Popup visible={visible} onMaskClick={onClose} destroyOnClose bodyClassName="wallet-sheet" afterShow={() => input.current?.focus()}>
      <div className="wallet-sheet-title">{title}</div>
      {description ? <p className="muted wallet-pin-description">{description}</p> : null}
      <div className="wallet-pin">
        <PasscodeInput
          ref={input}
          length={6}
          value={value}
          error={Boolean(error)}
          onChange={(next) => setValue(next.replace(/\D/g, ''))}
          onFill={(pin) => {
            setValue('');
            onPin(pin);
          }}
          aria-label={t('Payment PIN')}
          data-testid={TID.PIN_INPUT}
        />
      </div>
      {error ? (
        <p className="wallet-error" role="alert" data-testid={TID.PIN_ERROR}>
          {error}
        </p>
      ) : null}
      <Button block fill="none" onClick={onClose}>
        {t('Cancel')}
      </Button>
    </Popup>
  );
}
