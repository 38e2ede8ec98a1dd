/**
 * Errors adapters throw so that services can react without knowing the database. Adapters translate their
 * driver's errors (PostgreSQL 23505, MongoDB E11000, ...) into these.
 */

/** A unique constraint was violated. `constraint` names which one in domain terms (e.g. 'username'). */
export class UniqueViolationError extends Error {
  constructor(
    readonly constraint: string,
    options?: { cause?: unknown },
  ) {
    super(`unique constraint violated: ${constraint}`, options);
    this.name = 'UniqueViolationError';
  }
}

/** A record the operation needs does not exist (e.g. appending to a conversation that was deleted). */
export class RecordNotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} not found: ${id}`);
    this.name = 'RecordNotFoundError';
  }
}

/**
 * A pagination cursor that this storage did not issue (tampered with, truncated, or from another list).
 * Services answer it as a validation error (HTTP 400), never as a server error.
 */
export class InvalidCursorError extends Error {
  constructor(readonly reason: string) {
    super(`invalid cursor: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

/**
 * A message referenced attachments it may not claim: `not_found` (no such attachment, another conversation, or
 * another uploader: one answer, so ids leak nothing) or `in_use` (already sent with a message). Nothing was stored.
 */
export class AttachmentClaimError extends Error {
  constructor(
    readonly reason: 'not_found' | 'in_use',
    readonly attachmentId: string,
  ) {
    super(`attachment ${attachmentId} cannot be claimed: ${reason}`);
    this.name = 'AttachmentClaimError';
  }
}

/**
 * A message mentioned a user who is not an active member of its conversation (`userId`: the first such id in the
 * sender's order). Nothing was stored.
 */
export class MentionMembershipError extends Error {
  constructor(readonly userId: string) {
    super(`mentioned user is not an active member: ${userId}`);
    this.name = 'MentionMembershipError';
  }
}

/** Node socket error codes that mean the database server cannot be reached or went away. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * class 08 connection exceptions, 57P01..57P03 (admin shutdown, crash shutdown, cannot connect now) and 53300
 * (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** MongoDB driver error classes of an unreachable or closed deployment. */
const MONGO_UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClosedError',
]);

/**
 * Driver messages of a closed client: PGlite after `close()` or when its thread died (PgliteThread), node-postgres after the pool ended or the
 * connection dropped. Matched only because these drivers give such failures no code.
 */
const CLOSED_CLIENT_MESSAGES =
  /PGlite is clos(ed|ing)|PGlite thread exited|Cannot use a pool after calling end on the pool|Client was closed and is not queryable|Connection terminated|Client has encountered a connection error/i;

/**
 * True when `error`, or any error in its `cause` chain (drizzle wraps driver errors in DrizzleQueryError), says the
 * database cannot be reached or was closed, as opposed to a bug or bad data. Such failures are answered
 * SERVICE_UNAVAILABLE (503), which clients retry, instead of INTERNAL. Recognises PGlite, node-postgres and the
 * MongoDB driver.
 */
export function isStorageUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth += 1) {
    const { code } = e as { code?: unknown };
    if (
      typeof code === 'string' &&
      (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))
    )
      return true;
    if (MONGO_UNAVAILABLE_NAMES.has(e.name) || CLOSED_CLIENT_MESSAGES.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

/**
 * An append with `requireActiveSender` found the sender not an active member: `never` (never a member, or the
 * conversation does not exist: one answer, so ids leak nothing) or `ended` (they left or were removed). Nothing was
 * stored.
 */
export class SenderMembershipError extends Error {
  constructor(
    readonly reason: 'never' | 'ended',
    readonly conversationId: string,
  ) {
    super(`sender is not an active member of ${conversationId}: ${reason}`);
    this.name = 'SenderMembershipError';
  }
}

/**
 * A send checked with `requireConsent` may not go ahead as it stands (nothing was stored): `blocked` (a block
 * between the two people of a direct conversation, either way), `unavailable` (the other person's account is
 * deactivated or deleted), `pending` (the sender has not accepted the
 * conversation: a message request or invitation; replying accepts it) or `peer_inactive` (the other person of a
 * direct conversation declined it earlier and is no longer a member). MessagesService resolves the last two and
 * appends again; the first two are refused.
 */
export class SendConsentError extends Error {
  constructor(
    readonly reason: 'blocked' | 'unavailable' | 'pending' | 'peer_inactive',
    readonly conversationId: string,
  ) {
    super(`send to ${conversationId} needs consent first: ${reason}`);
    this.name = 'SendConsentError';
  }
}

/** A reply named a message that is not one of its conversation's (or no message at all). Nothing was stored. */
export class ReplyTargetError extends Error {
  constructor(readonly messageId: string) {
    super(`reply target is not a message of the conversation: ${messageId}`);
    this.name = 'ReplyTargetError';
  }
}

/**
 * Adding members would take a group past its limit of active members (`max`); nothing was added. Decided inside the
 * storage's atomic step, so concurrent adds (from any API process) cannot pass the limit together.
 */
export class MemberLimitError extends Error {
  constructor(
    readonly conversationId: string,
    readonly max: number,
  ) {
    super(`conversation ${conversationId} would exceed ${max} active members`);
    this.name = 'MemberLimitError';
  }
}

/**
 * A conversation's change lock (`ConversationsRepository.withChangeLock`) was not obtained within the wait limit:
 * another change held it that long. Nothing was done; answered SERVICE_UNAVAILABLE (retry).
 */
export class ChangeLockTimeoutError extends Error {
  constructor(readonly conversationId: string) {
    super(`change lock of conversation ${conversationId} not obtained in time`);
    this.name = 'ChangeLockTimeoutError';
  }
}
