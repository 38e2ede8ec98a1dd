/**
 * Text helpers of message search shared by the adapters (pure functions, unit-tested in search-text.spec.ts).
 * What search matches and why is described in docs/search.md.
 */
import { SEARCH_HIGHLIGHT_END, SEARCH_HIGHLIGHT_START } from '@chat/shared';

/** A run of letters or digits: what both adapters index as one word. */
const WORD = /[\p{L}\p{N}]+/gu;
/** The two highlight marks; stripped from text before marking it, so a message cannot fake a highlight. */
const MARKS = new RegExp(`[${SEARCH_HIGHLIGHT_START}${SEARCH_HIGHLIGHT_END}]`, 'gu');

/**
 * Shortest last word matched as a prefix: one or two letters match a large part of the vocabulary (a GIN partial
 * match then unions thousands of posting lists, the slowest searches of the benchmark, docs/performance.md), and
 * say little about what is being looked for. Shorter last words match whole.
 */
export const PREFIX_MIN_LENGTH = 3;

/**
 * Splits a typed query into the part read with web-search syntax and a last word to match as a prefix, so that
 * results come while a word is still being typed ("hel" finds "hello"). The last word is a prefix only when the
 * query ends with it, it is a bare word (not quoted, not negated with `-`, not after `or`) of at least
 * PREFIX_MIN_LENGTH characters.
 * @returns `{ words, prefix }`: `words` for websearch_to_tsquery (may be empty), `prefix` a bare word or null
 */
export function splitSearchQuery(query: string): { words: string; prefix: string | null } {
  const trimmed = query.trim();
  const match = /(^|\s)([\p{L}\p{N}]+)$/u.exec(trimmed);
  if (!match?.[2] || [...match[2]].length < PREFIX_MIN_LENGTH)
    return { words: trimmed, prefix: null };
  const words = trimmed.slice(0, trimmed.length - match[2].length).trim();
  // `a or b`: b is an alternative, not a conjunct: keep the query as typed.
  if (/(^|\s)or$/iu.test(words)) return { words: trimmed, prefix: null };
  return { words, prefix: match[2] };
}

/** Lower case without diacritics (NFD, combining marks removed): how both adapters compare words. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The words a query looks for (quoted phrases split into their words; `-negated` words and `or` left out), folded.
 * Used where the database gives no highlighting (MongoDB).
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const raw of query.split(/\s+/u)) {
    if (raw.startsWith('-') || raw.toLowerCase() === 'or') continue;
    for (const word of raw.match(WORD) ?? []) terms.add(foldWord(word));
  }
  return [...terms];
}

/**
 * A MongoDB `$text.$search` string with the PostgreSQL side's meaning as far as it goes: every bare word is
 * quoted, because `$text` ORs bare words while websearch_to_tsquery ANDs them (quoted phrases are ANDed by
 * `$text`); phrases and `-word` pass through; `or` is dropped (MongoDB cannot mix OR into an AND query).
 * Prefix matching does not exist on a MongoDB text index (docs/search.md).
 */
export function mongoTextSearch(query: string): string {
  const parts: string[] = [];
  // Phrases first, as they are; then the rest word by word.
  const rest = query.replace(/"([^"]*)"/gu, (_whole, phrase: string) => {
    const words = phrase.match(WORD);
    if (words) parts.push(`"${words.join(' ')}"`);
    return ' ';
  });
  for (const raw of rest.split(/\s+/u)) {
    if (raw === '' || raw.toLowerCase() === 'or') continue;
    const words = raw.match(WORD);
    if (!words) continue;
    if (raw.startsWith('-')) parts.push(`-${words[0] ?? ''}`);
    else for (const word of words) parts.push(`"${word}"`);
  }
  return parts.join(' ');
}

/** Longest snippet made by `markMatches`, in characters (about what ts_headline's MaxWords=35 gives). */
export const SNIPPET_MAX = 240;

/**
 * A snippet of `text` with every word equal to one of `terms` (or starting with `prefix`) wrapped in the highlight
 * marks; compared folded (case and accents ignored). Texts longer than SNIPPET_MAX are cut to a window that starts
 * a little before the first match, with `…` where text was left out. Marks already in the text are removed.
 * @param terms folded words (queryTerms)
 * @param prefix folded prefix, or null
 */
export function markMatches(text: string, terms: readonly string[], prefix: string | null): string {
  const clean = text.replace(MARKS, '');
  const wanted = new Set(terms);
  const matches: { start: number; end: number }[] = [];
  for (const m of clean.matchAll(WORD)) {
    const folded = foldWord(m[0]);
    if (wanted.has(folded) || (prefix !== null && folded.startsWith(prefix))) {
      matches.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  let from = 0;
  let to = clean.length;
  if (clean.length > SNIPPET_MAX) {
    const first = matches[0]?.start ?? 0;
    from = Math.max(0, Math.min(first - 40, clean.length - SNIPPET_MAX));
    // Start and end at word boundaries where possible.
    const space = clean.lastIndexOf(' ', from);
    if (from > 0 && space >= 0 && from - space < 20) from = space + 1;
    to = Math.min(clean.length, from + SNIPPET_MAX);
  }
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const { start, end } of matches) {
    if (start < from || end > to) continue;
    out +=
      clean.slice(at, start) +
      SEARCH_HIGHLIGHT_START +
      clean.slice(start, end) +
      SEARCH_HIGHLIGHT_END;
    at = end;
  }
  out += clean.slice(at, to);
  if (to < clean.length) out += '…';
  return out;
}
