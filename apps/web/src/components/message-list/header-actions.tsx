'use client';

import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

/**
 * The conversation header's secondary actions (block, report, the notification level), passed as `children`. On a
 * wide screen they sit in the header's row. On a narrow one (720 px or less; the CSS decides, so there is one set
 * of controls, never two) the row keeps the title, and the actions move behind a "Conversation options" button
 * that discloses them as a panel under the header: the disclosure pattern of the WAI-ARIA Authoring Practices
 * (`aria-expanded`, `aria-controls`; the panel follows the button in tab order). Escape (on the button or in the
 * panel), a press outside, or the focus moving on past the panel closes it; Escape gives the focus back to the
 * button. A dialog opened from the panel (the block confirmation, the report form) keeps it open underneath, so the
 * focus comes back to the action that opened it; the panel handles none of the dialog's keys. `children` may be a
 * function given `done`, for an action to call once it has finished: the panel then closes and the focus returns
 * to its button (on a wide screen, where there is no panel, nothing happens).
 */
export function HeaderActions({
  children,
}: {
  children: ReactNode | ((done: () => void) => ReactNode);
}) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (!isOutside(event.target)) return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', closeOutside);
    return () => document.removeEventListener('pointerdown', closeOutside);
  }, [open]);

  /** Outside the button and the panel, and not in a dialog opened from it. */
  function isOutside(target: EventTarget | null): boolean {
    if (!(target instanceof Node)) return true;
    if (panel.current?.contains(target) || button.current?.contains(target)) return false;
    return !(target instanceof Element && target.closest('dialog[open]'));
  }

  function done(): void {
    if (!open) return;
    setOpen(false);
    button.current?.focus();
  }

  function closeOnEscape(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || !open) return;
    if ((event.target as Element).closest('dialog')) return; // the dialog's own Escape
    event.stopPropagation();
    setOpen(false);
    button.current?.focus();
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        className="icon-button pane-more-button"
        aria-label="Conversation options"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={closeOnEscape}
        onBlur={(event) => {
          // Focus leaving for somewhere else than the panel (Shift+Tab back into the header) closes it.
          if (event.relatedTarget && isOutside(event.relatedTarget)) setOpen(false);
        }}
        data-testid="conversation-options"
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <circle cx="12" cy="5" r="2" fill="currentColor" />
          <circle cx="12" cy="12" r="2" fill="currentColor" />
          <circle cx="12" cy="19" r="2" fill="currentColor" />
        </svg>
      </button>
      <div
        ref={panel}
        id={panelId}
        className="pane-actions"
        data-open={open}
        onKeyDown={closeOnEscape}
        onBlur={(event) => {
          // Tab past the last action: the focus moves on, the panel closes behind it.
          if (event.relatedTarget && isOutside(event.relatedTarget)) setOpen(false);
        }}
      >
        {typeof children === 'function' ? children(done) : children}
      </div>
    </>
  );
}
