import { Type } from 'typebox';
import { IdParam } from '@plaza/protocol';
import { type App, member } from '../../http.js';
import { fail } from '../../lib/errors.js';
import { parseId } from '../../lib/ids.js';
import type { ByteRange } from './storage.js';
import type { MediaKind, MediaService } from './service.js';

const KINDS = new Set<MediaKind>(['image', 'voice', 'video', 'file', 'avatar']);

function parseRange(header: string | undefined, size: number): ByteRange | undefined | 'unsatisfiable' {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

export function registerMediaRoutes(app: App, media: MediaService) {
  const tags = ['media'];

  /** multipart/form-data: an optional `kind` field (image, voice, video, file, avatar) and `durationMs`, then `file`. */
  app.post('/api/v1/media', { config: { access: 'member' }, schema: { tags, consumes: ['multipart/form-data'] } }, async (request, reply) => {
    const auth = member(request);
    if (!request.isMultipart()) fail('UNSUPPORTED_MEDIA_TYPE', 'Upload with multipart/form-data.');
    let kind: MediaKind = 'file';
    let durationMs: number | undefined;
    let result: Awaited<ReturnType<MediaService['upload']>> | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'kind') {
          if (!KINDS.has(part.value as MediaKind)) fail('VALIDATION_FAILED', 'kind must be one of image, voice, video, file, avatar.');
          kind = part.value as MediaKind;
        } else if (part.fieldname === 'durationMs') {
          const value = Number(part.value);
          if (!Number.isSafeInteger(value) || value < 0) fail('VALIDATION_FAILED', 'durationMs must be a whole number of milliseconds.');
          durationMs = value;
        }
        continue;
      }
      if (result) fail('VALIDATION_FAILED', 'Upload one file at a time.');
      const limit = media.maxBytesFor(kind);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file) {
        size += chunk.length;
        if (size > limit) fail('MEDIA_TOO_LARGE', `A ${kind} may be at most ${limit} bytes.`);
        chunks.push(chunk);
      }
      if (part.file.truncated) fail('MEDIA_TOO_LARGE');
      result = await media.upload(auth.accountId, { kind, data: Buffer.concat(chunks), fileName: part.filename || 'file', durationMs });
    }
    if (!result) fail('VALIDATION_FAILED', 'No file part in the upload.');
    reply.code(201);
    return { media: result };
  });

  /** multipart/form-data with one image `file`: the video's poster frame, shown before it plays. */
  app.put(
    '/api/v1/media/:id/poster',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Set the poster frame of my video upload', consumes: ['multipart/form-data'], params: Type.Object({ id: IdParam }) },
    },
    async (request) => {
      const auth = member(request);
      if (!request.isMultipart()) fail('UNSUPPORTED_MEDIA_TYPE', 'Upload with multipart/form-data.');
      let image: Buffer | undefined;
      for await (const part of request.parts()) {
        if (part.type === 'field') continue;
        if (image) fail('VALIDATION_FAILED', 'Upload one poster at a time.');
        const limit = media.maxBytesFor('image');
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file) {
          size += chunk.length;
          if (size > limit) fail('MEDIA_TOO_LARGE', `A poster may be at most ${limit} bytes.`);
          chunks.push(chunk);
        }
        image = Buffer.concat(chunks);
      }
      if (!image) fail('VALIDATION_FAILED', 'No file part in the upload.');
      return { media: await media.setPoster(auth.accountId, parseId(request.params.id), image) };
    },
  );

  app.get(
    '/api/v1/media/:id/stream-url',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'A short-lived signed URL to play media by range without a token', params: Type.Object({ id: IdParam }) },
    },
    async (request) => media.streamUrl(member(request).accountId, parseId(request.params.id)),
  );

  const StreamQuery = Type.Object({
    account: Type.String({ pattern: '^[0-9]{1,15}$' }),
    expires: Type.String({ pattern: '^[0-9]{1,15}$' }),
    sig: Type.String({ maxLength: 100 }),
  });
  for (const variant of ['original', 'thumb', 'stream'] as const) {
    const url = variant === 'original' ? '/api/v1/media/:id' : variant === 'thumb' ? '/api/v1/media/:id/thumb' : '/api/v1/media/:id/stream';
    const schema =
      variant === 'stream' ? { tags, params: Type.Object({ id: IdParam }), querystring: StreamQuery } : { tags, params: Type.Object({ id: IdParam }) };
    // The stream variant carries its own proof (a signature) in place of the bearer token.
    app.get(url, { config: { access: variant === 'stream' ? 'public' : 'member' }, schema }, async (request, reply) => {
      const mediaId = parseId(request.params.id);
      let accountId: number;
      if (variant === 'stream') {
        const query = request.query as { account: string; expires: string; sig: string };
        accountId = await media.verifyStream(mediaId, Number(query.account), Number(query.expires), query.sig);
      } else {
        accountId = member(request).accountId;
      }
      const auth = { accountId };
      const row = await media.load(mediaId);
      const range = variant !== 'thumb' ? parseRange(request.headers.range, row.size_bytes) : undefined;
      if (range === 'unsatisfiable') {
        reply.code(416).header('content-range', `bytes */${row.size_bytes}`);
        return { error: { code: 'RANGE_NOT_SATISFIABLE', message: 'The requested range is outside the file.' } };
      }
      const { stream } = await media.open(auth.accountId, mediaId, variant === 'thumb' ? 'thumb' : 'original', range);
      reply
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('accept-ranges', 'bytes')
        .type(variant === 'thumb' ? 'image/webp' : row.mime);
      if (variant !== 'thumb' && row.kind === 'file') reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.file_name)}`);
      if (range) {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${row.size_bytes}`)
          .header('content-length', range.end - range.start + 1);
      } else if (variant !== 'thumb') {
        reply.header('content-length', row.size_bytes);
      }
      return reply.send(stream);
    });
  }
}
