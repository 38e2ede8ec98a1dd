import type { CSSProperties } from 'react';
import { hueFromId, initials } from '@/lib/format';

/**
 * The initials placeholder avatar: up to two letters on a colour derived from `id` (stable across devices).
 * Decorative (`aria-hidden`): the name is always written next to it.
 */
export function Avatar({ id, name, size = 40 }: { id: string; name: string; size?: number }) {
  const style = { '--avatar-hue': hueFromId(id), '--avatar-size': `${size}px` } as CSSProperties;
  return (
    <span className="avatar" style={style} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
