import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawRandomShare, splitAll } from './split.js';

describe('red packet split', () => {
  it('always sums exactly to the total with every share at least one minor unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.constantFrom('random' as const, 'equal' as const),
        fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
        (count, extra, mode, stream) => {
          const total = count + extra;
          const iterator = stream[Symbol.iterator]();
          const shares = splitAll(mode, total, count, () => iterator.next().value as number);
          expect(shares).toHaveLength(count);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
          expect(shares.every((s) => Number.isSafeInteger(s) && s >= 1)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps every draw within [1, 2 × remaining / count] and leaves a unit for each share to come', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 100 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (count, extra, r) => {
          const remaining = count + extra;
          const share = drawRandomShare(remaining, count, () => r);
          expect(share).toBeGreaterThanOrEqual(1);
          expect(share).toBeLessThanOrEqual(Math.floor((2 * remaining) / count));
          expect(remaining - share).toBeGreaterThanOrEqual(count - 1);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('gives each position a mean share of total / count over many draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 100, max: 100_000 }), (count, perShare) => {
        const total = count * perShare;
        const draws = 4000;
        const sums = new Array<number>(count).fill(0);
        for (let i = 0; i < draws; i += 1) {
          for (const [position, s] of splitAll('random', total, count).entries()) sums[position] = (sums[position] ?? 0) + s;
        }
        const expected = total / count;
        for (const sum of sums) expect(Math.abs(sum / draws - expected) / expected).toBeLessThan(0.08);
      }),
      { numRuns: 15 },
    );
  });
});
