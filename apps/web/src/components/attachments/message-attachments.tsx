'use client';

import { useRef, useState } from 'react';
import { closeAndFocus } from '@/lib/focus';
import type { Attachment } from '@chat/shared';
import { formatBytes, mediaUrl } from '@/lib/media';
import { useChat } from '@/components/providers/chat-provider';
import { Lightbox } from './lightbox';

/** Longest edge of an inline image in the grid, px (the thumbnail is LIMITS.THUMBNAIL_SIZE; this shows it crisp). */
const INLINE_MAX = 240;

/**
 * A message's files: images as a grid of thumbnails whose boxes are sized from the stored width and height before
 * anything loads (CSS aspect-ratio, so the list never jumps), opening full size in a Lightbox; other files as cards
 * with name, size and a download link (the API answers those with `Content-Disposition: attachment`).
 */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const { api } = useChat();
  const [open, setOpen] = useState<number | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const images = attachments.filter((a) => a.kind === 'image' && a.thumbnailUrl);
  const files = attachments.filter((a) => !(a.kind === 'image' && a.thumbnailUrl));
  return (
    <div className="attachments">
      {images.length > 0 ? (
        <div className={`attachment-grid count-${Math.min(images.length, 4)}`}>
          {images.map((image, index) => {
            const width = image.width ?? INLINE_MAX;
            const height = image.height ?? INLINE_MAX;
            const scale = Math.min(1, INLINE_MAX / Math.max(width, height));
            return (
              <button
                key={image.id}
                type="button"
                className="attachment-thumb"
                style={{
                  aspectRatio: `${width} / ${height}`,
                  width: images.length === 1 ? Math.round(width * scale) : undefined,
                }}
                onClick={(e) => {
                  opener.current = e.currentTarget;
                  setOpen(index);
                }}
                aria-label={`Open image ${image.name}`}
                data-testid="attachment-image"
              >
                {/* eslint-disable-next-line @next/next/no-img-element -- authenticated API file (media cookie) */}
                <img
                  src={mediaUrl(api.baseUrl, image.thumbnailUrl ?? image.url)}
                  alt={image.name}
                  loading="lazy"
                  width={width}
                  height={height}
                />
              </button>
            );
          })}
        </div>
      ) : null}
      {files.map((file) => (
        <div key={file.id} className="attachment-card" data-testid="attachment-file">
          <span className="attachment-icon" aria-hidden="true">
            {(file.name.split('.').pop() ?? 'file').slice(0, 4).toUpperCase()}
          </span>
          <span className="attachment-info">
            <span className="attachment-name" title={file.name}>
              {file.name}
            </span>
            <span className="attachment-size">{formatBytes(file.size)}</span>
          </span>
          <a
            className="button subtle small"
            href={mediaUrl(api.baseUrl, file.url)}
            download={file.name}
            data-testid="attachment-download"
          >
            Download
          </a>
        </div>
      ))}
      {open !== null ? (
        <Lightbox
          images={images}
          index={open}
          onIndex={setOpen}
          onClose={() => closeAndFocus(() => setOpen(null), opener)}
        />
      ) : null}
    </div>
  );
}
