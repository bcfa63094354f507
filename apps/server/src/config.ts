import path from 'node:path';

/** Everything the server reads from the environment, with defaults that need nothing installed. */
export interface Config {
  port: number;
  host: string;
  /** Server processes sharing the port (Node runs JavaScript on one core per process). */
  workers: number;
  /** Where SQLite and local media live when no external store is configured. */
  dataDir: string;
  /** postgres://… selects PostgreSQL; empty means embedded SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** nats://… joins several nodes; empty means the in-process bus. */
  busUrl: string | undefined;
  /** Name of this node in logs and bus messages. */
  nodeId: string;
  logLevel: string;
  media: {
    maxFileBytes: number;
    maxImageBytes: number;
    maxVideoBytes: number;
    maxVoiceBytes: number;
    /** Longest video accepted, read from the file itself (Moments and Channels allow 1 minute). */
    maxVideoDurationMs: number;
    s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string } | undefined;
  };
  /** Directory of the built web client; served at / when present. */
  webDir: string;
  /** When true, argon2 uses cheap parameters (tests only; never in production). */
  fastPasswordHashing: boolean;
  channels: {
    /** Followers a channel needs before it may apply for creator verification. */
    verifyMinFollowers: number;
  };
  operators: {
    /** Handles (case-insensitive) that are operators whenever they exist. */
    handles: string[];
    /** The first account registered on an instance without operators becomes its operator. */
    firstAccount: boolean;
  };
}

/** A non-negative integer setting from the environment; an unset or empty one is `fallback`, a bad one fails the start. */
export function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const MiB = 1024 * 1024;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const s3Bucket = env.MEDIA_S3_BUCKET;
  return {
    port: intFromEnv(env, 'PORT', 8080),
    workers: Math.max(1, intFromEnv(env, 'WORKERS', 1)),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    busUrl: env.BUS_URL || undefined,
    nodeId: env.NODE_ID || `node-${process.pid}`,
    logLevel: env.LOG_LEVEL || 'info',
    media: {
      maxFileBytes: intFromEnv(env, 'MEDIA_MAX_FILE_BYTES', 100 * MiB),
      maxImageBytes: intFromEnv(env, 'MEDIA_MAX_IMAGE_BYTES', 20 * MiB),
      maxVideoBytes: intFromEnv(env, 'MEDIA_MAX_VIDEO_BYTES', 200 * MiB),
      maxVoiceBytes: intFromEnv(env, 'MEDIA_MAX_VOICE_BYTES', 2 * MiB),
      maxVideoDurationMs: intFromEnv(env, 'MEDIA_MAX_VIDEO_DURATION_MS', 60_000),
      s3: s3Bucket
        ? {
            endpoint: env.MEDIA_S3_ENDPOINT || '',
            bucket: s3Bucket,
            region: env.MEDIA_S3_REGION || 'us-east-1',
            accessKeyId: env.MEDIA_S3_ACCESS_KEY_ID || '',
            secretAccessKey: env.MEDIA_S3_SECRET_ACCESS_KEY || '',
          }
        : undefined,
    },
    webDir: path.resolve(env.WEB_DIR || path.join(import.meta.dirname, '../../web/dist')),
    fastPasswordHashing: env.PLAZA_FAST_PASSWORD_HASHING === '1',
    channels: {
      verifyMinFollowers: intFromEnv(env, 'CHANNELS_VERIFY_MIN_FOLLOWERS', 1000),
    },
    operators: {
      handles: (env.OPERATOR_HANDLES || '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      firstAccount: env.OPERATOR_FIRST_ACCOUNT !== '0',
    },
  };
}
