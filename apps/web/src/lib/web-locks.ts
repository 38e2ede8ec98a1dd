/**
 * The part of the Web Locks API (`navigator.locks`) this app uses: exclusive locks by name, granted one at a time in
 * request order across the browser's tabs, released when the callback's promise settles or the tab closes.
 * Injectable, so tests in Node (which has no `navigator.locks`) can play several tabs.
 */
export interface LockRequester {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The browser's Web Locks, or undefined where there are none (old browsers, Node). */
export function browserLocks(): LockRequester | undefined {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : undefined;
}
