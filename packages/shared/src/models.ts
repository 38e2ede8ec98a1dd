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
  /**
   * Absent for an active account. `deactivated`: an instance administrator switched the account off (it may come
   * back); `deleted`: the person deleted their account (the profile is gone, `displayName` reads "Deleted account"
   * and `username` is a placeholder; their messages stay, see docs/admin.md).
   */
  accountState?: AccountState;
}

/** See PublicUser.accountState. */
export type AccountState = 'deactivated' | 'deleted';

/** The signed-in person's own profile. */
export interface SelfUser extends PublicUser {
  createdAt: string;
  /** True for an instance administrator (may open the admin page and its `/api/admin` routes). */
  instanceAdmin: boolean;
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
  /**
   * Highest sequence number a device of this member has received. 0 when the viewer may not see this member's
   * receipts: the member has not accepted the conversation yet (`pending`), or a block stands between the two.
   */
  deliveredSeq: number;
  /** Highest sequence number this member has read (0 when hidden from the viewer, as `deliveredSeq`). */
  readSeq: number;
  /**
   * True while this member has not accepted: the recipient of a message request (direct) or an invited person
   * (group). A pending member reads the conversation but shares no receipts, presence or typing in it.
   */
  pending: boolean;
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

/**
 * One emoji's reactions on a message: who reacted with it (set semantics: one person counts once per emoji).
 * "Mine" is `userIds.includes(myId)`.
 */
export interface Reaction {
  /** One emoji grapheme (at most LIMITS.REACTION_EMOJI_MAX_LENGTH UTF-16 code units). */
  emoji: string;
  /** How many people reacted with it (= userIds.length, at least 1). */
  count: number;
  /** Who reacted with it, earliest first. */
  userIds: string[];
}

/** Who deleted a message: its author, or a group admin deleting someone else's. */
export type DeletedBy = 'author' | 'admin';

/**
 * The quote a reply shows of the message it answers, as that message is NOW (made when the reply is read, so an
 * edit or a deletion of the original shows in every reply to it). Clients holding replies update their quotes
 * from `message:updated` / the changes feed of the original (same `messageId`).
 */
export interface ReplyQuote {
  messageId: string;
  seq: number;
  senderId: string;
  /**
   * The start of the original's body (at most LIMITS.REPLY_SNIPPET_MAX characters, whole graphemes, an ellipsis
   * appended when cut); '' when the original is deleted or has no text (attachments only).
   */
  snippet: string;
  /** The original was deleted: show "deleted message" instead of the snippet. */
  deleted: boolean;
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
  /**
   * People the message mentions (user ids, distinct), stored as structure next to the text: each was an active
   * member of the conversation when it was sent. The text carries `@username` for each; clients highlight those.
   */
  mentions: string[];
  /** `@all` in a group: every member is mentioned (only group admins may send it). */
  mentionsAll: boolean;
  createdAt: string;
  /** The message this one replies to (same conversation), as a quote; null when it is not a reply. */
  replyTo: ReplyQuote | null;
  /** A copy forwarded from another message (possibly of another conversation); the source is not named. */
  forwarded: boolean;
  /** Reactions, one entry per distinct emoji (at most LIMITS.REACTIONS_PER_MESSAGE_MAX), earliest emoji first. */
  reactions: Reaction[];
  /** When the body was last edited; null if never. */
  editedAt: string | null;
  /**
   * When the message was deleted; null if it was not. A deleted message is a tombstone: `body` '', no
   * attachments, no reactions, `editedAt` kept; `id`, `seq`, `senderId`, `kind` and `createdAt` stay as they were.
   */
  deletedAt: string | null;
  /** Who deleted it (null while not deleted). */
  deletedBy: DeletedBy | null;
  /**
   * The conversation's change counter value of this message's latest change (edit, deletion, reaction added or
   * removed); 0 if it never changed. Of two views of one message, the one with the higher changeSeq is newer.
   */
  changeSeq: number;
}

/**
 * How a member wants to be told about a conversation's new messages (stored per member on the server, so it
 * follows them to every device): `all` every message, `mentions` only messages that mention them (or `@all`),
 * `none` nothing (the conversation is muted; its badge is shown grey).
 */
export type NotificationLevel = 'all' | 'mentions' | 'none';

export const NOTIFICATION_LEVELS: readonly NotificationLevel[] = ['all', 'mentions', 'none'];

/**
 * The characters that mark the matched words in a search snippet (Unicode private-use code points, which the
 * server strips from the text before marking it). Clients split the snippet on them and render the marked parts
 * as highlighted text nodes, never as HTML.
 */
export const SEARCH_HIGHLIGHT_START = '\uE000';
export const SEARCH_HIGHLIGHT_END = '\uE001';

/** One message found by search, with a snippet of its text in which the matched words are marked. */
export interface MessageSearchHit {
  message: Message;
  /** Part of the text around the matches; matches are wrapped in SEARCH_HIGHLIGHT_START ... SEARCH_HIGHLIGHT_END. */
  snippet: string;
  /** The sender as a public profile (null if their account is gone). */
  sender: PublicUser | null;
}

/** A window of history around one message (for jumping to it), ascending by seq. */
export interface MessageWindow {
  items: Message[];
  /** True when older messages exist below the window. */
  hasMoreBefore: boolean;
  /** True when newer messages exist above the window. */
  hasMoreAfter: boolean;
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
  /**
   * The conversation's change counter: raised by every edit, deletion and reaction change of its messages (distinct
   * from `seq`; strictly increasing, may skip values). 0 when nothing ever changed. For a viewer whose status is
   * `left`, the value when they left (they see no later changes). Resync fetches the changes after the value the
   * client holds (`GET /api/conversations/:id/changes?after=`).
   */
  changeSeq: number;
  lastMessage: Message | null;
  /** Time of the last message, or of creation when there is none. */
  lastActivityAt: string;
  /** Messages from others after the caller's read watermark. */
  unreadCount: number;
  /**
   * True while the viewer has not accepted this conversation: a message request (direct conversation opened by
   * someone who shared no conversation with them) or a group invitation. Clients list these apart ("Requests")
   * and offer Accept / Decline / Block; replying accepts.
   */
  pending: boolean;
  /** Of those, the messages that mention the caller (by id, or `@all`): the `@` badge. */
  unreadMentionCount: number;
  /** The caller's notification level for this conversation. */
  notificationLevel: NotificationLevel;
  createdAt: string;
}

/** Who may see my last-seen time: my contacts, or nobody (then I see nobody's either). */
export type LastSeenVisibility = 'contacts' | 'nobody';

/**
 * Who may add me to a group directly: everyone, my contacts (people I share an accepted conversation with), or
 * nobody. Anyone else's add becomes an invitation I accept or decline.
 */
export type GroupAddPolicy = 'everyone' | 'contacts' | 'nobody';

/** The signed-in person's privacy settings (defaults: last seen to contacts, group adds by contacts). */
export interface PrivacySettings {
  lastSeen: LastSeenVisibility;
  groupAdd: GroupAddPolicy;
}

/** Someone the signed-in person blocked, newest first in lists. */
export interface BlockedUser {
  user: PublicUser;
  blockedAt: string;
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

/**
 * A page of the changes feed: the messages changed after the requested change value, as the viewer sees them now,
 * in ascending `changeSeq` order (each message at most once, with its latest change).
 */
export interface MessageChangesPage {
  items: Message[];
  /** True when more changed messages follow: ask again with `after` = the last item's changeSeq. */
  hasMore: boolean;
}

/** A page of history, always in ascending `seq` order. */
export interface MessagePage {
  items: Message[];
  /** True when more messages exist beyond this page in the requested direction. */
  hasMore: boolean;
}
