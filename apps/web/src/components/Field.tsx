import type { InputHTMLAttributes } from 'react';

/**
 * A native text input styled like antd-mobile's. antd-mobile's Input puts data-* attributes on a
 * wrapper div; tests and password managers need them on the <input> itself.
 */
export function Field({ onValue, className, ...rest }: Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> & { onValue: (value: string) => void }) {
  return <input {...rest} className={`plaza-input ${className ?? ''}`} onChange={(e) => onValue(e.target.value)} />;
}
