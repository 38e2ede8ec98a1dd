/**
 * MongoDB collections of the chat, as Mongoose 9 schemas, with one index per query the repositories make.
 *
 * Layout (why it looks like this; see docs/storage.md):
 * - `users`, `sessions`, `messages`: one document per record.
 * - `conversations`: members are EMBEDDED in their conversation (`members: [{ userId, role, joinedAt,
 *   deliveredSeq, readSeq }]`). A standalone mongod (the Docker default) has no multi-document transactions,
 *   and embedding makes the two writes that must be atomic single-document writes: creating a direct
 *   conversation together with its two members, and reading a membership together with the conversation's
 *   `lastSeq` for unread counts. The conversation list is served by a multikey index on
 *   (`members.userId`, `lastActivityAt` desc, `_id` desc): the sort keys are scalars of the conversation, so
 *   MongoDB walks that index in order and stops after one page (keyset, no in-memory sort). The cost: every
 *   receipt (watermark) update rewrites the conversation document, which is fine while groups stay small
 *   (a few hundred members: well under the 16 MiB document limit). See MongoDB's "Model One-to-Few
 *   Relationships with Embedded Documents" and "Multikey Indexes" pages for the rules relied on.
 *
 * Every schema sets `strictQuery: 'throw'` and `strict: 'throw'`: a filter, an update or an insert naming a path
 * the schema does not declare is an error, never a silently widened query or a silently dropped update (with
 * the default `strict: true`, Mongoose drops an unknown `$set` path and runs what is left, possibly nothing).
 * Operator injection is closed separately by the connection's `sanitizeFilter`.
 * Collections get explicit names so that the database reads the same whatever Mongoose's pluraliser does.
 *
 * Index names are fixed (`name`) because E11000 errors are translated into domain constraint names by index
 * name (see mongo-errors.ts), the same domain names the SQL adapter uses.
 */
import { Schema, type Types } from 'mongoose';
import type {
  AttachmentKind,
  ConversationType,
  DeletedBy,
  MemberRole,
  MessageKind,
  SystemEvent,
} from '@chat/shared';

/** Token of the Mongoose connection the adapter owns (a named connection leaves the default one alone). */
export const MONGO_CONNECTION_NAME = 'chat-storage';

/** Model names, also the Nest injection names of the models (via getModelToken). */
export const MODEL = {
  user: 'User',
  session: 'Session',
  conversation: 'Conversation',
  message: 'Message',
  attachment: 'Attachment',
} as const;

/** Unique index names, the keys of the E11000 -> domain constraint table. */
export const INDEX = {
  usernameLower: 'users_username_lower_uq',
  sessionToken: 'sessions_token_hash_uq',
  directKey: 'conversations_direct_key_uq',
  messageSeq: 'messages_conversation_seq_uq',
  clientMessageId: 'messages_client_id_uq',
  messageChange: 'messages_changes_uq',
} as const;

export interface UserDoc {
  _id: Types.ObjectId;
  username: string;
  /** `username.toLowerCase()`: the case-insensitive unique key and the search/sort key. */
  usernameLower: string;
  displayName: string;
  /**
   * The lower-cased display name from the start of each of its words to its end (displayNameKeys): a word-prefix
   * search is then an anchored regex on this multikey field, an index range scan.
   */
  displayNameKeys: string[];
  passwordHash: string;
  avatarUrl: string | null;
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  tokenHash: string;
  /** Hashes this session retired by rotation, oldest first, the newest SESSION_TOKEN_HISTORY_MAX only. */
  retiredTokenHashes: string[];
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date;
  revokedAt: Date | null;
}

export interface MemberDoc {
  userId: Types.ObjectId;
  role: MemberRole;
  joinedAt: Date;
  deliveredSeq: number;
  readSeq: number;
  /** Null while active. */
  leftAt: Date | null;
  historyUntilSeq: number | null;
  /** The conversation's changeSeq when they left; null while active (absent on documents from before it existed). */
  historyUntilChangeSeq?: number | null;
}

/** A change value allocated and not yet applied (MongoMessagesRepository's change steps), with its time. */
export interface ChangeInFlightDoc {
  seq: number;
  at: Date;
}

export interface ConversationDoc {
  _id: Types.ObjectId;
  type: ConversationType;
  title: string | null;
  directKey: string | null;
  createdBy: Types.ObjectId;
  avatarUrl: string | null;
  /** The last seq allocated (by `$inc`; its message may not be stored yet). */
  lastSeq: number;
  /**
   * The visibility watermark: every seq up to it holds its message document or a gap document, so readers
   * (history pages) see messages up to it only, and a reader catching up with `after` never passes a seq whose
   * message is still on its way (see MongoMessagesRepository and docs/storage.md). Only grows (`$max`).
   */
  committedSeq: number;
  /** The change counter (edits, deletions, reactions), raised by a pipeline update (absent: 0). */
  changeSeq?: number;
  /**
   * Change values allocated whose message update has not finished yet: the changes feed reads only below the
   * lowest of them, so a reader never passes a value that is still on its way (see MongoMessagesRepository).
   */
  changesInFlight?: ChangeInFlightDoc[];
  lastActivityAt: Date;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  members: MemberDoc[];
}

/**
 * Kind of a gap document: a placeholder that holds a seq no message will take (an append that lost an
 * idempotency race, or a crash between allocation and insert), so the visibility watermark can pass it.
 * Readers never return one.
 */
export const GAP_KIND = 'gap';

export interface MessageDoc {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  seq: number;
  senderId: Types.ObjectId;
  clientMessageId: string;
  kind: MessageKind | typeof GAP_KIND;
  body: string;
  system: SystemEvent | null;
  /** The attachments this message claimed, in the sender's order (the truth for display; see docs/storage.md). */
  attachmentIds: Types.ObjectId[];
  createdAt: Date;
  /** Optional fields below: documents stored before message actions existed lack them (read as the defaults). */
  replyToId?: Types.ObjectId | null;
  forwarded?: boolean;
  /** One entry per distinct emoji, earliest first; users earliest first. */
  reactions?: ReactionDoc[];
  editedAt?: Date | null;
  deletedAt?: Date | null;
  deletedBy?: DeletedBy | null;
  /** The conversation's change value of the latest change; 0 (or absent) if never changed. */
  changeSeq?: number;
}

export interface ReactionDoc {
  emoji: string;
  userIds: Types.ObjectId[];
  /** When the emoji was first used on the message (display order). */
  at: Date;
}

export interface AttachmentDoc {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  uploaderId: Types.ObjectId;
  /** The claiming message; null while unsent. */
  messageId: Types.ObjectId | null;
  /**
   * Set while a claim is in flight (between the claim and the message insert of MessagesRepository.append):
   * `conversationId:senderId:clientMessageId` of the send, so a retry of that same send may take the claim
   * over after a crash. Null once the message is stored (or while unsent).
   */
  claimKey: string | null;
  /** When the in-flight claim was made; null otherwise. The sweep settles claims left in flight by a crash. */
  claimedAt: Date | null;
  kind: AttachmentKind;
  name: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnailKey: string | null;
  createdAt: Date;
}

/**
 * Options shared by every schema. `versionKey: false`: documents are only changed through atomic update
 * operators, never by save(), so optimistic-concurrency version numbers would be noise.
 */
const common = { strict: 'throw', strictQuery: 'throw', versionKey: false, id: false } as const;

export const UserSchema = new Schema<UserDoc>(
  {
    username: { type: String, required: true },
    usernameLower: { type: String, required: true },
    displayName: { type: String, required: true },
    displayNameKeys: { type: [String], required: true },
    passwordHash: { type: String, required: true },
    avatarUrl: { type: String, default: null },
    lastSeenAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...common, collection: 'users' },
);
// findByUsername, the unique rule, prefix search on the username and the search keyset order (usernameLower
// is unique, so it alone is a total order; ids never need to break ties).
UserSchema.index({ usernameLower: 1 }, { unique: true, name: INDEX.usernameLower });
// Word-prefix search on the display name: an anchored regex on the multikey keys (one entry per word).
UserSchema.index({ displayNameKeys: 1 }, { name: 'users_display_name_keys_idx' });

/**
 * The search keys of a display name (pure, unit-tested): its lower-cased text from each position at the start or
 * after a space, to the end. `'Ada  Lovelace'` -> `['ada  lovelace', ' lovelace', 'lovelace']`. A query `q`
 * then matches a key by prefix exactly when `(' ' || lower(displayName)) LIKE '% q%'`, the SQL adapter's rule.
 */
export function displayNameKeys(displayName: string): string[] {
  const lower = displayName.toLowerCase();
  const keys = new Set<string>();
  for (let i = 0; i < lower.length; i += 1) {
    if (i === 0 || lower[i - 1] === ' ') keys.add(lower.slice(i));
  }
  return [...keys];
}

/**
 * How many retired refresh-token hashes a session document keeps for reuse detection. The web app rotates at most
 * about every 15 minutes while a tab is open (a proactive refresh shortly before the access token's default 900 s
 * TTL), about 100 a day, so 1000 covers some 10 days of uninterrupted use; 1000 SHA-256 hex strings are about
 * 70 KB, far below MongoDB's 16 MB document limit. Older hashes then count as unknown ('invalid'), not reuse.
 */
export const SESSION_TOKEN_HISTORY_MAX = 1000;

/** How long an expired session document is kept before the TTL index deletes it, in seconds (7 days). */
export const SESSION_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export const SessionSchema = new Schema<SessionDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    tokenHash: { type: String, required: true },
    retiredTokenHashes: { type: [String], default: [] },
    userAgent: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    lastUsedAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { ...common, collection: 'sessions' },
);
// rotate (the conditional swap) and revokeByTokenHash.
SessionSchema.index({ tokenHash: 1 }, { unique: true, name: INDEX.sessionToken });
// Reuse detection of any retired token, the last one included (multikey: one entry per array element). A plain
// equality on the array field, so this index serves it; no partial index is involved (a partial index only
// serves a query whose filter provably implies the index's filter, which a `$type` condition does not get from
// an equality branch of an `$or`).
SessionSchema.index({ retiredTokenHashes: 1 }, { name: 'sessions_retired_token_hashes_idx' });
// "sign out everywhere" and per-user session lists (next issues).
SessionSchema.index({ userId: 1 }, { name: 'sessions_user_id_idx' });
// Expired sessions are deleted by MongoDB's TTL monitor (a pass about every 60 s) SESSION_RETENTION_SECONDS
// after their expiresAt, which rotation moves later, so a session in use is never deleted. Until then a
// retired token of an expired session is still recognised as a reuse (and answered 401 either way).
SessionSchema.index(
  { expiresAt: 1 },
  { name: 'sessions_expires_ttl', expireAfterSeconds: SESSION_RETENTION_SECONDS },
);

const MemberSchema = new Schema<MemberDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ['member', 'admin'], required: true },
    joinedAt: { type: Date, required: true },
    deliveredSeq: { type: Number, required: true, min: 0 },
    readSeq: { type: Number, required: true, min: 0 },
    leftAt: { type: Date, default: null },
    historyUntilSeq: { type: Number, default: null },
    historyUntilChangeSeq: { type: Number, default: null },
  },
  { _id: false, ...common },
);

export const ConversationSchema = new Schema<ConversationDoc>(
  {
    type: { type: String, enum: ['direct', 'group'], required: true },
    title: { type: String, default: null },
    directKey: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    avatarUrl: { type: String, default: null },
    lastSeq: { type: Number, required: true, min: 0 },
    committedSeq: { type: Number, required: true, min: 0 },
    changeSeq: { type: Number, default: 0, min: 0 },
    changesInFlight: {
      type: [new Schema<ChangeInFlightDoc>({ seq: Number, at: Date }, { _id: false })],
      default: [],
    },
    lastActivityAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    archivedAt: { type: Date, default: null },
    members: { type: [MemberSchema], required: true },
  },
  { ...common, collection: 'conversations' },
);
// findOrCreateDirect: one direct conversation per pair. Partial, so group conversations (directKey null) never
// collide with each other.
ConversationSchema.index(
  { directKey: 1 },
  {
    unique: true,
    name: INDEX.directKey,
    partialFilterExpression: { type: 'direct' },
  },
);
// listForUser (keyset walk in list order), findMember, listContactIds.
ConversationSchema.index(
  { 'members.userId': 1, lastActivityAt: -1, _id: -1 },
  { name: 'conversations_member_activity_idx' },
);

export const MessageSchema = new Schema<MessageDoc>(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true, min: 1 },
    senderId: { type: Schema.Types.ObjectId, required: true },
    clientMessageId: { type: String, required: true },
    kind: { type: String, enum: ['text', 'system', GAP_KIND], required: true },
    // Empty text is allowed (a message of attachments only); `required` would refuse ''.
    body: { type: String, default: '' },
    // A plain object written and read whole; Mixed because its shape varies with `type` (SystemEvent).
    system: { type: Schema.Types.Mixed, default: null },
    attachmentIds: { type: [Schema.Types.ObjectId], default: [] },
    createdAt: { type: Date, required: true },
    replyToId: { type: Schema.Types.ObjectId, default: null },
    forwarded: { type: Boolean, default: false },
    reactions: {
      type: [
        new Schema<ReactionDoc>(
          { emoji: String, userIds: [Schema.Types.ObjectId], at: Date },
          { _id: false },
        ),
      ],
      default: [],
    },
    editedAt: { type: Date, default: null },
    deletedAt: { type: Date, default: null },
    deletedBy: { type: String, enum: ['author', 'admin', null], default: null },
    changeSeq: { type: Number, default: 0, min: 0 },
  },
  { ...common, collection: 'messages' },
);
// History pages (newest / before / after) and each conversation's last message: range scans on this.
MessageSchema.index({ conversationId: 1, seq: 1 }, { unique: true, name: INDEX.messageSeq });
// Idempotent sends: a retried (conversation, sender, client id) finds the stored message.
MessageSchema.index(
  { conversationId: 1, senderId: 1, clientMessageId: 1 },
  { unique: true, name: INDEX.clientMessageId },
);
// The changes feed: a conversation's changed messages by change value (partial: unchanged messages, the vast
// majority, are not in it). Unique: one value stamps one message.
MessageSchema.index(
  { conversationId: 1, changeSeq: 1 },
  {
    unique: true,
    name: INDEX.messageChange,
    partialFilterExpression: { changeSeq: { $gt: 0 } },
  },
);

export const AttachmentSchema = new Schema<AttachmentDoc>(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    uploaderId: { type: Schema.Types.ObjectId, required: true },
    messageId: { type: Schema.Types.ObjectId, default: null },
    claimKey: { type: String, default: null },
    claimedAt: { type: Date, default: null },
    kind: { type: String, enum: ['image', 'file'], required: true },
    name: { type: String, required: true },
    mimeType: { type: String, required: true },
    size: { type: Number, required: true, min: 0 },
    width: { type: Number, default: null },
    height: { type: Number, default: null },
    storageKey: { type: String, required: true },
    thumbnailKey: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...common, collection: 'attachments' },
);
// The unsent sweep ({messageId: null, createdAt < cutoff}, oldest first) and the attachments of given messages.
AttachmentSchema.index({ messageId: 1, createdAt: 1 }, { name: 'attachments_message_idx' });
// The daily quota: sum of sizes of one uploader since a time.
AttachmentSchema.index({ uploaderId: 1, createdAt: 1 }, { name: 'attachments_uploader_idx' });
// Claims left in flight by a crash (rare; only documents with a claim time are in the index).
AttachmentSchema.index(
  { claimedAt: 1 },
  { name: 'attachments_claimed_idx', partialFilterExpression: { claimedAt: { $type: 'date' } } },
);

/**
 * The names of the indexes a schema declares, plus MongoDB's own `_id_`, sorted: what `listIndexes` must show
 * once the model's init() has run. Every declared index carries a fixed `name` (see the file comment).
 * @throws Error naming the fields of an index declared without a name.
 */
export function declaredIndexNames(schema: Schema): string[] {
  const names = schema.indexes().map(([fields, options]) => {
    if (typeof options?.name !== 'string') {
      throw new Error(`index ${JSON.stringify(fields)} is declared without a name`);
    }
    return options.name;
  });
  return ['_id_', ...names].sort();
}
