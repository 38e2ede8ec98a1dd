/**
 * The objects that travel on the wire. Ids are opaque strings; times are ISO 8601 strings in UTC.
 */

/** Another person as anyone signed in may see them. Never carries secrets or contact details. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  /** URL of the avatar image, or null for the initials placeholder. */
  avatarUrl: string | null;
}

/** The signed-in person's own profile. */
export interface SelfUser extends PublicUser {
  createdAt: string;
}

export type ConversationType = 'direct' | 'group';
export type MemberRole = 'member' | 'admin';

/** A member of a conversation, with their receipt watermarks. */
export interface ConversationMember {
  user: PublicUser;
  role: MemberRole;
  joinedAt: string;
  /** Highest sequence number a device of this member has received. */
  deliveredSeq: number;
  /** Highest sequence number this member has read. */
  readSeq: number;
}

export type MessageKind = 'text' | 'system';

/** One message. `seq` orders messages within a conversation; clients never order by clocks. */
export interface Message {
  id: string;
  conversationId: string;
  /** Per-conversation sequence number allocated by the server: strictly increasing, may have rare gaps. */
  seq: number;
  senderId: string;
  /** The sender's idempotency key (a UUID made by the client for every send). */
  clientMessageId: string;
  kind: MessageKind;
  body: string;
  createdAt: string;
}

/** A conversation as one member sees it in their list. */
export interface ConversationSummary {
  id: string;
  type: ConversationType;
  /** Group name; null for direct conversations (the client shows the other member's name). */
  title: string | null;
  members: ConversationMember[];
  /** Highest sequence number allocated in the conversation (0 when empty). */
  lastSeq: number;
  lastMessage: Message | null;
  /** Time of the last message, or of creation when there is none. */
  lastActivityAt: string;
  /** Messages from others after the caller's read watermark. */
  unreadCount: number;
  createdAt: string;
}

/** A keyset-paginated list. `nextCursor` is opaque; null when there is nothing more. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of history, always in ascending `seq` order. */
export interface MessagePage {
  items: Message[];
  /** True when more messages exist beyond this page in the requested direction. */
  hasMore: boolean;
}
