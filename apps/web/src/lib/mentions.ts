import type { ConversationMember, ConversationSummary, Message, PublicUser } from '@chat/shared';

/**
 * Mentions in the composer and in messages. A mention is written `@username` in the text and sent as structure
 * beside it (`mentions`: user ids, `mentionsAll` for `@all`), which the server checks against the conversation's
 * active members.
 */

/** Characters of a username (USERNAME_PATTERN of @chat/shared). */
const USERNAME_CHAR = /[A-Za-z0-9_.-]/;
/** `@word` tokens of a text: the `@` at the start or after a non-username character. */
const MENTION_TOKEN = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;

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

/**
 * The structure to send with `body`: the ids of the conversation's members written as `@username` (the caller
 * left out, case-insensitive), and `@all` when the caller may use it (group admins).
 */
export function mentionsIn(
  body: string,
  conversation: Pick<ConversationSummary, 'type' | 'members'>,
  selfId: string,
): { mentions: string[]; mentionsAll: boolean } {
  const byName = new Map(conversation.members.map((m) => [m.user.username.toLowerCase(), m]));
  const ids = new Set<string>();
  let all = false;
  for (const match of body.matchAll(MENTION_TOKEN)) {
    const name = (match[2] ?? '').replace(/[.-]+$/, '').toLowerCase();
    if (name === 'all') all = true;
    const member = byName.get(name);
    if (member && member.user.id !== selfId) ids.add(member.user.id);
  }
  const admin = conversation.members.some((m) => m.user.id === selfId && m.role === 'admin');
  return { mentions: [...ids], mentionsAll: all && conversation.type === 'group' && admin };
}

/** True when `message` mentions `userId` by id or with `@all`. */
export function mentionsUser(
  message: Pick<Message, 'mentions' | 'mentionsAll'>,
  userId: string,
): boolean {
  return message.mentionsAll === true || (message.mentions ?? []).includes(userId);
}

/** The lower-case usernames to highlight in a message's text: its mentioned members, and `all` for `@all`. */
export function mentionNames(
  message: Pick<Message, 'mentions' | 'mentionsAll'>,
  members: readonly ConversationMember[],
): string[] {
  const byId = new Map(members.map((m) => [m.user.id, m.user.username.toLowerCase()]));
  const names = (message.mentions ?? []).flatMap((id) => {
    const name = byId.get(id);
    return name ? [name] : [];
  });
  if (message.mentionsAll) names.push('all');
  return names;
}

/**
 * Splits a text into plain parts and `@name` parts for names in `names` (lower-case), for highlighting mentions
 * without HTML.
 */
export function splitMentions(
  text: string,
  names: readonly string[],
): { text: string; mention: boolean }[] {
  if (names.length === 0) return [{ text, mention: false }];
  const wanted = new Set(names);
  const parts: { text: string; mention: boolean }[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION_TOKEN)) {
    const name = (match[2] ?? '').toLowerCase();
    if (!wanted.has(name)) continue;
    const start = (match.index ?? 0) + (match[1] ?? '').length;
    if (start > at) parts.push({ text: text.slice(at, start), mention: false });
    parts.push({ text: `@${match[2] ?? ''}`, mention: true });
    at = start + 1 + (match[2] ?? '').length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mention: false });
  return parts;
}
