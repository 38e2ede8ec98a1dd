'use client';

import { useState, type CSSProperties } from 'react';
import { hueFromId, initials } from '@/lib/format';
import { mediaUrl } from '@/lib/media';
import { useChat } from '@/components/providers/chat-provider';

/**
 * A person's or group's picture when `url` is set (an API path, loaded with the media cookie; the small rendition
 * for sizes up to 64 px), else the initials placeholder: up to two letters on a colour derived from `id` (stable
 * across devices). A picture that fails to load falls back to the initials. Decorative (`aria-hidden`): the name
 * is always written next to it.
 */
export function Avatar({
  id,
  name,
  size = 40,
  url = null,
}: {
  id: string;
  name: string;
  size?: number;
  url?: string | null;
}) {
  const { api } = useChat();
  const [failed, setFailed] = useState<string | null>(null);
  const style = { '--avatar-hue': hueFromId(id), '--avatar-size': `${size}px` } as CSSProperties;
  if (url && failed !== url) {
    return (
      <span className="avatar has-image" style={style} aria-hidden="true">
        {/* A plain <img>: the file needs the API's media cookie, which Next's image optimiser would not send. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={mediaUrl(api.baseUrl, url, size)}
          alt=""
          width={size}
          height={size}
          data-testid="avatar-image"
          onError={() => setFailed(url)}
        />
      </span>
    );
  }
  return (
    <span className="avatar" style={style} aria-hidden="true" data-initials={initials(name)} />
  );
}
