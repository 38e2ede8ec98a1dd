import { describe, expect, it } from '@jest/globals';
import { isReactionEmoji } from './reaction-emoji.js';
import { replySnippet } from '../conversations/conversation.mapper.js';

describe('isReactionEmoji', () => {
  it('takes one emoji grapheme: plain, with skin tone, ZWJ sequences, flags, tag sequences, keycaps', () => {
    for (const emoji of ['👍', '❤️', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '1️⃣', '🫠']) {
      expect(isReactionEmoji(emoji)).toBe(true);
    }
  });

  it('refuses text, two emoji, padding, empty and non-strings', () => {
    for (const value of [
      'a',
      '1',
      '#',
      ':)',
      '👍👍',
      ' 👍',
      '👍 ',
      '',
      'x'.repeat(40),
      null,
      7,
      ['👍'],
    ]) {
      expect(isReactionEmoji(value)).toBe(false);
    }
  });
});

describe('replySnippet', () => {
  it('flattens white space and keeps short bodies whole', () => {
    expect(replySnippet('  line one\n\tline two  ')).toBe('line one line two');
  });

  it('cuts long bodies on a grapheme boundary with an ellipsis', () => {
    const long = `${'a'.repeat(119)}👨‍👩‍👧‍👦 and more`;
    const cut = replySnippet(long);
    expect(cut).toBe(`${'a'.repeat(119)}…`);
    expect(replySnippet('b'.repeat(300))).toBe(`${'b'.repeat(120)}…`);
  });
});
