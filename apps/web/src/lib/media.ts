import { useEffect, useState } from 'react';
import { api } from './api';

// Media URLs need the bearer token, so <img src> cannot load them directly. Fetched blobs are
// kept as object URLs for the life of the page; the count is bounded to keep memory in check.
const MAX_CACHED_MEDIA = 300;
const cache = new Map<string, string>();
const inflight = new Map<string, Promise<string>>();

function load(url: string): Promise<string> {
  const cached = cache.get(url);
  if (cached) return Promise.resolve(cached);
  let pending = inflight.get(url);
  if (!pending) {
    pending = api
      .fetchMedia(url)
      .then((blob) => {
        const objectUrl = URL.createObjectURL(blob);
        cache.set(url, objectUrl);
        if (cache.size > MAX_CACHED_MEDIA) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) {
            URL.revokeObjectURL(cache.get(oldest) ?? '');
            cache.delete(oldest);
          }
        }
        return objectUrl;
      })
      .finally(() => inflight.delete(url));
    inflight.set(url, pending);
  }
  return pending;
}

export function useMediaUrl(url: string | null | undefined): string | undefined {
  const direct = url && /^(blob:|data:)/.test(url) ? url : undefined;
  const [objectUrl, setObjectUrl] = useState<string | undefined>(() => (url ? cache.get(url) : undefined));
  useEffect(() => {
    if (!url || direct) return;
    let alive = true;
    setObjectUrl(cache.get(url));
    load(url)
      .then((value) => alive && setObjectUrl(value))
      .catch(() => alive && setObjectUrl(undefined));
    return () => {
      alive = false;
    };
  }, [url, direct]);
  return direct ?? objectUrl;
}

export async function downloadMedia(url: string, fileName: string) {
  const objectUrl = await load(url);
  const link = document.createElement('a');
  link.href = objectUrl;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * The poster frame: the server has no video decoder, so the browser draws an early frame of the
 * chosen file onto a canvas and uploads it as a still image.
 */
export async function videoPosterFrame(file: Blob): Promise<Blob | null> {
  const url = URL.createObjectURL(file);
  try {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.src = url;
    await new Promise<void>((resolve, reject) => {
      video.onloadeddata = () => resolve();
      video.onerror = () => reject(new Error('video could not be decoded'));
    });
    await new Promise<void>((resolve) => {
      video.onseeked = () => resolve();
      video.currentTime = Math.min(0.1, (video.duration || 0) / 2);
    });
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Opens the file picker for one video, uploads it with a poster frame drawn in the browser, and
 * answers the media id (or the error) through the callbacks.
 */
export function pickVideoWithPoster(onUploaded: (mediaId: string) => void, onError: (error: unknown) => void): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'video/*';
  input.onchange = async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const uploaded = (await api.uploadMedia('video', file, file.name)).media;
      const frame = await videoPosterFrame(file);
      if (frame) await api.setVideoPoster(uploaded.id, frame);
      onUploaded(uploaded.id);
    } catch (error) {
      onError(error);
    }
  };
  input.click();
}

const streamUrls = new Map<string, { url: string; expiresMs: number }>();

/**
 * A signed URL for playing a video: the <video> element fetches it itself, by byte range, so
 * playback starts and seeks without downloading the whole file first.
 */
export function useStreamUrl(mediaId: string | null | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>(() => (mediaId ? streamUrls.get(mediaId)?.url : undefined));
  useEffect(() => {
    if (!mediaId) return;
    const cached = streamUrls.get(mediaId);
    // Renew well before expiry so a page left open still plays.
    if (cached && cached.expiresMs - Date.now() > 5 * 60 * 1000) {
      setUrl(cached.url);
      return;
    }
    let alive = true;
    api
      .request<{ url: string; expiresAt: string }>('GET', `/api/v1/media/${encodeURIComponent(mediaId)}/stream-url`)
      .then((signed) => {
        streamUrls.set(mediaId, { url: signed.url, expiresMs: new Date(signed.expiresAt).getTime() });
        if (alive) setUrl(signed.url);
      })
      .catch(() => alive && setUrl(undefined));
    return () => {
      alive = false;
    };
  }, [mediaId]);
  return url;
}
