'use client';

import { useEffect, useRef } from 'react';
import EmojiPicker, { type EmojiClickData } from 'emoji-picker-react';
import { keepTabInside } from '@/lib/focus';

/**
 * The full emoji picker for a reaction, in a modal <dialog> (focus trapped, Escape closes). Loaded only when first
 * opened (this module is imported lazily): emoji-picker-react bundles its emoji data (nothing fetched from a CDN)
 * and shows native emoji.
 */
export function ReactionPickerDialog({
  onPick,
  onClose,
}: {
  onPick: (emoji: string) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="modal reaction-picker-dialog"
      aria-label="Choose a reaction"
      data-testid="emoji-picker"
      onClose={onClose}
      onKeyDown={keepTabInside}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <EmojiPicker
        emojiStyle="native"
        theme="auto"
        lazyLoadEmojis
        autoFocusSearch
        previewConfig={{ showPreview: false }}
        width="min(352px, calc(100vw - 24px))"
        height={400}
        onEmojiClick={(data: EmojiClickData) => {
          onPick(data.emoji);
          onClose();
        }}
      />
    </dialog>
  );
}
