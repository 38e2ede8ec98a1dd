import { describe, expect, it } from '@jest/globals';
import { blockedWith, lastSeenVisible } from './live-audience.js';

describe('live audience rules', () => {
  it('a block hides both ways: blockedWith names the other side whoever blocked', () => {
    const at = new Date(0);
    const blocks = [
      { blockerId: 'a', blockedId: 'b', createdAt: at },
      { blockerId: 'c', blockedId: 'a', createdAt: at },
      { blockerId: 'c', blockedId: 'd', createdAt: at },
    ];
    expect([...blockedWith('a', blocks)].sort()).toEqual(['b', 'c']);
    expect([...blockedWith('d', blocks)]).toEqual(['c']);
    expect([...blockedWith('e', blocks)]).toEqual([]);
  });

  it('last seen shows only when neither side chose "nobody" (symmetric)', () => {
    const contacts = { lastSeenVisibility: 'contacts' as const };
    const nobody = { lastSeenVisibility: 'nobody' as const };
    expect(lastSeenVisible(contacts, contacts)).toBe(true);
    expect(lastSeenVisible(nobody, contacts)).toBe(false);
    expect(lastSeenVisible(contacts, nobody)).toBe(false);
    expect(lastSeenVisible(nobody, nobody)).toBe(false);
  });
});
