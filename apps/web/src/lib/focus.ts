import type { KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements of `root` that Tab can reach, in document order (visible ones only). */
export function tabbableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.getClientRects().length > 0 && !el.closest('[inert]'),
  );
}

/**
 * A keydown handler for a modal: Tab on its last reachable control goes to the first and Shift+Tab on the first
 * goes to the last. A modal <dialog> makes the page behind inert, but Chromium still lets Tab leave the page for
 * the browser's own toolbar, which is where the focus would otherwise go after the last control.
 */
export function keepTabInside(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'Tab') return;
  const items = tabbableIn(event.currentTarget);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Applies a state change that closes something (a panel, a dialog, an inline search) at once, then puts the
 * focus on `target`, the control that opened it, so keyboard users continue where they were. `target` may be
 * rendered by that same change (a button that was replaced while the panel was open).
 */
export function closeAndFocus(close: () => void, target: { current: HTMLElement | null }): void {
  flushSync(close);
  target.current?.focus();
}

/**
 * Down and Up arrows through a list of results or conversations (as in Slack's and GitHub's search): Down from
 * `field` (the search or filter input above the list) to the first item, Down and Up from item to item, and Up from
 * the first item back to `field`. Does nothing when the focus is elsewhere, or for Up in the field (the caret keeps
 * it). Tab still walks through everything as before.
 * @param event the keydown on the list or on an element that contains both the field and the list
 * @param field the input above the list, or null when there is none
 * @param items the list's focusable items, in their order on screen
 */
export function moveThroughList(
  event: KeyboardEvent<HTMLElement>,
  field: HTMLElement | null,
  items: readonly HTMLElement[],
): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  // Shift or Alt with an arrow selects text or belongs to the browser; an input method uses arrows to pick a word.
  if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.nativeEvent.isComposing) return;
  const active = document.activeElement;
  const at = items.indexOf(active as HTMLElement);
  const inField = field !== null && active === field;
  if (items.length === 0 || (!inField && at < 0)) return;
  let target: HTMLElement | null | undefined;
  if (event.key === 'ArrowDown') target = inField ? items[0] : items[at + 1];
  else if (!inField) target = at === 0 ? field : items[at - 1];
  if (!target) return;
  event.preventDefault();
  target.focus();
}
