'use client';

import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';

/** The six reactions offered in the menu's first row (the set WhatsApp and Messenger offer, in their order). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** One command of the menu. */
export interface ActionItem {
  id: string;
  label: string;
  /** Styled as destructive (Delete). */
  danger?: boolean;
  run: () => void;
}

/** Where the menu opens: next to a trigger's rectangle (viewport coordinates). */
export interface MenuAnchor {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Room kept between the menu and the viewport's edges (px). */
const EDGE_PX = 8;

/**
 * The message action menu, WAI-ARIA APG "Menu Button" pattern: `role="menu"` with `menuitem`s, the first one
 * focused on opening; Up/Down (and Left/Right in the reaction row) move, wrapping, Home/End jump; Enter or Space runs
 * an item; Escape closes and the caller puts focus back where the menu was opened from; Tab or a click outside
 * closes. Rendered in a portal with fixed coordinates (the virtualised rows are transformed, which would turn
 * `position: fixed` inside them into absolute) and kept inside the viewport; on a narrow screen the stylesheet
 * turns it into a sheet along the bottom edge.
 * @param onReact a quick reaction was chosen; @param onMoreReactions "More reactions" (the full picker)
 * @param onClose told why it closed: `escape` (return focus), `item`, `outside`, `tab`
 */
export function ActionMenu({
  anchor,
  items,
  onReact,
  onMoreReactions,
  myReactions,
  onClose,
  label = 'Message actions',
}: {
  anchor: MenuAnchor;
  items: ActionItem[];
  onReact: ((emoji: string) => void) | null;
  onMoreReactions: (() => void) | null;
  /** Emoji the person already reacted with: their quick buttons are shown pressed (choosing one removes it). */
  myReactions: readonly string[];
  onClose: (reason: 'escape' | 'item' | 'outside' | 'tab') => void;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);

  // Placed below the anchor, or above it when there is no room, and kept inside the viewport; written to the element
  // before the first paint (no hidden first frame, which could not take focus), then the first item takes focus.
  // On a narrow screen the stylesheet overrides the coordinates with a bottom sheet.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    let top = anchor.bottom + 4;
    if (top + height > vh - EDGE_PX) top = Math.max(EDGE_PX, anchor.top - height - 4);
    // Hanging from the anchor's left edge into the conversation, or from its right edge when that would overflow.
    let left = anchor.left;
    if (left + width > vw - EDGE_PX) left = anchor.right - width;
    el.style.top = `${top}px`;
    el.style.left = `${Math.max(EDGE_PX, left)}px`;
    el.querySelector<HTMLElement>('[role="menuitem"], [role="menuitemcheckbox"]')?.focus();
  }, [anchor]);

  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose('outside');
    };
    // Scrolling the history moves the message away from the menu: close it rather than leave it floating.
    const onScroll = (event: Event) => {
      if (!ref.current?.contains(event.target as Node)) onClose('outside');
    };
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onScroll);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onScroll);
    };
  }, [onClose]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const all = [
      ...(ref.current?.querySelectorAll<HTMLElement>(
        '[role="menuitem"], [role="menuitemcheckbox"]',
      ) ?? []),
    ];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        move(at + 1);
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
        move(at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(all.length - 1);
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        onClose('escape');
        break;
      case 'Tab':
        event.preventDefault();
        onClose('tab');
        break;
      default:
    }
  }

  const run = (action: () => void) => {
    onClose('item');
    action();
  };

  return createPortal(
    <div
      ref={ref}
      className="action-menu"
      role="menu"
      aria-label={label}
      data-testid="message-menu"
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        // Focus moved elsewhere on the page without a pointer or Tab (a shortcut such as Ctrl+K, a script): the
        // menu closes rather than stay floating over whatever has the focus now. Focus leaving the window does not.
        const next = event.relatedTarget;
        if (next instanceof Node && !event.currentTarget.contains(next)) onClose('outside');
      }}
    >
      {onReact ? (
        <div className="action-menu-reactions" role="group" aria-label="React">
          {QUICK_REACTIONS.map((emoji) => {
            const mine = myReactions.includes(emoji);
            return (
              <button
                key={emoji}
                type="button"
                role="menuitemcheckbox"
                aria-checked={mine}
                aria-label={`React with ${emoji}`}
                className={`action-menu-emoji${mine ? ' mine' : ''}`}
                tabIndex={-1}
                onClick={() => run(() => onReact(emoji))}
              >
                {emoji}
              </button>
            );
          })}
          {onMoreReactions ? (
            <button
              type="button"
              role="menuitem"
              aria-label="More reactions"
              title="More reactions"
              className="action-menu-emoji more"
              tabIndex={-1}
              onClick={() => run(onMoreReactions)}
            >
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path d="M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z" fill="currentColor" />
              </svg>
            </button>
          ) : null}
        </div>
      ) : null}
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          className={`action-menu-item${item.danger ? ' danger' : ''}`}
          tabIndex={-1}
          onClick={() => run(item.run)}
        >
          {item.label}
        </button>
      ))}
    </div>,
    document.body,
  );
}
