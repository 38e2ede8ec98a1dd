'use client';

import {
  type FocusEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { Icon, MORE_ICON } from '@/components/icons/icon';

/**
 * The conversation header's secondary actions (block, report, the notification level), passed as `children`. On a
 * wide screen they sit in the header's row. On a narrow one (760 px or less, the phone layout; the CSS decides, so there is one set
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

  /** Closes the panel and gives the focus back to its button (nothing when it is not open). */
  function done(): void {
    if (!open) return;
    setOpen(false);
    button.current?.focus();
  }

  function closeOnEscape(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || !open) return;
    if ((event.target as Element).closest('dialog')) return; // the dialog's own Escape
    event.stopPropagation();
    done();
  }

  /** Focus moving on past the panel, or Shift+Tab from the button back into the header, closes it. */
  function closeWhenFocusLeaves(event: FocusEvent): void {
    if (event.relatedTarget && isOutside(event.relatedTarget)) setOpen(false);
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
        onBlur={closeWhenFocusLeaves}
        data-testid="conversation-options"
      >
        <Icon d={MORE_ICON} size={22} />
      </button>
      <div
        ref={panel}
        id={panelId}
        className="pane-actions"
        data-open={open}
        onKeyDown={closeOnEscape}
        onBlur={closeWhenFocusLeaves}
      >
        {typeof children === 'function' ? children(done) : children}
      </div>
    </>
  );
}
