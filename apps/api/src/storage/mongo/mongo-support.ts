/**
 * Small pieces every MongoDB repository shares: id parsing, E11000 translation, regex escaping, and the mappers
 * from lean documents to the plain domain records (string ids, no Mongoose type crosses the port).
 */
import { Types, trusted, type Model } from 'mongoose';
import type {
  AttachmentRecord,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  ReplyTargetRecord,
  SessionRecord,
  UserRecord,
} from '../storage.types.js';
import { compareMembers } from '../domain-rules.js';
import { UniqueViolationError } from '../storage.errors.js';
import {
  GAP_KIND,
  INDEX,
  type AttachmentDoc,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
  type SessionDoc,
  type UserDoc,
} from './mongo.schemas.js';

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/**
 * Parses an id of ours. Ids are opaque strings on the wire (the SQL adapter issues UUIDs), so a malformed one
 * reads as "no such record" instead of reaching Mongoose, whose CastError would surface as a server error.
 * Only 24 hex digits count: older bson versions' `ObjectId.isValid` also accepted any 12-character string, and
 * the adapter should not depend on which bson a future Mongoose brings.
 * @returns the ObjectId, or null when `id` is not 24 hex digits.
 */
export function parseId(id: string): Types.ObjectId | null {
  return OBJECT_ID_HEX.test(id) ? new Types.ObjectId(id.toLowerCase()) : null;
}

/** parseId over many ids, dropping the malformed ones (they cannot match anything). */
export function parseIds(ids: readonly string[]): Types.ObjectId[] {
  const out: Types.ObjectId[] = [];
  for (const id of ids) {
    const parsed = parseId(id);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** Index name -> the domain name services see in UniqueViolationError.constraint (same names as the SQL adapter). */
const UNIQUE_CONSTRAINTS: Readonly<Record<string, string>> = {
  [INDEX.usernameLower]: 'username',
  [INDEX.sessionToken]: 'session_token',
  [INDEX.directKey]: 'direct_key',
  [INDEX.messageSeq]: 'message_seq',
  [INDEX.clientMessageId]: 'client_message_id',
  [INDEX.messageChange]: 'message_change',
};

/** MongoDB's DuplicateKey error code (src/mongo/base/error_codes.yml in the server repository). */
export const MONGO_DUPLICATE_KEY = 11000;

/** Key pattern (field names in order, comma-joined) -> index name, for servers whose message omits the name. */
const INDEX_BY_KEY_PATTERN: Readonly<Record<string, string>> = {
  usernameLower: INDEX.usernameLower,
  tokenHash: INDEX.sessionToken,
  directKey: INDEX.directKey,
  'conversationId,seq': INDEX.messageSeq,
  'conversationId,senderId,clientMessageId': INDEX.clientMessageId,
};

/**
 * The name of the unique index an E11000 error is about, or null when `error` is not a duplicate-key error.
 * The driver puts the code on MongoServerError (and on MongoBulkWriteError for inserts). The index name is read
 * from the message ("E11000 duplicate key error collection: db.users index: users_username_lower_uq dup key:
 * { ... }", a shape kept since MongoDB 3.x); failing that, from the error's `keyPattern` (MongoDB 4.4+); failing
 * both, the empty string.
 */
export function duplicateKeyIndex(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return null;
    const candidate = current as {
      code?: unknown;
      message?: unknown;
      keyPattern?: unknown;
      cause?: unknown;
    };
    if (candidate.code === MONGO_DUPLICATE_KEY) {
      const message = typeof candidate.message === 'string' ? candidate.message : '';
      const named = /\bindex: (\S+) dup key/.exec(message)?.[1];
      if (named) return named;
      const pattern =
        candidate.keyPattern && typeof candidate.keyPattern === 'object'
          ? Object.keys(candidate.keyPattern).join(',')
          : '';
      return INDEX_BY_KEY_PATTERN[pattern] ?? '';
    }
    current = candidate.cause;
  }
  return null;
}

/**
 * Turns a duplicate-key error into UniqueViolationError with the domain name of the index; any other error is
 * returned unchanged for the caller to throw.
 */
export function translateMongoError(error: unknown): unknown {
  const index = duplicateKeyIndex(error);
  if (index === null) return error;
  return new UniqueViolationError(UNIQUE_CONSTRAINTS[index] ?? (index || 'unknown'), {
    cause: error,
  });
}

/** Runs `fn`, translating driver errors on the way out (see translateMongoError). */
export async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateMongoError(error);
  }
}

/** Escapes every regex metacharacter so that user input matches literally inside a RegExp. */
export function escapeRegex(input: string): string {
  return input.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/*
 * Document -> record mappers. Every insert spells out every field (nulls and empty lists included) and the
 * schemas are strict, so documents always hold every field: the mappers copy them as they are.
 */

export function toUserRecord(doc: UserDoc): UserRecord {
  return {
    id: doc._id.toHexString(),
    username: doc.username,
    displayName: doc.displayName,
    passwordHash: doc.passwordHash,
    avatarUrl: doc.avatarUrl,
    lastSeenAt: doc.lastSeenAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toSessionRecord(doc: SessionDoc): SessionRecord {
  return {
    id: doc._id.toHexString(),
    userId: doc.userId.toHexString(),
    tokenHash: doc.tokenHash,
    userAgent: doc.userAgent,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    lastUsedAt: doc.lastUsedAt,
    revokedAt: doc.revokedAt,
  };
}

export function toConversationRecord(doc: ConversationDoc): ConversationRecord {
  return {
    id: doc._id.toHexString(),
    type: doc.type,
    title: doc.title,
    directKey: doc.directKey,
    createdBy: doc.createdBy.toHexString(),
    avatarUrl: doc.avatarUrl,
    lastSeq: doc.lastSeq,
    changeSeq: doc.changeSeq ?? 0,
    lastActivityAt: doc.lastActivityAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    archivedAt: doc.archivedAt,
  };
}

export function toMemberRecord(
  conversationId: Types.ObjectId | string,
  doc: MemberDoc,
): MemberRecord {
  return {
    conversationId:
      typeof conversationId === 'string' ? conversationId : conversationId.toHexString(),
    userId: doc.userId.toHexString(),
    role: doc.role,
    joinedAt: doc.joinedAt,
    deliveredSeq: doc.deliveredSeq,
    readSeq: doc.readSeq,
    leftAt: doc.leftAt,
    historyUntilSeq: doc.historyUntilSeq,
    historyUntilChangeSeq: doc.historyUntilChangeSeq ?? (doc.leftAt === null ? null : 0),
  };
}

/** True for an active membership (leftAt null). */
export function isActiveMember(doc: Pick<MemberDoc, 'leftAt'>): boolean {
  return doc.leftAt === null;
}

/** ACTIVE members of a conversation document in the port's order: joinedAt, then userId. */
export function toMemberRecords(doc: Pick<ConversationDoc, '_id' | 'members'>): MemberRecord[] {
  return doc.members
    .filter(isActiveMember)
    .map((member) => toMemberRecord(doc._id, member))
    .sort(compareMembers);
}

/**
 * A message document -> MessageRecord. `attachmentsById` holds (at least) the message's attachments; they are
 * listed in the message's own `attachmentIds` order, and any not in the map are left out.
 */
export function toMessageRecord(
  doc: MessageDoc,
  attachmentsById: ReadonlyMap<string, AttachmentRecord> = new Map(),
  replyTargets: ReadonlyMap<string, ReplyTargetRecord> = new Map(),
): MessageRecord {
  // Every reader filters gaps out; one reaching here is a bug, not a message to show.
  if (doc.kind === GAP_KIND) throw new Error(`gap document at seq ${doc.seq} read as a message`);
  const attachments: AttachmentRecord[] = [];
  for (const id of doc.attachmentIds) {
    const attachment = attachmentsById.get(id.toHexString());
    if (attachment) attachments.push(attachment);
  }
  return {
    id: doc._id.toHexString(),
    conversationId: doc.conversationId.toHexString(),
    seq: doc.seq,
    senderId: doc.senderId.toHexString(),
    clientMessageId: doc.clientMessageId,
    kind: doc.kind,
    body: doc.body,
    system: doc.system,
    attachments,
    createdAt: doc.createdAt,
    replyTo: doc.replyToId ? (replyTargets.get(doc.replyToId.toHexString()) ?? null) : null,
    forwarded: doc.forwarded === true,
    reactions: (doc.reactions ?? []).map((r) => ({
      emoji: r.emoji,
      userIds: r.userIds.map((id) => id.toHexString()),
    })),
    editedAt: doc.editedAt ?? null,
    deletedAt: doc.deletedAt ?? null,
    deletedBy: doc.deletedAt ? (doc.deletedBy ?? null) : null,
    changeSeq: doc.changeSeq ?? 0,
  };
}

/**
 * The messages replied to by `docs`, in one query by _id: hex id -> what a quote needs (deleted ones with an empty
 * body). Messages that are not replies cost nothing.
 */
export async function loadReplyTargets(
  messages: Model<MessageDoc>,
  docs: readonly Pick<MessageDoc, 'replyToId'>[],
): Promise<Map<string, ReplyTargetRecord>> {
  const ids = new Map<string, Types.ObjectId>();
  for (const doc of docs) if (doc.replyToId) ids.set(doc.replyToId.toHexString(), doc.replyToId);
  const targets = new Map<string, ReplyTargetRecord>();
  if (ids.size === 0) return targets;
  const found = await messages
    .find(
      { _id: trusted({ $in: [...ids.values()] }) },
      { seq: 1, senderId: 1, body: 1, deletedAt: 1 },
    )
    .lean<MessageDoc[]>()
    .exec();
  for (const doc of found) targets.set(doc._id.toHexString(), toReplyTarget(doc));
  return targets;
}

/** A replied-to message document -> what a quote needs (pure). */
export function toReplyTarget(doc: MessageDoc): ReplyTargetRecord {
  const deleted = doc.deletedAt != null;
  return {
    id: doc._id.toHexString(),
    seq: doc.seq,
    senderId: doc.senderId.toHexString(),
    body: deleted ? '' : doc.body,
    deleted,
  };
}

/** The attachment record as the port shows it; the claim bookkeeping (claimKey, claimedAt) stays inside. */
export function toAttachmentRecord(doc: AttachmentDoc): AttachmentRecord {
  return {
    id: doc._id.toHexString(),
    conversationId: doc.conversationId.toHexString(),
    uploaderId: doc.uploaderId.toHexString(),
    messageId: doc.messageId ? doc.messageId.toHexString() : null,
    kind: doc.kind,
    name: doc.name,
    mimeType: doc.mimeType,
    size: doc.size,
    width: doc.width,
    height: doc.height,
    storageKey: doc.storageKey,
    thumbnailKey: doc.thumbnailKey,
    createdAt: doc.createdAt,
  };
}
