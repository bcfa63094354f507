import { Toast } from 'antd-mobile';
import { PictureOutline } from 'antd-mobile-icons';
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Page } from '../components/Page';
import { api, errorText } from '../lib/api';
import { TID } from '../testids';

/** Turns a scanned Plaza code into the page that handles it. */
export async function routeScannedText(text: string, navigate: (path: string, options?: { state?: unknown }) => void, t: (key: string) => string) {
  const match = /^plaza:\/\/(user|login|group|pay)\/(.+)$/.exec(text.trim());
  if (!match) {
    Toast.show({ content: `${t('Not a Plaza code')}: ${text.slice(0, 60)}` });
    return false;
  }
  const [, kind, value = ''] = match;
  if (kind === 'user') {
    try {
      const { accounts } = await api.searchAccounts({ handle: decodeURIComponent(value) });
      const account = accounts[0];
      if (!account) throw new Error(t('No account found'));
      navigate(`/profile/${account.id}`);
    } catch (error) {
      Toast.show({ content: errorText(error) });
      return false;
    }
  } else if (kind === 'login') {
    try {
      const result = await api.scanQrLogin(value);
      navigate(`/login-confirm/${encodeURIComponent(value)}`, { state: result.qrLogin ?? null });
    } catch (error) {
      Toast.show({ content: errorText(error) });
      return false;
    }
  } else if (kind === 'pay') navigate(`/pay/${encodeURIComponent(value)}`);
  else navigate(`/group-invite/${encodeURIComponent(value)}`);
  return true;
}

function decodeImageData(data: ImageData): string | null {
  return jsQR(data.data, data.width, data.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

async function decodeFile(file: File): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height));
}

export function ScanPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const [cameraError, setCameraError] = useState('');
  const handled = useRef(false);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let frame = 0;
    let alive = true;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const tick = () => {
      if (!alive) return;
      const element = video.current;
      if (element && context && element.readyState >= 2 && element.videoWidth > 0) {
        const scale = Math.min(1, 640 / element.videoWidth);
        canvas.width = Math.round(element.videoWidth * scale);
        canvas.height = Math.round(element.videoHeight * scale);
        context.drawImage(element, 0, 0, canvas.width, canvas.height);
        const text = decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height));
        if (text && !handled.current) {
          handled.current = true;
          void routeScannedText(text, navigate, t).then((ok) => {
            handled.current = ok;
          });
        }
      }
      frame = requestAnimationFrame(tick);
    };
    if (!navigator.mediaDevices?.getUserMedia) setCameraError(t('Camera is not available. Upload a picture of the code instead.'));
    else
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: 'environment' } })
        .then((s) => {
          if (!alive) {
            for (const track of s.getTracks()) track.stop();
            return;
          }
          stream = s;
          if (video.current) {
            video.current.srcObject = s;
            void video.current.play().catch(() => undefined);
          }
          frame = requestAnimationFrame(tick);
        })
        .catch(() => setCameraError(t('Camera is not available. Upload a picture of the code instead.')));
    return () => {
      alive = false;
      cancelAnimationFrame(frame);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [navigate, t]);

  const onFile = async (file: File) => {
    try {
      const text = await decodeFile(file);
      if (!text) {
        Toast.show({ content: t('No QR code found in this picture') });
        return;
      }
      await routeScannedText(text, navigate, t);
    } catch (error) {
      Toast.show({ content: errorText(error) });
    }
  };

  return (
    <Page title={t('Scan')} fallback="/discover" className="scan-page">
      <div className="scan-view">
        <video ref={video} muted playsInline data-testid={TID.SCAN_VIDEO} aria-label={t('Camera preview')} />
        <div className="scan-frame" aria-hidden="true">
          <span className="scan-line" />
        </div>
        {cameraError ? <p className="scan-error">{cameraError}</p> : <p className="scan-hint">{t('Point the camera at a Plaza QR code')}</p>}
      </div>
      <div className="scan-actions">
        <label className="scan-upload">
          <PictureOutline fontSize={24} />
          <span>{t('Choose from photos')}</span>
          <input
            type="file"
            accept="image/*"
            hidden
            data-testid={TID.SCAN_UPLOAD_INPUT}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void onFile(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
    </Page>
  );
}
