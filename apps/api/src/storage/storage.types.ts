/**
 * Domain records the repositories speak: plain objects with string ids and `Date` times. No adapter type
 * (Mongoose document, SQL row) ever crosses a repository boundary.
 */
import type {
  AttachmentKind,
  ConversationType,
  DeletedBy,
  MemberRole,
  MessageKind,
  SystemEvent,
} from '@chat/shared';

export interface UserRecord {
  id: string;
  /** As the person typed it; uniqueness is case-insensitive. */
  username: string;
  displayName: string;
  /** bcrypt hash; never leaves the API. */
  passwordHash: string;
  /** Avatar path on the API origin (versioned: a new picture gets a new path), or null. */
  avatarUrl: string | null;
  /** When the person's last connection closed (presence); null if never recorded. */
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRecord {
  /** Session id; stays the same across refresh-token rotations (the "family"). */
  id: string;
  userId: string;
  /** SHA-256 (hex) of the current refresh token; the token itself is never stored. */
  tokenHash: string;
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
  /** Group picture path on the API origin, or null. */
  avatarUrl: string | null;
  /** Highest allocated sequence number; 0 when no message exists. */
  lastSeq: number;
  /**
   * The change counter: raised by every edit, deletion and reaction change of the conversation's messages (the
   * changed message takes the new value as its `changeSeq`). 0 when nothing ever changed.
   */
  changeSeq: number;
  /** Time of the last message, or creation time when there is none. */
  lastActivityAt: Date;
  createdAt: Date;
  /** Last change of title, picture or membership (not of messages or receipts). */
  updatedAt: Date;
  /** Set when a group's last active member left; an archived group takes no new members or messages. */
  archivedAt: Date | null;
}

export interface MemberRecord {
  conversationId: string;
  userId: string;
  role: MemberRole;
  joinedAt: Date;
  /** Receipt watermarks: highest seq delivered to / read by this member. Never move backwards. */
  deliveredSeq: number;
  readSeq: number;
  /**
   * Null for an active member. Set when they left or were removed: they keep read access to messages with
   * seq <= historyUntilSeq and nothing after. Re-adding them clears both (they are active again).
   */
  leftAt: Date | null;
  /** For a former member, the last seq they may read (the conversation's lastSeq when they left); else null. */
  historyUntilSeq: number | null;
  /** For a former member, the conversation's changeSeq when they left (they see no later change); else null. */
  historyUntilChangeSeq: number | null;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  kind: MessageKind;
  body: string;
  /** What a system message records; null for text messages. */
  system: SystemEvent | null;
  /** Attachments claimed by this message, in the order the sender listed them. */
  attachments: AttachmentRecord[];
  createdAt: Date;
  /** The message this one replies to (same conversation), as it is now; null when not a reply. */
  replyTo: ReplyTargetRecord | null;
  /** A copy made by forwarding. */
  forwarded: boolean;
  /** One entry per distinct emoji, earliest first; each lists its users, earliest first. */
  reactions: ReactionRecord[];
  editedAt: Date | null;
  /** Set for a tombstone (body '', no attachments, no reactions). */
  deletedAt: Date | null;
  deletedBy: DeletedBy | null;
  /** The conversation's change value of this message's latest change; 0 if it never changed. */
  changeSeq: number;
}

/** What a reply needs of the message it answers (read with the reply). */
export interface ReplyTargetRecord {
  id: string;
  seq: number;
  senderId: string;
  /** Its body now ('' once deleted). */
  body: string;
  deleted: boolean;
}

/** The people who reacted to a message with one emoji. */
export interface ReactionRecord {
  emoji: string;
  /** Earliest first. */
  userIds: string[];
}

export interface AttachmentRecord {
  id: string;
  conversationId: string;
  uploaderId: string;
  /** The message that sent it; null while unsent (removed after a grace period if never sent). */
  messageId: string | null;
  kind: AttachmentKind;
  /** Sanitised display name. */
  name: string;
  /** Sniffed from the bytes. */
  mimeType: string;
  /** Stored size in bytes. */
  size: number;
  width: number | null;
  height: number | null;
  /** Key of the file in FileStorage (a generated id, never derived from client input). */
  storageKey: string;
  /** Key of the thumbnail in FileStorage, for images. */
  thumbnailKey: string | null;
  createdAt: Date;
}

/** One row of a member's conversation list: everything needed to render it, fetched in one query per page. */
export interface ConversationListItem {
  conversation: ConversationRecord;
  /** The caller's own membership (watermarks, role). */
  membership: MemberRecord;
  /** The last message the caller may see (for a former member: the last one up to historyUntilSeq). */
  lastMessage: MessageRecord | null;
  /** `min(lastSeq, historyUntilSeq ?? lastSeq) - readSeq` of the caller, floored at 0. */
  unreadCount: number;
}

/** A keyset page: `nextCursor` is opaque to callers, null when there is nothing more. */
export interface RecordPage<T> {
  items: T[];
  nextCursor: string | null;
}
