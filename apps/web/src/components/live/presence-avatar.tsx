'use client';

import { Avatar } from '@/components/avatar/avatar';
import { usePresence } from './use-live';

/**
 * The avatar with a presence dot when `presenceUserId` (the other person of a direct conversation) is online.
 * Groups pass null: no dot.
 */
export function PresenceAvatar({
  id,
  name,
  size,
  presenceUserId,
  url = null,
}: {
  id: string;
  name: string;
  size?: number;
  presenceUserId: string | null;
  /** Picture path (see Avatar), or null for initials. */
  url?: string | null;
}) {
  const online = usePresence((s) =>
    presenceUserId ? (s.byUserId[presenceUserId]?.online ?? false) : false,
  );
  return (
    <span className="presence-avatar" data-online={online ? 'true' : 'false'}>
      <Avatar id={id} name={name} url={url} {...(size !== undefined ? { size } : {})} />
      {online ? (
        <span className="presence-dot" data-testid="presence-dot" role="img" aria-label="online" />
      ) : null}
    </span>
  );
}
