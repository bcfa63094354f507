import { createHash } from 'node:crypto';

/**
 * The arithmetic of A/B tests, in the open like the ranking: which variant a member sees, and
 * how sure a difference between two variants is.
 */

/**
 * The variant a member sees: the first 32 bits of SHA-256("<experimentId>:<memberId>") modulo
 * the number of variants. The same member always sees the same variant of one test, on every
 * node and after restarts; different tests split the audience independently.
 */
export function variantIndex(experimentId: number, memberId: number, variantCount: number): number {
  const digest = createHash('sha256').update(`${experimentId}:${memberId}`).digest();
  return digest.readUInt32BE(0) % variantCount;
}

/** erf(x) by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), enough for a p-value. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-a * a));
}

export interface ZTest {
  z: number;
  /** Two-sided: the chance of a difference at least this large if both variants were the same. */
  pValue: number;
}

/**
 * Two-proportion z-test with the pooled proportion: z = (p2 − p1) / √(p(1 − p)(1/n1 + 1/n2)),
 * p = (x1 + x2) / (n1 + n2). Null when it is undefined (an empty variant, or all or none succeeded).
 */
export function twoProportionZTest(successes1: number, trials1: number, successes2: number, trials2: number): ZTest | null {
  if (trials1 <= 0 || trials2 <= 0) return null;
  const pooled = (successes1 + successes2) / (trials1 + trials2);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / trials1 + 1 / trials2));
  if (standardError === 0) return null;
  const z = (successes2 / trials2 - successes1 / trials1) / standardError;
  const pValue = Math.min(1, Math.max(0, 1 - erf(Math.abs(z) / Math.SQRT2)));
  return { z, pValue };
}
