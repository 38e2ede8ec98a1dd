import type { ConversationMember, PublicUser } from '@chat/shared';

/**
 * The composer's `@` suggestions (loaded with the composer of a group only, in their own chunk): what is being typed
 * after `@`, which members match, and the text once one is picked.
 */

/** Characters of a username (USERNAME_PATTERN of @chat/shared). */
const USERNAME_CHAR = /[A-Za-z0-9_.-]/;

/** The `@query` being typed just before the caret, if any: where its `@` is and what follows it. */
export function mentionQueryAt(
  text: string,
  caret: number,
): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && USERNAME_CHAR.test(text[i - 1] ?? '')) i -= 1;
  if (i === 0 || text[i - 1] !== '@') return null;
  const at = i - 1;
  // `name@host` is an e-mail address, not a mention.
  if (at > 0 && USERNAME_CHAR.test(text[at - 1] ?? '')) return null;
  return { start: at, query: text.slice(i, caret) };
}

/** A person the composer may suggest, or `@all`. */
export type MentionCandidate = { kind: 'user'; user: PublicUser } | { kind: 'all' };

/**
 * The members to suggest for `query` (case-insensitive prefix of the username or of any word of the display
 * name), the caller left out, at most `max`; `@all` first when allowed and it matches.
 */
export function mentionCandidates(
  members: readonly ConversationMember[],
  query: string,
  selfId: string,
  allowAll: boolean,
  max = 6,
): MentionCandidate[] {
  const q = query.toLowerCase();
  const out: MentionCandidate[] = [];
  if (allowAll && 'all'.startsWith(q)) out.push({ kind: 'all' });
  for (const m of members) {
    if (m.user.id === selfId) continue;
    const words = m.user.displayName.toLowerCase().split(/\s+/);
    if (m.user.username.toLowerCase().startsWith(q) || words.some((w) => w.startsWith(q)))
      out.push({ kind: 'user', user: m.user });
    if (out.length >= max) break;
  }
  return out;
}

/** Replaces the `@query` at `start`..`caret` with `@username ` and gives the caret after it. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const inserted = `@${username} `;
  const rest = text.slice(caret).replace(/^[A-Za-z0-9_.-]*/, '');
  return {
    text: text.slice(0, start) + inserted + rest.replace(/^ /, ''),
    caret: start + inserted.length,
  };
}
