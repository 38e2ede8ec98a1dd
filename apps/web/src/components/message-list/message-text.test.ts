import { describe, expect, it } from 'vitest';
import { isPlainText } from './message-text';

describe('isPlainText', () => {
  it('vouches for words, punctuation, emoji and single line breaks', () => {
    for (const body of [
      'hello',
      'Nice work 👍',
      'Is it 5 pm? Yes.',
      'one\ntwo',
      "it's fine, (really)",
    ])
      expect(isPlainText(body), body).toBe(true);
  });

  it('sends anything Markdown could render differently to the Markdown renderer', () => {
    for (const body of [
      '**bold**',
      '_it_',
      '~~gone~~',
      '`code`',
      '[a](https://x.y)',
      'https://example.com',
      'www.example.com',
      'ana@example.com',
      '> quote',
      '- item',
      '1. item',
      '    indented code',
      'para\n\npara',
      'a &amp; b',
      '<b>x</b>',
      'a \\* b',
    ])
      expect(isPlainText(body), body).toBe(false);
  });
});
