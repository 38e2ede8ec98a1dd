import type { ConversationMember, ConversationSummary, Message } from '@chat/shared';

/**
 * Mentions in the composer and in messages. A mention is written `@username` in the text and sent as structure
 * beside it (`mentions`: user ids, `mentionsAll` for `@all`), which the server checks against the conversation's
 * active members.
 */

/** `@word` tokens of a text: the `@` at the start or after a non-username character. */
const MENTION_TOKEN = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;

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
