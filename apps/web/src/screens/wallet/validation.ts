/** Checks the client makes before sending, so a typo gets an answer at once; the server checks again. */

/** The Luhn check digit test every payment card number passes. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** "4111111111111111" → "4111 1111 1111 1111" while typing. */
export function groupCardNumber(text: string): string {
  return text
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = '10X98765432';

/** An 18-character PRC resident ID number: 17 digits with a real birth date, then its ISO 7064 check character. */
export function prcIdNumberValid(raw: string): boolean {
  const id = raw.trim().toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day || birth.getTime() > Date.now()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(id[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK_CHARACTERS[sum % 11] === id[17];
}

/** The withdrawal fee the server will charge: basis points of the amount, at least the minimum. */
export function withdrawalFeeMinor(amountMinor: number, basisPoints: number, minimumMinor: number): number {
  return Math.max(minimumMinor, Math.floor((amountMinor * basisPoints) / 10_000));
}
