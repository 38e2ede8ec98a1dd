import { describe, expect, it } from 'vitest';
import { SEARCH_HIGHLIGHT_END, SEARCH_HIGHLIGHT_START } from '@chat/shared';
import { plainText } from './plain-text';

describe('plainText', () => {
  it('removes the markup of the chat subset and folds lines into one', () => {
    expect(plainText('Saturday hike at **Mount Tam**?')).toBe('Saturday hike at Mount Tam?');
    expect(plainText('~~old~~ _new_ *now* `code` [the map](https://example.com/map)')).toBe(
      'old new now code the map',
    );
    expect(plainText('> quoted\n> on two lines\n\n- one\n- two\n1. three')).toBe(
      'quoted on two lines one two three',
    );
    expect(plainText('```js\nconst x = 1;\n```')).toBe('const x = 1;');
  });

  it('keeps what is not markup: underscores inside words, angle brackets, bare links and stray stars', () => {
    expect(plainText('@ada_k3x9_1 see my_var_name')).toBe('@ada_k3x9_1 see my_var_name');
    expect(plainText('<b>not html</b> and 2 < 3 > 1')).toBe('<b>not html</b> and 2 < 3 > 1');
    expect(plainText('https://example.com/a_b_c')).toBe('https://example.com/a_b_c');
    expect(plainText('2 * 3 * 4 = 24')).toBe('2 * 3 * 4 = 24');
    expect(plainText('# not a heading\nline two')).toBe('# not a heading line two');
    // Taken for markup that leaves nothing: the text as typed instead of an empty preview.
    expect(plainText('[update]: server is back')).toBe('[update]: server is back');
    expect(plainText('---')).toBe('---');
    expect(plainText('   ')).toBe('');
  });

  it('keeps the search highlight markers where they were', () => {
    const snippet = `hike at **${SEARCH_HIGHLIGHT_START}Mount${SEARCH_HIGHLIGHT_END} Tam**`;
    expect(plainText(snippet)).toBe(
      `hike at ${SEARCH_HIGHLIGHT_START}Mount${SEARCH_HIGHLIGHT_END} Tam`,
    );
  });
});
