import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely, Selectable } from 'kysely';
import sharp from 'sharp';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail } from '../../lib/errors.js';
import { idString } from '../../lib/ids.js';
import { limits } from '../../limits.js';
import { type ByteRange, type MediaStorage, openMediaStorage } from './storage.js';
import { probeVideo } from './video-probe.js';

export type MediaRow = Selectable<Database['media']>;
export type MediaKind = MediaRow['kind'];

const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const VOICE_MIMES = new Set([
  'audio/webm',
  'video/webm',
  'audio/ogg',
  'audio/opus',
  'audio/mpeg',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'audio/wav',
  'audio/vnd.wave',
  'audio/x-wav',
  'video/mp4',
]);
const VIDEO_MIMES = new Set(['video/mp4', 'video/webm', 'video/quicktime', 'video/x-matroska']);
const THUMB_EDGE_PX = 320;
/** How long a signed playback URL works; long enough to watch a one-minute video and seek in it. */
const STREAM_URL_TTL_MS = 30 * 60 * 1000;

interface SigningKeyTable {
  media_signing_keys: { name: string; secret: string; created_at: number };
}
const POSTER_EDGE_PX = 720;

/** Keeps a file name printable and path-free: separators and control characters become `_`. */
function sanitizeFileName(name: string): string {
  let clean = '';
  for (const char of name.slice(0, 200)) clean += char === '/' || char === '\\' || (char.codePointAt(0) ?? 0) < 32 ? '_' : char;
  return clean;
}

export function presentMedia(row: MediaRow) {
  return {
    id: idString(row.id),
    kind: row.kind,
    url: `/api/v1/media/${row.id}`,
    thumbUrl: row.thumb_key ? `/api/v1/media/${row.id}/thumb` : null,
    mime: row.mime,
    sizeBytes: row.size_bytes,
    fileName: row.file_name,
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
  };
}

export function createMediaService(ctx: AppContext, storage: MediaStorage = openMediaStorage(ctx.config)) {
  const { db, config } = ctx;
  // Each module that shares media (chat conversations, Moments posts, …) adds one check; any may grant.
  const accessChecks: ((accountId: number, mediaId: number) => Promise<boolean>)[] = [];
  /** Other modules say whether they still use a media id, so shared bytes are never deleted under them. */
  const referenceChecks: ((mediaId: number) => Promise<boolean>)[] = [];

  function maxBytesFor(kind: MediaKind): number {
    if (kind === 'image' || kind === 'avatar') return config.media.maxImageBytes;
    if (kind === 'voice') return config.media.maxVoiceBytes;
    if (kind === 'video') return config.media.maxVideoBytes;
    return config.media.maxFileBytes;
  }

  /** Stores an upload after checking its real type from its first bytes, never from its name. */
  async function upload(ownerId: number, input: { kind: MediaKind; data: Buffer; fileName: string; durationMs?: number }) {
    if (input.data.length === 0) fail('VALIDATION_FAILED', 'The file is empty.');
    if (input.data.length > maxBytesFor(input.kind)) fail('MEDIA_TOO_LARGE', `A ${input.kind} may be at most ${maxBytesFor(input.kind)} bytes.`);
    const detected = await fileTypeFromBuffer(input.data);
    const mime = detected?.mime ?? 'application/octet-stream';
    let width: number | null = null;
    let height: number | null = null;
    let thumb: Buffer | null = null;
    let durationMs = input.durationMs;
    if (input.kind === 'image' || input.kind === 'avatar') {
      if (!IMAGE_MIMES.has(mime)) fail('MEDIA_CONTENT_MISMATCH', 'This is not a JPEG, PNG, GIF or WebP image.');
      try {
        const image = sharp(input.data, { limitInputPixels: 100_000_000 });
        const meta = await image.metadata();
        width = meta.autoOrient?.width ?? meta.width ?? null;
        height = meta.autoOrient?.height ?? meta.height ?? null;
        thumb = await sharp(input.data)
          .rotate()
          .resize(THUMB_EDGE_PX, THUMB_EDGE_PX, { fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 75 })
          .toBuffer();
      } catch {
        fail('MEDIA_CONTENT_MISMATCH', 'The image could not be decoded.');
      }
    } else if (input.kind === 'voice') {
      if (!VOICE_MIMES.has(mime)) fail('MEDIA_CONTENT_MISMATCH', 'This is not an audio recording.');
    } else if (input.kind === 'video') {
      if (!VIDEO_MIMES.has(mime)) fail('MEDIA_CONTENT_MISMATCH', 'This is not an MP4, WebM or QuickTime video.');
      // The file's own container says how long it is; a length the client claims is ignored.
      const probe = probeVideo(input.data);
      if (!probe) fail('MEDIA_VIDEO_UNREADABLE');
      if (probe.durationMs > config.media.maxVideoDurationMs)
        fail(
          'MEDIA_VIDEO_TOO_LONG',
          `This video is ${(probe.durationMs / 1000).toFixed(1)} s long; at most ${config.media.maxVideoDurationMs / 1000} s is allowed.`,
        );
      durationMs = probe.durationMs;
      width = probe.width;
      height = probe.height;
    }
    if (input.kind === 'voice' && input.durationMs !== undefined && input.durationMs > limits.voiceDurationMaxMs)
      fail('MEDIA_TOO_LARGE', 'Voice messages are at most 60 seconds.');
    const key = `${new Date().toISOString().slice(0, 10)}/${randomBytes(16).toString('hex')}`;
    await storage.put(key, input.data, mime);
    if (thumb) await storage.put(`${key}.thumb`, thumb, 'image/webp');
    const row = await db
      .insertInto('media')
      .values({
        owner_id: ownerId,
        kind: input.kind,
        mime,
        size_bytes: input.data.length,
        file_name: sanitizeFileName(input.fileName),
        storage_key: key,
        thumb_key: thumb ? `${key}.thumb` : null,
        width,
        height,
        duration_ms: durationMs ?? null,
        public: input.kind === 'avatar' ? 1 : 0,
        created_at: Date.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return presentMedia(row);
  }

  async function load(mediaId: number): Promise<MediaRow> {
    const row = await db.selectFrom('media').selectAll().where('id', '=', mediaId).executeTakeFirst();
    if (!row) fail('MEDIA_NOT_FOUND');
    return row;
  }

  /** For attaching to a message: the sender's own upload of an accepted kind. */
  async function requireOwnUpload(ownerId: number, mediaId: number, kinds: string[]): Promise<MediaRow> {
    const row = await load(mediaId);
    if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
    if (!kinds.includes(row.kind)) fail('CHAT_INVALID_MESSAGE', `This message needs a ${kinds.join(' or ')} upload, not ${row.kind}.`);
    return row;
  }

  /** Owners, members of a conversation it was shared in, and anyone for public media (avatars). */
  async function canRead(accountId: number, row: MediaRow): Promise<boolean> {
    if (row.public === 1 || row.owner_id === accountId) return true;
    for (const check of accessChecks) if (await check(accountId, row.id)) return true;
    return false;
  }

  async function open(accountId: number, mediaId: number, variant: 'original' | 'thumb', range?: ByteRange) {
    const row = await load(mediaId);
    // Not a member: answer as if it did not exist, so ids cannot be probed.
    if (!(await canRead(accountId, row))) fail('MEDIA_NOT_FOUND');
    const key = variant === 'thumb' ? row.thumb_key : row.storage_key;
    if (!key) fail('MEDIA_NOT_FOUND');
    return { row, stream: await storage.read(key, variant === 'original' ? range : undefined) };
  }

  async function deleteIfUnreferenced(mediaId: number): Promise<void> {
    const used = await db.selectFrom('messages').select('id').where('media_id', '=', mediaId).limit(1).executeTakeFirst();
    const avatar = await db.selectFrom('accounts').select('id').where('avatar_media_id', '=', mediaId).limit(1).executeTakeFirst();
    if (used || avatar) return;
    for (const inUse of referenceChecks) if (await inUse(mediaId)) return;
    const row = await db.selectFrom('media').selectAll().where('id', '=', mediaId).executeTakeFirst();
    if (!row) return;
    await db.deleteFrom('media_links').where('media_id', '=', mediaId).execute();
    await db.deleteFrom('media').where('id', '=', mediaId).execute();
    await storage.delete(row.storage_key);
    if (row.thumb_key) await storage.delete(row.thumb_key);
  }

  /**
   * Sets a video's poster frame from a still image the uploader made (the web client draws the
   * first frame of the video element onto a canvas). Stored as the video's thumbnail.
   */
  async function setPoster(ownerId: number, mediaId: number, image: Buffer) {
    const row = await load(mediaId);
    if (row.owner_id !== ownerId) fail('MEDIA_FORBIDDEN');
    if (row.kind !== 'video') fail('VALIDATION_FAILED', 'Only a video has a poster frame.');
    if (image.length === 0 || image.length > config.media.maxImageBytes) fail('MEDIA_TOO_LARGE', 'A poster is an image within the image size limit.');
    const detected = await fileTypeFromBuffer(image);
    if (!detected || !IMAGE_MIMES.has(detected.mime)) fail('MEDIA_CONTENT_MISMATCH', 'A poster is a JPEG, PNG or WebP image.');
    let poster: Buffer;
    try {
      poster = await sharp(image, { limitInputPixels: 100_000_000 })
        .rotate()
        .resize(POSTER_EDGE_PX, POSTER_EDGE_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
    } catch {
      fail('MEDIA_CONTENT_MISMATCH', 'The poster image could not be decoded.');
    }
    const key = `${row.storage_key}.thumb`;
    await storage.put(key, poster, 'image/webp');
    const updated = await db.updateTable('media').set({ thumb_key: key }).where('id', '=', mediaId).returningAll().executeTakeFirstOrThrow();
    return presentMedia(updated);
  }

  let signingKey: Promise<Buffer> | undefined;
  /** The shared signing key: read once per process, created by the first node that needs it. */
  function key(): Promise<Buffer> {
    signingKey ??= (async () => {
      const keys = db as unknown as Kysely<Database & SigningKeyTable>;
      await keys
        .insertInto('media_signing_keys')
        .values({ name: 'stream', secret: randomBytes(32).toString('base64url'), created_at: Date.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await keys.selectFrom('media_signing_keys').select('secret').where('name', '=', 'stream').executeTakeFirstOrThrow();
      return Buffer.from(row.secret, 'base64url');
    })().catch((error) => {
      signingKey = undefined;
      throw error;
    });
    return signingKey;
  }

  function signature(secret: Buffer, mediaId: number, accountId: number, expiresMs: number): string {
    return createHmac('sha256', secret).update(`${mediaId}.${accountId}.${expiresMs}`).digest('base64url');
  }

  /**
   * A short-lived URL that plays media without a bearer token, so a <video> element can fetch
   * it by byte range itself. It names the member it was made for, whose access is checked again
   * on every request.
   */
  async function streamUrl(accountId: number, mediaId: number) {
    const row = await load(mediaId);
    if (!(await canRead(accountId, row))) fail('MEDIA_NOT_FOUND');
    const expiresMs = Date.now() + STREAM_URL_TTL_MS;
    const sig = signature(await key(), mediaId, accountId, expiresMs);
    return { url: `/api/v1/media/${mediaId}/stream?account=${accountId}&expires=${expiresMs}&sig=${sig}`, expiresAt: new Date(expiresMs).toISOString() };
  }

  /** The member a signed URL was made for, if its signature holds and it has not expired. */
  async function verifyStream(mediaId: number, accountId: number, expiresMs: number, sig: string): Promise<number> {
    const expected = Buffer.from(signature(await key(), mediaId, accountId, expiresMs));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given) || expiresMs < Date.now()) fail('MEDIA_NOT_FOUND');
    return accountId;
  }

  async function makePublic(mediaId: number): Promise<void> {
    await db.updateTable('media').set({ public: 1 }).where('id', '=', mediaId).execute();
  }

  return {
    upload,
    setPoster,
    streamUrl,
    verifyStream,
    makePublic,
    load,
    open,
    requireOwnUpload,
    deleteIfUnreferenced,
    present: presentMedia,
    maxBytesFor,
    /** Adds a check (it does not replace earlier ones; the name predates a second sharing module). */
    addReferenceCheck(inUse: (mediaId: number) => Promise<boolean>) {
      referenceChecks.push(inUse);
    },
    setAccessCheck(check: (accountId: number, mediaId: number) => Promise<boolean>) {
      accessChecks.push(check);
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
