import { describe, expect, it } from 'vitest';
import type { ConversationMember } from '@chat/shared';
import { mentionNames, mentionsIn, mentionsUser, splitMentions } from './mentions';
import { insertMention, mentionCandidates, mentionQueryAt } from './mention-suggest';

function member(
  id: string,
  username: string,
  displayName: string,
  role: 'admin' | 'member' = 'member',
): ConversationMember {
  return {
    user: { id, username, displayName, avatarUrl: null },
    role,
    joinedAt: '2026-01-01T00:00:00.000Z',
    deliveredSeq: 0,
    readSeq: 0,
    pending: false,
  };
}

const members = [
  member('me', 'ana', 'Ana Admin', 'admin'),
  member('b', 'ben.k', 'Ben Keller'),
  member('c', 'cy', 'Cyrielle Bonnet'),
];

describe('mentionQueryAt', () => {
  it('finds the @word being typed before the caret, not e-mail addresses', () => {
    expect(mentionQueryAt('hi @be', 6)).toEqual({ start: 3, query: 'be' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('mail ana@host', 13)).toBeNull();
    expect(mentionQueryAt('hi @ben there', 13)).toBeNull();
    expect(mentionQueryAt('no mention', 10)).toBeNull();
  });
});

describe('mentionCandidates', () => {
  it('matches username or display-name word prefixes, leaves the caller out, offers @all when allowed', () => {
    expect(
      mentionCandidates(members, 'b', 'me', false).map((c) =>
        c.kind === 'user' ? c.user.id : 'all',
      ),
    ).toEqual(['b', 'c']);
    expect(
      mentionCandidates(members, 'a', 'me', true).map((c) =>
        c.kind === 'user' ? c.user.id : 'all',
      ),
    ).toEqual(['all']);
    expect(mentionCandidates(members, '', 'me', false)).toHaveLength(2);
  });
});

describe('insertMention', () => {
  it('replaces the query with @username and a space, caret after it', () => {
    expect(insertMention('hi @be', 3, 6, 'ben.k')).toEqual({ text: 'hi @ben.k ', caret: 10 });
    expect(insertMention('@c and more', 0, 2, 'cy')).toEqual({ text: '@cy and more', caret: 4 });
  });
});

describe('mentionsIn', () => {
  it('collects members written as @username, never the caller; @all only for a group admin', () => {
    const group = { type: 'group' as const, members };
    expect(mentionsIn('@ben.k, @CY and @ana and @nobody. @all', group, 'me')).toEqual({
      mentions: ['b', 'c'],
      mentionsAll: true,
    });
    expect(mentionsIn('@all', group, 'b')).toEqual({ mentions: [], mentionsAll: false });
    expect(mentionsIn('mail ana@cy.org', group, 'me')).toEqual({
      mentions: [],
      mentionsAll: false,
    });
  });
});

describe('mentionNames / splitMentions / mentionsUser', () => {
  it('splits the text around mentioned names only', () => {
    const message = { mentions: ['b'], mentionsAll: true };
    const names = mentionNames(message, members);
    expect(names).toEqual(['ben.k', 'all']);
    expect(splitMentions('hey @Ben.k and @cy, @all!', names)).toEqual([
      { text: 'hey ', mention: false },
      { text: '@Ben.k', mention: true },
      { text: ' and @cy, ', mention: false },
      { text: '@all', mention: true },
      { text: '!', mention: false },
    ]);
    expect(mentionsUser(message, 'zz')).toBe(true);
    expect(mentionsUser({ mentions: ['b'], mentionsAll: false }, 'c')).toBe(false);
  });
});
