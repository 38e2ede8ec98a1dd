/**
 * The objects that travel on the wire. Ids are opaque strings; times are ISO 8601 strings in UTC; sizes are bytes.
 * URLs of files (avatars, attachments) are paths on the API's origin (`/api/...`): clients prefix the API base URL.
 */

/** Another person as anyone signed in may see them. Never carries secrets or contact details. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  /**
   * Avatar (256 px square WebP) path on the API origin, or null for the initials placeholder. Changes whenever the
   * picture changes (the path carries a version), so it can be cached as immutable.
   */
  avatarUrl: string | null;
}

/** The signed-in person's own profile. */
export interface SelfUser extends PublicUser {
  createdAt: string;
}

export type ConversationType = 'direct' | 'group';
export type MemberRole = 'member' | 'admin';
/**
 * The viewer's standing in a conversation. `left`: they left or were removed from a group; they keep read access
 * to the history up to their departure (nothing after it), see it in their list as left, and can no longer send.
 */
export type MembershipStatus = 'active' | 'left';

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

/**
 * What a system message records (kind 'system'): group timeline events, stored as messages with their own
 * sequence numbers so history and resync carry them. Clients render them from these fields with current names;
 * the message `body` holds a plain-text fallback composed by the server when it was stored ("Ana added Ben").
 */
export type SystemEvent =
  | { type: 'group_created'; actorId: string; title: string; memberIds: string[] }
  | { type: 'group_renamed'; actorId: string; title: string }
  | { type: 'group_avatar_changed'; actorId: string }
  | { type: 'members_added'; actorId: string; userIds: string[] }
  | { type: 'member_removed'; actorId: string; userId: string }
  | { type: 'member_left'; actorId: string }
  /** `actorId` null: promoted automatically because the last admin left. */
  | { type: 'admin_granted'; actorId: string | null; userId: string }
  | { type: 'admin_revoked'; actorId: string; userId: string };

export type SystemEventType = SystemEvent['type'];

export type AttachmentKind = 'image' | 'file';

/** A file sent with a message. Images were re-encoded on upload (metadata stripped) and have a thumbnail. */
export interface Attachment {
  id: string;
  conversationId: string;
  kind: AttachmentKind;
  /** The uploader's file name, sanitised for display (no path, no control or bidi characters). */
  name: string;
  /** Type sniffed from the bytes on upload (never taken from the client). */
  mimeType: string;
  /** Size of the stored file, in bytes. */
  size: number;
  /** Pixel size of images (after re-encoding), so clients reserve space before loading; null for files. */
  width: number | null;
  height: number | null;
  /** Download path on the API origin (authorised: members of the conversation only). */
  url: string;
  /** Thumbnail (about 320 px WebP) path on the API origin, for images; null for files. */
  thumbnailUrl: string | null;
  createdAt: string;
}

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
  /** Text, trimmed; may be empty when the message carries attachments. For system messages, a fallback text. */
  body: string;
  /** For kind 'system': what happened; null for text messages. */
  system: SystemEvent | null;
  /** Files sent with the message, in the order the sender gave them (at most LIMITS.ATTACHMENTS_PER_MESSAGE). */
  attachments: Attachment[];
  createdAt: string;
}

/** A conversation as one member sees it in their list. */
export interface ConversationSummary {
  id: string;
  type: ConversationType;
  /** Group name; null for direct conversations (the client shows the other member's name). */
  title: string | null;
  /** Group picture path on the API origin; null for direct conversations and groups without one. */
  avatarUrl: string | null;
  /** The viewer's standing; `left` conversations are read-only and their history ends at the departure. */
  status: MembershipStatus;
  /** Current (active) members, ordered by when they joined. Empty for a viewer whose status is `left`. */
  members: ConversationMember[];
  /**
   * People the viewer's readable history may name who are not in `members`, so their messages and the timeline
   * keep their names (never their watermarks or roles), ordered by when they joined. For an active viewer:
   * everyone who left or was removed. For a viewer whose status is `left`: everyone who had joined by the
   * viewer's departure, as of then (whether still in the group or not), never those added after it.
   */
  formerMembers: PublicUser[];
  /** Highest sequence number allocated in the conversation (0 when empty). */
  lastSeq: number;
  lastMessage: Message | null;
  /** Time of the last message, or of creation when there is none. */
  lastActivityAt: string;
  /** Messages from others after the caller's read watermark. */
  unreadCount: number;
  createdAt: string;
}

/** A group shown on a person's profile: one both the viewer and that person are active members of. */
export interface GroupInCommon {
  id: string;
  title: string;
  /** Group picture path on the API origin, or null. */
  avatarUrl: string | null;
}

/**
 * Another person's profile as the viewer sees it (GET /api/users/:id). Presence is not part of it: it reaches
 * only people who share a conversation, through `presence:snapshot` / `presence:update`.
 */
export interface UserProfile {
  user: PublicUser;
  /** Groups both are active members of, most recent activity first, at most LIMITS.GROUPS_IN_COMMON_MAX. */
  groupsInCommon: GroupInCommon[];
}

/** Whether a person is connected right now; `lastSeenAt` is when their last connection closed. */
export interface PresenceState {
  userId: string;
  online: boolean;
  /** Null while online, and for someone never seen since presence was recorded. */
  lastSeenAt: string | null;
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
