import { fail } from './errors.js';

/** Ids travel as decimal strings; inputs may be strings or integers. */
export function parseId(value: unknown, what = 'id'): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) fail('VALIDATION_FAILED', `${what} must be a positive integer id`);
  return n;
}

export function idString(id: number): string {
  return String(id);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The start of a UTC calendar day (YYYY-MM-DD), or undefined; Date.parse alone takes 31 February as 3 March. */
export function parseDay(value: string): number | undefined {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return undefined;
  return ms;
}
