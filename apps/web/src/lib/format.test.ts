import { describe, expect, it } from 'vitest';
import {
  conversationAvatarId,
  conversationTitle,
  dayKey,
  dayLabel,
  hueFromId,
  initials,
  relativeTime,
} from './format';
import { conversation, member, user } from '@/testing/factories';

/** A local time on 2026-11-20 (a Friday) unless other parts are given. */
const at = (day = 20, hour = 12, minute = 0, month = 10, year = 2026): number =>
  new Date(year, month, day, hour, minute).getTime();
const iso = (ms: number): string => new Date(ms).toISOString();

describe('initials', () => {
  it('takes the first letters of the first and last words, upper-cased', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('  grace  brewster murray hopper ')).toBe('GH');
  });

  it('takes two letters of a single word and a placeholder for nothing', () => {
    expect(initials('ada')).toBe('AD');
    expect(initials('   ')).toBe('?');
  });

  it('never splits a character outside the basic plane', () => {
    expect(initials('😀 Smile')).toBe('😀S');
  });
});

describe('hueFromId', () => {
  it('is stable per id and within 0..359', () => {
    const hues = ['a', 'b', 'user-1', '6568a0f1c2d3e4f5a6b7c8d9'].map(hueFromId);
    for (const hue of hues) expect(hue).toBeGreaterThanOrEqual(0);
    for (const hue of hues) expect(hue).toBeLessThan(360);
    expect(hueFromId('user-1')).toBe(hueFromId('user-1'));
    expect(new Set(hues).size).toBeGreaterThan(1);
  });

  it('matches the FNV-1a reference value', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c = 3826002220; 3826002220 % 360 = 100.
    expect(hueFromId('a')).toBe(3826002220 % 360);
  });
});

describe('conversation naming', () => {
  const direct = conversation({
    members: [member('alice'), member('bob', { user: user('bob', { displayName: 'Bob B' }) })],
  });

  it('names a direct conversation after the other person', () => {
    expect(conversationTitle(direct, 'alice')).toBe('Bob B');
    expect(conversationAvatarId(direct, 'alice')).toBe('bob');
  });

  it('names a group by its title, or "Group" without one, and colours it by its own id', () => {
    const group = conversation({ id: 'g1', type: 'group', title: 'Team' });
    expect(conversationTitle(group, 'alice')).toBe('Team');
    expect(conversationTitle({ ...group, title: null }, 'alice')).toBe('Group');
    expect(conversationAvatarId(group, 'alice')).toBe('g1');
  });

  it('falls back when a former member sees no member list', () => {
    expect(conversationTitle(conversation({ members: [] }), 'alice')).toBe('Conversation');
  });
});

describe('relativeTime', () => {
  const now = at(20, 12, 0);

  it('counts minutes and hours today', () => {
    expect(relativeTime(iso(now - 30_000), now)).toBe('now');
    expect(relativeTime(iso(at(20, 11, 55)), now)).toBe('5 min');
    expect(relativeTime(iso(at(20, 9, 0)), now)).toBe('3 h');
  });

  it('says Yesterday for the previous calendar day, even less than 24 h ago', () => {
    expect(relativeTime(iso(at(19, 23, 0)), at(20, 1, 30))).toBe('Yesterday');
  });

  it('gives a weekday within the week and a date before it', () => {
    expect(relativeTime(iso(at(16)), now)).toBe(
      new Date(at(16)).toLocaleDateString(undefined, { weekday: 'short' }),
    );
    expect(relativeTime(iso(at(1)), now)).toBe(
      new Date(at(1)).toLocaleDateString(undefined, { day: 'numeric', month: 'short' }),
    );
  });

  it('treats a clock a little ahead as now and bad input as nothing', () => {
    expect(relativeTime(iso(now + 5_000), now)).toBe('now');
    expect(relativeTime('not a date', now)).toBe('');
  });
});

describe('day separators', () => {
  it('keys by local calendar day', () => {
    expect(dayKey(iso(at(20, 0, 0)))).toBe('2026-11-20');
    expect(dayKey(iso(at(20, 23, 59)))).toBe('2026-11-20');
    expect(dayKey(iso(at(21, 0, 0)))).toBe('2026-11-21');
  });

  it('labels today, yesterday and older days, with the year only for other years', () => {
    const now = at(20, 8, 0);
    expect(dayLabel(iso(at(20, 7, 0)), now)).toBe('Today');
    expect(dayLabel(iso(at(19, 23, 0)), now)).toBe('Yesterday');
    expect(dayLabel(iso(at(10)), now)).not.toMatch(/2026/);
    expect(dayLabel(iso(at(10, 12, 0, 10, 2025)), now)).toMatch(/2025/);
  });
});
