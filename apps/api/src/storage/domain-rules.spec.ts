import { describe, expect, it } from '@jest/globals';
import { adminSuccessor, compareMembers, directPair, unreadCount } from './domain-rules.js';
import type { MemberRecord } from './storage.types.js';

/** A membership with the given role, joined at `joinedAt` ms, active unless `leftAt` is given. */
function member(
  userId: string,
  role: MemberRecord['role'],
  joinedAt: number,
  leftAt: number | null = null,
): MemberRecord {
  return {
    conversationId: 'c',
    userId,
    role,
    joinedAt: new Date(joinedAt),
    deliveredSeq: 0,
    readSeq: 0,
    leftAt: leftAt === null ? null : new Date(leftAt),
    historyUntilSeq: leftAt === null ? null : 3,
    historyUntilChangeSeq: leftAt === null ? null : 0,
  };
}

describe('directPair', () => {
  it('is the same for both orders and spellings of the pair, lower id first', () => {
    const expected = { low: 'aa11', high: 'bb22', key: 'aa11:bb22' };
    expect(directPair('aa11', 'bb22')).toEqual(expected);
    expect(directPair('BB22', 'aa11')).toEqual(expected);
  });

  it('refuses the same user twice, whatever the spelling', () => {
    expect(() => directPair('Ab12', 'aB12')).toThrow('two different users');
  });
});

describe('adminSuccessor', () => {
  it('picks the longest-standing active member, then the lowest id, when no active admin is left', () => {
    const members = [
      member('u3', 'member', 20),
      member('u2', 'member', 10),
      member('u1', 'member', 10),
      member('u0', 'admin', 5, 30), // a former admin does not count, and is never picked
    ];
    expect(adminSuccessor(members)?.userId).toBe('u1');
  });

  it('picks nobody while an active admin remains, or when nobody active is left', () => {
    expect(adminSuccessor([member('u1', 'member', 1), member('u2', 'admin', 2)])).toBeNull();
    expect(adminSuccessor([member('u1', 'member', 1, 5)])).toBeNull();
    expect(adminSuccessor([])).toBeNull();
  });

  it('orders like compareMembers (joinedAt, then userId)', () => {
    const sorted = [member('b', 'member', 2), member('a', 'member', 2), member('c', 'member', 1)]
      .sort(compareMembers)
      .map((m) => m.userId);
    expect(sorted).toEqual(['c', 'a', 'b']);
  });
});

describe('unreadCount', () => {
  it('counts after the read watermark up to lastSeq, never below 0', () => {
    expect(unreadCount(10, { readSeq: 4, historyUntilSeq: null })).toBe(6);
    expect(unreadCount(10, { readSeq: 10, historyUntilSeq: null })).toBe(0);
    expect(unreadCount(3, { readSeq: 5, historyUntilSeq: null })).toBe(0);
  });

  it('stops at the end of a former member’s history', () => {
    expect(unreadCount(10, { readSeq: 4, historyUntilSeq: 6 })).toBe(2);
    expect(unreadCount(10, { readSeq: 7, historyUntilSeq: 6 })).toBe(0);
  });
});
