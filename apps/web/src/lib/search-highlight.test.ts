import { describe, expect, it } from 'vitest';
import { SEARCH_HIGHLIGHT_END as E, SEARCH_HIGHLIGHT_START as S } from '@chat/shared';
import { splitSnippet } from './search-highlight';

describe('splitSnippet', () => {
  it('turns the marks into parts, keeping markup-looking text as text', () => {
    expect(splitSnippet(`the ${S}café${E} <b>opens</b> ${S}today${E}`)).toEqual([
      { text: 'the ', match: false },
      { text: 'café', match: true },
      { text: ' <b>opens</b> ', match: false },
      { text: 'today', match: true },
    ]);
  });

  it('tolerates unbalanced marks', () => {
    expect(splitSnippet(`a${E}b ${S}c`)).toEqual([
      { text: 'ab ', match: false },
      { text: 'c', match: true },
    ]);
    expect(splitSnippet('')).toEqual([]);
  });
});
