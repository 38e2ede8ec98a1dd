import { describe, expect, it } from '@jest/globals';
import { validate, version } from 'uuid';
import { uuidv7 } from './uuid-v7.js';

/** Milliseconds since the epoch in a UUIDv7's first 48 bits. */
function timestampOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('makes valid, distinct version-7 UUIDs over many refills of its random pool', () => {
    const ids = Array.from({ length: 5_000 }, () => uuidv7());
    for (const id of ids.slice(0, 50)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // The random tail differs too, not only the counter: the pool is not handing out the same bytes again.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });

  it('sorts ids in the order they were made, also within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => uuidv7());
    // 5,000 ids take a few ms here, so most share their millisecond with others and only the counter orders them.
    expect(new Set(ids.map(timestampOf)).size).toBeLessThan(ids.length / 10);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    // Equal to `after` unless the counter wrapped in this millisecond, which borrows the next one.
    expect(timestampOf(id)).toBeLessThanOrEqual(after + 1);
  });
});
