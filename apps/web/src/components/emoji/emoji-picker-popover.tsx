'use client';

import dynamic from 'next/dynamic';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
// Types only: a value import would pull the picker into the page's first load.
import type { EmojiClickData } from 'emoji-picker-react';

/**
 * emoji-picker-react, loaded on first open only: its code and emoji data (bundled in the package, nothing fetched
 * from a CDN; native emoji, so no image sets either) stay out of the chat page's first load.
 */
const EmojiPicker = dynamic(() => import('emoji-picker-react'), {
  ssr: false,
  loading: () => (
    <p className="emoji-loading" role="status">
      Loading emoji…
    </p>
  ),
});

/**
 * A button that opens an emoji picker above it. `onPick` gets the chosen emoji as text. Esc or a click outside
 * closes it and gives focus back to the button; the picker's search field takes focus when it opens.
 */
export function EmojiPickerPopover({
  onPick,
  label = 'Insert emoji',
  disabled = false,
  children,
}: {
  onPick: (emoji: string) => void;
  label?: string;
  disabled?: boolean;
  /** The button's face; a smiley by default. */
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const close = (returnFocus: boolean) => {
      setOpen(false);
      if (returnFocus) button.current?.focus();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        close(true);
      }
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <span className="emoji-popover-anchor">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen((was) => !was)}
      >
        {children ?? (
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5a5.5 5.5 0 0 0 5.1-3.5H6.9a5.5 5.5 0 0 0 5.1 3.5z"
              fill="currentColor"
            />
          </svg>
        )}
      </button>
      {open ? (
        <div
          ref={panel}
          id={panelId}
          className="emoji-popover"
          role="dialog"
          aria-label="Emoji"
          data-testid="emoji-picker"
        >
          <EmojiPicker
            emojiStyle="native"
            theme="auto"
            lazyLoadEmojis
            autoFocusSearch
            previewConfig={{ showPreview: false }}
            width="min(352px, calc(100vw - 24px))"
            height={380}
            onEmojiClick={(data: EmojiClickData) => {
              // Where focus goes next is the caller's choice (the composer takes it back to keep typing).
              setOpen(false);
              onPick(data.emoji);
            }}
          />
        </div>
      ) : null}
    </span>
  );
}
