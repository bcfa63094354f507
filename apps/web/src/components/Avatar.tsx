import type { Account } from '@plaza/client';
import { useMediaUrl } from '../lib/media';

const PALETTE = ['#0f9d6b', '#2f80ed', '#f2994a', '#9b51e0', '#eb5757', '#219ebc', '#6d6875', '#e76f51'];

function colourFor(seed: string): string {
  let hash = 0;
  for (const ch of seed) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length] ?? PALETTE[0] ?? '#0f9d6b';
}

export function Avatar({
  account,
  name,
  url,
  size = 44,
}: {
  account?: Pick<Account, 'id' | 'displayName' | 'handle' | 'avatarUrl'> | null;
  name?: string;
  url?: string | null;
  size?: number;
}) {
  const label = name ?? account?.displayName ?? account?.handle ?? '?';
  const src = useMediaUrl(url ?? account?.avatarUrl ?? null);
  const style = { width: size, height: size, borderRadius: Math.round(size / 8), fontSize: Math.round(size * 0.42) };
  if (src) return <img className="avatar" src={src} alt="" style={style} />;
  return (
    <span className="avatar avatar-initial" style={{ ...style, background: colourFor(account?.id ?? label) }} aria-hidden="true">
      {Array.from(label.trim())[0]?.toUpperCase() ?? '?'}
    </span>
  );
}

/** A group avatar: up to nine member avatars in a grid, as members know from other messengers. */
export function GroupAvatar({ members, title, size = 44 }: { members: Account[]; title: string; size?: number }) {
  const shown = members.slice(0, 9);
  if (shown.length === 0) return <Avatar name={title || '#'} size={size} />;
  const columns = shown.length <= 1 ? 1 : shown.length <= 4 ? 2 : 3;
  const gap = 2;
  const cell = Math.floor((size - 4 - gap * (columns - 1)) / columns);
  return (
    <span
      className="group-avatar"
      style={{ width: size, height: size, borderRadius: Math.round(size / 8), gridTemplateColumns: `repeat(${columns}, ${cell}px)`, gap }}
      aria-hidden="true"
    >
      {shown.map((m) => (
        <Avatar key={m.id} account={m} size={cell} />
      ))}
    </span>
  );
}
