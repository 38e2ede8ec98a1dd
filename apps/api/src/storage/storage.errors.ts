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
