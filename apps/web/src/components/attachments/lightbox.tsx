'use client';

import { useEffect, useRef } from 'react';
import type { Attachment } from '@chat/shared';
import { mediaUrl } from '@/lib/media';
import { keepTabInside } from '@/lib/focus';
import { useChat } from '@/components/providers/chat-provider';

/**
 * Full-size image viewer on the native <dialog> element (showModal gives the focus trap, the inert background
 * and Esc-to-close for free, WAI-ARIA "Dialog (Modal)" pattern). Left/right arrows move between the message's
 * images; the close button gets focus first; focus returns to the opener when it closes.
 */
export function Lightbox({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: Attachment[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
}) {
  const { api } = useChat();
  const ref = useRef<HTMLDialogElement>(null);
  const image = images[index];

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  if (!image) return null;
  const go = (step: number) => onIndex((index + step + images.length) % images.length);
  return (
    <dialog
      ref={ref}
      className="lightbox"
      aria-label={`Image ${index + 1} of ${images.length}: ${image.name}`}
      data-testid="lightbox"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        keepTabInside(e);
        if (e.key === 'ArrowRight' && images.length > 1) go(1);
        if (e.key === 'ArrowLeft' && images.length > 1) go(-1);
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="lightbox-bar">
        <span className="lightbox-name">{image.name}</span>
        <a
          className="button subtle small"
          href={mediaUrl(api.baseUrl, image.url)}
          download={image.name}
        >
          Download
        </a>
        <button type="button" className="button subtle small" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
      {/* eslint-disable-next-line @next/next/no-img-element -- authenticated API file (media cookie) */}
      <img
        className="lightbox-image"
        src={mediaUrl(api.baseUrl, image.url)}
        alt={image.name}
        width={image.width ?? undefined}
        height={image.height ?? undefined}
        data-testid="lightbox-image"
      />
      {images.length > 1 ? (
        <div className="lightbox-nav">
          <button
            type="button"
            className="button subtle small"
            onClick={() => go(-1)}
            aria-label="Previous image"
          >
            ←
          </button>
          <span>
            {index + 1} / {images.length}
          </span>
          <button
            type="button"
            className="button subtle small"
            onClick={() => go(1)}
            aria-label="Next image"
          >
            →
          </button>
        </div>
      ) : null}
    </dialog>
  );
}
