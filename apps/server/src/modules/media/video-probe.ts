/**
 * Reads a video's duration and frame size from its container, without decoding it: the `mvhd`
 * and `tkhd` boxes of MP4/QuickTime, and the Segment Info, Tracks and block timecodes of
 * WebM/Matroska. No decoder runs on the server (none ships in a registry package without a
 * download step), so a poster frame comes from the uploader's browser instead.
 */
export interface VideoProbe {
  container: 'mp4' | 'webm';
  durationMs: number;
  width: number | null;
  height: number | null;
}

/** Bounds every walk: a hostile file cannot make the probe loop for long. */
const MAX_ELEMENTS = 200_000;

export function probeVideo(data: Buffer): VideoProbe | null {
  // Old QuickTime files may open with another top-level atom instead of `ftyp`.
  if (data.length >= 12 && ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(data.toString('latin1', 4, 8))) return probeMp4(data);
  if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return probeMatroska(data);
  return null;
}

// MP4 / QuickTime ---------------------------------------------------------------------------------

interface Box {
  type: string;
  start: number; // first byte of the content
  end: number; // one past the last byte
}

function* boxes(data: Buffer, from: number, to: number): Generator<Box> {
  let offset = from;
  for (let i = 0; i < MAX_ELEMENTS && offset + 8 <= to; i += 1) {
    let size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > to) return;
      const large = data.readBigUInt64BE(offset + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) return;
      size = Number(large);
      header = 16;
    } else if (size === 0) {
      size = to - offset;
    }
    if (size < header || offset + size > to) return;
    yield { type, start: offset + header, end: offset + size };
    offset += size;
  }
}

function child(data: Buffer, parent: Box, type: string): Box | undefined {
  for (const box of boxes(data, parent.start, parent.end)) if (box.type === type) return box;
  return undefined;
}

function probeMp4(data: Buffer): VideoProbe | null {
  let moov: Box | undefined;
  for (const box of boxes(data, 0, data.length)) if (box.type === 'moov') moov = box;
  if (!moov) return null;
  const mvhd = child(data, moov, 'mvhd');
  if (!mvhd || mvhd.end - mvhd.start < 32) return null;
  const version = data[mvhd.start];
  const timescale = version === 1 ? data.readUInt32BE(mvhd.start + 20) : data.readUInt32BE(mvhd.start + 12);
  const duration = version === 1 ? Number(data.readBigUInt64BE(mvhd.start + 24)) : data.readUInt32BE(mvhd.start + 16);
  if (timescale === 0 || !Number.isFinite(duration)) return null;
  let width: number | null = null;
  let height: number | null = null;
  for (const trak of boxes(data, moov.start, moov.end)) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(data, trak, 'tkhd');
    if (!tkhd) continue;
    // Width and height are the last two 16.16 fixed-point fields of the box.
    if (tkhd.end - tkhd.start < 84) continue;
    const w = Math.round(data.readUInt32BE(tkhd.end - 8) / 65536);
    const h = Math.round(data.readUInt32BE(tkhd.end - 4) / 65536);
    if (w > 0 && h > 0 && w * h > (width ?? 0) * (height ?? 0)) {
      width = w;
      height = h;
    }
  }
  return { container: 'mp4', durationMs: Math.round((duration * 1000) / timescale), width, height };
}

// WebM / Matroska ----------------------------------------------------------------------------------

const EBML = {
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  cluster: 0x1f43b675,
  clusterTimecode: 0xe7,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
  blockDuration: 0x9b,
} as const;

/** Masters are read into (their children follow in line); every other element is skipped by size. */
const MASTERS = new Set<number>([EBML.segment, EBML.info, EBML.tracks, EBML.trackEntry, EBML.video, EBML.cluster, EBML.blockGroup]);

/** A variable-length integer: its length from the leading zeros of the first byte. */
function readVint(data: Buffer, offset: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } | null {
  if (offset >= data.length) return null;
  const first = data[offset] as number;
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length += 1;
  if (length > 8 || offset + length > data.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = data[offset + i] as number;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

function readUint(data: Buffer, start: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i += 1) value = value * 256 + (data[start + i] as number);
  return value;
}

function probeMatroska(data: Buffer): VideoProbe | null {
  let timecodeScale = 1_000_000; // nanoseconds per tick, Matroska's default
  let declared: number | null = null;
  let width: number | null = null;
  let height: number | null = null;
  let clusterTime = 0;
  let lastBlockEnd = -1;
  let sawSegment = false;
  let pendingBlockStart: number | null = null;
  let offset = 0;
  for (let i = 0; i < MAX_ELEMENTS && offset < data.length; i += 1) {
    const id = readVint(data, offset, true);
    if (!id) break;
    const size = readVint(data, offset + id.length, false);
    if (!size) break;
    const start = offset + id.length + size.length;
    if (id.value === EBML.segment) sawSegment = true;
    if (MASTERS.has(id.value)) {
      offset = start;
      continue;
    }
    if (size.unknown) break;
    const end = start + size.value;
    if (end > data.length) break;
    switch (id.value) {
      case EBML.timecodeScale:
        timecodeScale = readUint(data, start, size.value) || timecodeScale;
        break;
      case EBML.duration:
        declared = size.value === 4 ? data.readFloatBE(start) : size.value === 8 ? data.readDoubleBE(start) : null;
        break;
      case EBML.pixelWidth:
        width = readUint(data, start, size.value);
        break;
      case EBML.pixelHeight:
        height = readUint(data, start, size.value);
        break;
      case EBML.clusterTimecode:
        clusterTime = readUint(data, start, size.value);
        break;
      case EBML.simpleBlock:
      case EBML.block: {
        // Track number (a vint), then the block's signed 16-bit time relative to its cluster.
        const track = readVint(data, start, false);
        if (track && start + track.length + 2 <= end) {
          const at = clusterTime + data.readInt16BE(start + track.length);
          pendingBlockStart = at;
          lastBlockEnd = Math.max(lastBlockEnd, at);
        }
        break;
      }
      case EBML.blockDuration:
        if (pendingBlockStart !== null) lastBlockEnd = Math.max(lastBlockEnd, pendingBlockStart + readUint(data, start, size.value));
        break;
    }
    offset = end;
  }
  if (!sawSegment) return null;
  const ticks = declared !== null && Number.isFinite(declared) && declared > 0 ? declared : lastBlockEnd >= 0 ? lastBlockEnd : null;
  if (ticks === null) return null;
  return { container: 'webm', durationMs: Math.round((ticks * timecodeScale) / 1_000_000), width, height };
}
