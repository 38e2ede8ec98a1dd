import { describe, expect, it } from '@jest/globals';
import { SEARCH_HIGHLIGHT_END as E, SEARCH_HIGHLIGHT_START as S } from '@chat/shared';
import {
  foldWord,
  markMatches,
  mongoTextSearch,
  queryTerms,
  splitSearchQuery,
} from './search-text.js';

describe('splitSearchQuery', () => {
  it('takes a trailing bare word of 3+ characters as the prefix being typed', () => {
    expect(splitSearchQuery('  release no')).toEqual({ words: 'release no', prefix: null });
    expect(splitSearchQuery('release not')).toEqual({ words: 'release', prefix: 'not' });
    expect(splitSearchQuery('Zür')).toEqual({ words: '', prefix: 'Zür' });
    expect(splitSearchQuery('release notes ')).toEqual({ words: 'release', prefix: 'notes' });
    expect(splitSearchQuery('"release notes"')).toEqual({ words: '"release notes"', prefix: null });
    expect(splitSearchQuery('cats -dogs')).toEqual({ words: 'cats -dogs', prefix: null });
    expect(splitSearchQuery('cats or dogs')).toEqual({ words: 'cats or dogs', prefix: null });
    expect(splitSearchQuery('!!!')).toEqual({ words: '!!!', prefix: null });
  });
});

describe('mongoTextSearch', () => {
  it('quotes bare words so $text ANDs them, keeps phrases and negations, drops or', () => {
    expect(mongoTextSearch('Café  zurich')).toBe('"Café" "zurich"');
    expect(mongoTextSearch('"big plan" -draft or x')).toBe('"big plan" -draft "x"');
    expect(mongoTextSearch('"; $where: 1')).toBe('"where" "1"');
    expect(mongoTextSearch('!!!')).toBe('');
  });
});

describe('markMatches', () => {
  it('marks whole words equal to a term, or starting with the prefix, ignoring case and accents', () => {
    const terms = queryTerms('cafe ZURICH');
    expect(terms).toEqual(['cafe', 'zurich']);
    expect(markMatches('Le Café de Zürich, cafeteria', terms, null)).toBe(
      `Le ${S}Café${E} de ${S}Zürich${E}, cafeteria`,
    );
    expect(markMatches('cafeteria', [], foldWord('CAFÉ'))).toBe(`${S}cafeteria${E}`);
  });

  it('strips marks from the text and cuts long texts around the first match', () => {
    expect(markMatches(`fake ${S}mark${E}`, ['x'], null)).toBe('fake mark');
    const long = `${'word '.repeat(100)}needle ${'tail '.repeat(100)}`;
    const snippet = markMatches(long, ['needle'], null);
    expect(snippet.length).toBeLessThan(260);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain(`${S}needle${E}`);
  });
});
