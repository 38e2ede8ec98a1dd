/** Lower case without accents, so "ana" finds "Ána" and "ANA". */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase();
}

/**
 * True when every word of `query` (split on spaces) occurs somewhere in one of `names` (a conversation's title,
 * and the other person's @username in a direct one), ignoring case and accents. An empty query matches all.
 */
export function matchesConversationFilter(query: string, names: readonly string[]): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = names.map(fold).join('\n');
  return words.every((word) => haystack.includes(word));
}
