import { Button, PasscodeInput, Popup } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A bottom sheet asking for the 6-digit payment PIN; `onPin` gets it when six digits are in. */
export function PinPrompt({ visible, title, onPin, onClose }: { visible: boolean; title: string; onPin: (pin: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <Popup visible={visible} onMaskClick={onClose} destroyOnClose bodyClassName="wallet-sheet">
      <div className="wallet-sheet-title">{title}</div>
      <div className="wallet-pin">
        <PasscodeInput
          length={6}
          value={value}
          onChange={setValue}
          onFill={(pin) => {
            setValue('');
            onPin(pin);
          }}
          aria-label={t('Payment PIN')}
        />
      </div>
      <Button block fill="none" onClick={onClose}>
        {t('Cancel')}
      </Button>
    </Popup>
  );
}
