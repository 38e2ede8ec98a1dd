/**
 * Domain rules that every storage adapter applies, written once here and called by each adapter (and by
 * services where they need the same answer), so the adapters cannot drift apart.
 */
import type { MemberRecord } from './storage.types.js';

/** The two members of a direct conversation and the key that makes it unique per pair. */
export interface DirectPair {
  /** The lower of the two (lower-cased) ids. */
  low: string;
  /** The higher of the two (lower-cased) ids. */
  high: string;
  /** `low:high`: the same for either argument order (ConversationRecord.directKey). */
  key: string;
}

/**
 * The direct-conversation rule: two DIFFERENT users, keyed `min:max` of their ids compared lower-cased (so the key
 * depends neither on the argument order nor on how the ids were spelled).
 * @throws Error when both ids name the same user (services refuse that first, with CANNOT_MESSAGE_SELF)
 */
export function directPair(userIdA: string, userIdB: string): DirectPair {
  const a = userIdA.toLowerCase();
  const b = userIdB.toLowerCase();
  if (a === b) throw new Error('a direct conversation needs two different users');
  const [low, high] = a < b ? [a, b] : [b, a];
  return { low, high, key: `${low}:${high}` };
}

/**
 * The other person of a direct conversation, from its key (`low:high`, see directPair), or null when `userId` is
 * not one of the pair (or the key is malformed).
 */
export function directPeerOf(directKey: string, userId: string): string | null {
  const [low, high] = directKey.split(':');
  if (!low || !high) return null;
  const me = userId.toLowerCase();
  return low === me ? high : high === me ? low : null;
}

/** The port's member order: joinedAt ascending, then userId (byte order). */
export function compareMembers(
  x: Pick<MemberRecord, 'joinedAt' | 'userId'>,
  y: Pick<MemberRecord, 'joinedAt' | 'userId'>,
): number {
  return (
    x.joinedAt.getTime() - y.joinedAt.getTime() ||
    (x.userId < y.userId ? -1 : x.userId > y.userId ? 1 : 0)
  );
}

/**
 * Admin succession: who becomes admin of a group that has no active admin left. The longest-standing active member
 * (earliest joinedAt, then lowest userId), preferring members who accepted over pending invitees.
 * @param members the conversation's memberships (active and former, any order)
 * @returns the member to promote, or null when an active admin remains or nobody active is left
 */
export function adminSuccessor<
  M extends Pick<MemberRecord, 'joinedAt' | 'userId' | 'role' | 'leftAt'> & {
    pending?: boolean | undefined;
  },
>(members: readonly M[]): M | null {
  const active = members.filter((m) => m.leftAt === null);
  if (active.some((m) => m.role === 'admin')) return null;
  // Someone who accepted comes before an invitee who has not (an invitation does not make anyone run a group).
  const accepted = active.filter((m) => m.pending !== true);
  return [...(accepted.length > 0 ? accepted : active)].sort(compareMembers)[0] ?? null;
}

/**
 * The unread formula: messages after the member's read watermark, up to what they may see (a former member sees up
 * to `historyUntilSeq`), floored at 0. Own messages do not count because sending raises the sender's readSeq.
 * @param lastSeq the conversation's last allocated seq
 */
export function unreadCount(
  lastSeq: number,
  member: Pick<MemberRecord, 'readSeq' | 'historyUntilSeq'>,
): number {
  return Math.max(Math.min(lastSeq, member.historyUntilSeq ?? lastSeq) - member.readSeq, 0);
}

/**
 * Longest wait for a conversation's change lock (ConversationsRepository.withChangeLock), in milliseconds. A group
 * change takes a few database round trips; one that waits this long behind others is answered SERVICE_UNAVAILABLE
 * rather than hanging the request.
 */
export const CHANGE_LOCK_WAIT_MS = 15_000;
