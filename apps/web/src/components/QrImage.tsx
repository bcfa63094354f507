import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/** A QR code image; `center` overlays the owner's avatar (error correction H keeps it scannable). */
export function QrImage({ text, size = 240, center, testId, alt }: { text: string; size?: number; center?: React.ReactNode; testId?: string; alt: string }) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    let alive = true;
    QRCode.toDataURL(text, { errorCorrectionLevel: center ? 'H' : 'M', margin: 1, width: size * 2 })
      .then((url) => alive && setSrc(url))
      .catch(() => alive && setSrc(''));
    return () => {
      alive = false;
    };
  }, [text, size, center]);
  return (
    <div className="qr-box" style={{ width: size, height: size }}>
      {src ? <img src={src} alt={alt} width={size} height={size} data-testid={testId} data-qr-text={text} /> : null}
      {center ? <div className="qr-center">{center}</div> : null}
    </div>
  );
}
