/**
 * Domain records the repositories speak: plain objects with string ids and `Date` times. No adapter type
 * (Mongoose document, SQL row) ever crosses a repository boundary.
 */
import type { ConversationType, MemberRole, MessageKind } from '@chat/shared';

export interface UserRecord {
  id: string;
  /** As the person typed it; uniqueness is case-insensitive. */
  username: string;
  displayName: string;
  /** bcrypt hash; never leaves the API. */
  passwordHash: string;
  avatarUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRecord {
  /** Session id; stays the same across refresh-token rotations (the "family"). */
  id: string;
  userId: string;
  /** SHA-256 (hex) of the current refresh token; the token itself is never stored. */
  tokenHash: string;
  /** SHA-256 (hex) of the token this one replaced, kept to detect reuse of a rotated token. */
  previousTokenHash: string | null;
  userAgent: string | null;
  createdAt: Date;
  /** When the current refresh token stops being accepted. */
  expiresAt: Date;
  lastUsedAt: Date;
  revokedAt: Date | null;
}

export interface ConversationRecord {
  id: string;
  type: ConversationType;
  /** Group name; null for direct conversations. */
  title: string | null;
  /** For direct conversations, `min(userId):max(userId)`: the unique key that makes opening one idempotent. */
  directKey: string | null;
  createdBy: string;
  /** Highest allocated sequence number; 0 when no message exists. */
  lastSeq: number;
  /** Time of the last message, or creation time when there is none. */
  lastActivityAt: Date;
  createdAt: Date;
}

export interface MemberRecord {
  conversationId: string;
  userId: string;
  role: MemberRole;
  joinedAt: Date;
  /** Receipt watermarks: highest seq delivered to / read by this member. Never move backwards. */
  deliveredSeq: number;
  readSeq: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  kind: MessageKind;
  body: string;
  createdAt: Date;
}

/** One row of a member's conversation list: everything needed to render it, fetched in one query per page. */
export interface ConversationListItem {
  conversation: ConversationRecord;
  /** The caller's own membership (watermarks, role). */
  membership: MemberRecord;
  lastMessage: MessageRecord | null;
  /** `lastSeq - readSeq` of the caller, floored at 0. */
  unreadCount: number;
}

/** A keyset page: `nextCursor` is opaque to callers, null when there is nothing more. */
export interface RecordPage<T> {
  items: T[];
  nextCursor: string | null;
}
