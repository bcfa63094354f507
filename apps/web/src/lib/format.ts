import type { Account, Contact, Message } from '@plaza/client';
import type { TFunction } from 'i18next';

const DAY_MS = 86_400_000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

function hhmm(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** "09:41", "Yesterday", "Mon", then dates: what the chat list shows. */
export function relativeTime(iso: string | null | undefined, t: TFunction, lang: string, now = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  if (days <= 0) return hhmm(date);
  if (days === 1) return t('Yesterday');
  if (days < 7) return date.toLocaleDateString(lang, { weekday: 'short' });
  if (date.getFullYear() === now.getFullYear()) return date.toLocaleDateString(lang, { month: 'numeric', day: 'numeric' });
  return date.toLocaleDateString(lang, { year: 'numeric', month: 'numeric', day: 'numeric' });
}

/** Timestamp line inside a chat: time today, otherwise day + time. */
export function chatTimestamp(iso: string, t: TFunction, lang: string, now = new Date()): string {
  const date = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  if (days <= 0) return hhmm(date);
  return `${relativeTime(iso, t, lang, now)} ${hhmm(date)}`;
}

export function messagePreview(message: Message, t: TFunction): string {
  if (message.recalled || message.type === 'recalled') return t('[Recalled]');
  switch (message.type) {
    case 'text':
      return message.content?.text ?? message.text ?? '';
    case 'image':
      return t('[Photo]');
    case 'voice':
      return t('[Voice]');
    case 'video':
      return t('[Video]');
    case 'file':
      return `${t('[File]')} ${message.content?.media?.fileName ?? ''}`.trim();
    case 'location':
      return `${t('[Location]')} ${message.content?.name ?? ''}`.trim();
    case 'contact_card':
      return `${t('[Contact Card]')} ${message.content?.account?.displayName ?? ''}`.trim();
    case 'chat_history':
      return `${t('[Chat History]')} ${message.content?.title ?? ''}`.trim();
    case 'system':
      return message.content?.text ?? message.text ?? '';
    // Wallet cards (a module type the shared client type does not list).
    case 'red_packet' as Message['type']:
      return `${t('[Red Packet]')} ${(message.content as { greeting?: string } | undefined)?.greeting ?? ''}`.trim();
    case 'transfer' as Message['type']:
      return t('[Transfer]');
    default:
      return `[${message.type}]`;
  }
}

export function displayName(account: Account | null | undefined, contacts?: Contact[]): string {
  if (!account) return '';
  const contact = contacts?.find((c) => c.account.id === account.id);
  return contact?.remark || account.displayName || account.handle;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

// The first Chinese character (in pinyin order) of each initial letter; no pinyin starts with
// I, U or V. With the pinyin collation a name falls under the last boundary not after it.
const PINYIN_LETTERS = 'ABCDEFGHJKLMNOPQRSTWXYZ';
const PINYIN_BOUNDARIES = '阿八嚓哒妸发旮哈讥咔垃痳拏噢妑七呥扨它穵夕丫帀';
const pinyinCollator = new Intl.Collator('zh-Hans-u-co-pinyin');

/** Letter for the A–Z index: Latin initials as they are, Chinese by pinyin, others under '#'. */
export function indexLetter(name: string): string {
  const first = name.trim().charAt(0);
  const upper = first.toUpperCase();
  if (/[A-Z]/.test(upper)) return upper;
  if (/[\u4e00-\u9fff]/.test(first)) {
    for (let i = PINYIN_BOUNDARIES.length - 1; i >= 0; i -= 1) {
      if (pinyinCollator.compare(first, PINYIN_BOUNDARIES.charAt(i)) >= 0) return PINYIN_LETTERS.charAt(i);
    }
  }
  return '#';
}
