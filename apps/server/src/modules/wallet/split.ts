/** How a red packet's total is shared out; pure, so property tests can run it millions of times. */

export type Random = () => number;

/**
 * The next share of a "random" packet by the double-mean method: uniform in
 * [1, 2 × remaining / remainingCount] minor units, leaving at least 1 for every share still to
 * come; the last share takes the rest.
 */
export function drawRandomShare(remainingMinor: number, remainingCount: number, random: Random = Math.random): number {
  if (!(Number.isSafeInteger(remainingMinor) && Number.isSafeInteger(remainingCount) && remainingCount >= 1 && remainingMinor >= remainingCount)) {
    throw new Error(`cannot draw from ${remainingMinor} over ${remainingCount} shares`);
  }
  if (remainingCount === 1) return remainingMinor;
  const upper = Math.min(Math.floor((2 * remainingMinor) / remainingCount), remainingMinor - (remainingCount - 1));
  const share = 1 + Math.floor(random() * upper);
  return Math.max(1, Math.min(share, upper));
}

/** The next share of an "equal" packet: the remainder of the division goes to the first shares. */
export function drawEqualShare(remainingMinor: number, remainingCount: number): number {
  if (remainingCount < 1 || remainingMinor < remainingCount) throw new Error(`cannot draw from ${remainingMinor} over ${remainingCount} shares`);
  return Math.ceil(remainingMinor / remainingCount);
}

export function drawShare(mode: 'random' | 'equal' | 'exclusive', remainingMinor: number, remainingCount: number, random: Random = Math.random): number {
  return mode === 'random' ? drawRandomShare(remainingMinor, remainingCount, random) : drawEqualShare(remainingMinor, remainingCount);
}

/** Every share of a packet, in claim order (tests and the benchmark's expectations). */
export function splitAll(mode: 'random' | 'equal' | 'exclusive', totalMinor: number, count: number, random: Random = Math.random): number[] {
  const shares: number[] = [];
  let remaining = totalMinor;
  for (let left = count; left > 0; left -= 1) {
    const share = drawShare(mode, remaining, left, random);
    shares.push(share);
    remaining -= share;
  }
  return shares;
}
