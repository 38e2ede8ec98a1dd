import { SEARCH_HIGHLIGHT_END, SEARCH_HIGHLIGHT_START } from '@chat/shared';

/** One piece of a search snippet: plain text, or a matched word to highlight. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * Splits a search snippet on the server's highlight marks (SEARCH_HIGHLIGHT_START / END) into parts that are
 * rendered as text nodes (`<mark>` for matches), never as HTML: whatever the message says stays text. Unbalanced
 * marks are tolerated (a missing end closes at the end of the snippet; a stray end is dropped).
 */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let current = '';
  const flush = () => {
    if (current !== '') parts.push({ text: current, match });
    current = '';
  };
  for (const char of snippet) {
    if (char === SEARCH_HIGHLIGHT_START) {
      flush();
      match = true;
    } else if (char === SEARCH_HIGHLIGHT_END) {
      flush();
      match = false;
    } else current += char;
  }
  flush();
  // Adjacent parts of the same kind (e.g. around a stray mark) are joined.
  return parts.reduce<SnippetPart[]>((out, part) => {
    const last = out[out.length - 1];
    if (last && last.match === part.match) last.text += part.text;
    else out.push({ ...part });
    return out;
  }, []);
}
