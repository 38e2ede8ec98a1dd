/**
 * Small pieces every SQL repository shares: id checks, driver-error translation, LIKE escaping, row mappers.
 */
import type { InferSelectModel, SQL } from 'drizzle-orm';
import type {
  AttachmentRecord,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  ReactionRecord,
  ReplyTargetRecord,
  SessionRecord,
  UserRecord,
} from '../storage.types.js';
import { UniqueViolationError } from '../storage.errors.js';
import type {
  attachments,
  conversationMembers,
  conversations,
  messages,
  sessions,
  users,
} from './schema.js';
import type { SqlDb } from './sql-database.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `id` can be a key of ours. Ids are opaque strings on the wire (another adapter uses ObjectIds), so
 * a malformed one must read as "not found" rather than reach PostgreSQL, which would refuse it as a uuid
 * (SQLSTATE 22P02) and surface as a server error.
 */
export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** The fields of a PostgreSQL error both drivers expose (pg's DatabaseError and PGlite's share pg-protocol). */
interface PgErrorFields {
  code: string;
  constraint?: string;
}

/**
 * Finds the PostgreSQL error inside whatever the driver threw: drizzle 0.45 wraps it in DrizzleQueryError
 * (`cause`), transactions may wrap again.
 */
export function findPgError(error: unknown): PgErrorFields | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return null;
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        ...(typeof candidate.constraint === 'string' ? { constraint: candidate.constraint } : {}),
      };
    }
    current = candidate.cause;
  }
  return null;
}

/** Index name -> the domain name services see in UniqueViolationError.constraint. */
const UNIQUE_CONSTRAINTS: Readonly<Record<string, string>> = {
  users_username_lower_uq: 'username',
  sessions_token_hash_uq: 'session_token',
  conversations_direct_key_uq: 'direct_key',
  conversation_members_pk: 'member',
  messages_conversation_seq_uq: 'message_seq',
  messages_client_id_uq: 'client_message_id',
};

/** SQLSTATE unique_violation (PostgreSQL manual, appendix A "Error Codes"). */
export const PG_UNIQUE_VIOLATION = '23505';
/** SQLSTATE foreign_key_violation. */
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/**
 * Rethrows a unique violation (23505) as UniqueViolationError with the domain name of the constraint; any other
 * error is returned unchanged for the caller to throw.
 */
export function translateError(error: unknown): unknown {
  const pgError = findPgError(error);
  if (pgError?.code === PG_UNIQUE_VIOLATION) {
    const name = pgError.constraint ?? 'unknown';
    return new UniqueViolationError(UNIQUE_CONSTRAINTS[name] ?? name, { cause: error });
  }
  return error;
}

/** Runs `fn`, translating driver errors on the way out (see translateError). */
export async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateError(error);
  }
}

/**
 * Runs a raw statement and returns its rows as `T`. Both drivers answer `{ rows }`; drizzle types the result
 * per driver, so with the shared `SqlDb` type the rows have to be named here. Raw rows bypass drizzle's column
 * mapping: keys are SQL names, and timestamps arrive as the driver gives them (use row_to_json or casts).
 */
export async function queryRows<T extends Record<string, unknown>>(
  db: SqlDb,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute<T>(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Escapes LIKE's wildcards (`%`, `_`) and its escape character so that user input matches literally; use
 * with `ESCAPE '\'`.
 */
export function escapeLike(input: string): string {
  return input.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function toUserRecord(row: InferSelectModel<typeof users>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    passwordHash: row.passwordHash,
    avatarUrl: row.avatarUrl,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toSessionRecord(row: InferSelectModel<typeof sessions>): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export function toConversationRecord(
  row: InferSelectModel<typeof conversations>,
): ConversationRecord {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    directKey: row.directKey,
    createdBy: row.createdBy,
    avatarUrl: row.avatarUrl,
    lastSeq: row.lastSeq,
    changeSeq: row.changeSeq,
    lastActivityAt: row.lastActivityAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    archivedAt: row.archivedAt,
  };
}

export function toMemberRecord(row: InferSelectModel<typeof conversationMembers>): MemberRecord {
  return {
    conversationId: row.conversationId,
    userId: row.userId,
    role: row.role,
    joinedAt: row.joinedAt,
    deliveredSeq: row.deliveredSeq,
    readSeq: row.readSeq,
    leftAt: row.leftAt,
    historyUntilSeq: row.historyUntilSeq,
    historyUntilChangeSeq: row.historyUntilChangeSeq,
  };
}

/** What a messages row needs besides itself to become a MessageRecord (fetched in batches, see sql-message-views). */
export interface MessageExtras {
  attachments?: AttachmentRecord[];
  reactions?: ReactionRecord[];
  replyTo?: ReplyTargetRecord | null;
}

/** A messages row -> MessageRecord; attachments, reactions and the reply target are fetched separately. */
export function toMessageRecord(
  row: InferSelectModel<typeof messages>,
  extras: MessageExtras = {},
): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq,
    senderId: row.senderId,
    clientMessageId: row.clientMessageId,
    kind: row.kind,
    body: row.body,
    system: row.system ?? null,
    attachments: extras.attachments ?? [],
    createdAt: row.createdAt,
    replyTo: extras.replyTo ?? null,
    forwarded: row.forwarded,
    reactions: extras.reactions ?? [],
    editedAt: row.editedAt,
    deletedAt: row.deletedAt,
    deletedBy: row.deletedBy,
    changeSeq: row.changeSeq,
  };
}

export function toAttachmentRecord(row: InferSelectModel<typeof attachments>): AttachmentRecord {
  return {
    id: row.id,
    conversationId: row.conversationId,
    uploaderId: row.uploaderId,
    messageId: row.messageId,
    kind: row.kind,
    name: row.name,
    mimeType: row.mimeType,
    size: row.size,
    width: row.width,
    height: row.height,
    storageKey: row.storageKey,
    thumbnailKey: row.thumbnailKey,
    createdAt: row.createdAt,
  };
}

/**
 * An attachments row as `row_to_json`/`json_agg` writes it (snake_case keys, timestamptz as ISO 8601 text),
 * for statements that return attachments inside JSON.
 */
export interface AttachmentJson {
  id: string;
  conversation_id: string;
  uploader_id: string;
  message_id: string | null;
  kind: AttachmentRecord['kind'];
  name: string;
  mime_type: string;
  size: number | string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  created_at: string;
}

/** Parses a JSON value the driver handed over (parsed already, or as text). */
export function parseJsonValue<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toAttachmentFromJson(row: AttachmentJson): AttachmentRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    uploaderId: row.uploader_id,
    messageId: row.message_id,
    kind: row.kind,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    width: row.width,
    height: row.height,
    storageKey: row.storage_key,
    thumbnailKey: row.thumbnail_key,
    createdAt: new Date(row.created_at),
  };
}
