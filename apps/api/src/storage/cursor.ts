/**
 * Opaque keyset cursors shared by every adapter: base64url-encoded JSON of the last item's sort key.
 * Callers must treat them as opaque strings; only the adapter that issued one reads it back.
 *
 * Why keyset and not offset: a page boundary stays correct while rows are inserted before it, and each page
 * costs an index seek instead of skipping `offset` rows (see "We need tool support for keyset pagination",
 * Markus Winand, use-the-index-luke.com/no-offset).
 */
import { InvalidCursorError } from './storage.errors.js';

/** Longest cursor accepted, in characters: far above any key we issue, small enough to refuse junk cheaply. */
const MAX_CURSOR_LENGTH = 512;

/** Encodes a flat sort key (strings and numbers) as an opaque cursor string. */
export function encodeCursor(key: Readonly<Record<string, string | number>>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back into its sort key.
 * @param guard checks the decoded JSON has the expected shape.
 * @throws InvalidCursorError when the string is not one this storage issued for that shape.
 */
export function decodeCursor<T>(cursor: string, guard: (value: unknown) => value is T): T {
  if (
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(cursor)
  ) {
    throw new InvalidCursorError('not a base64url string of acceptable length');
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not JSON');
  }
  if (!guard(value)) throw new InvalidCursorError('unexpected shape');
  return value;
}

/** True for a plain object whose listed keys all hold strings. */
export function hasStringFields<K extends string>(
  value: unknown,
  keys: readonly K[],
): value is Record<K, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return keys.every((key) => typeof record[key] === 'string');
}
