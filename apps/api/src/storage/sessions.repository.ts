import type { SessionRecord } from './storage.types.js';

export interface CreateSessionInput {
  userId: string;
  tokenHash: string;
  userAgent: string | null;
  expiresAt: Date;
}

export type RotateResult =
  /** The presented hash was current: the session now holds `newTokenHash`. */
  | { status: 'rotated'; session: SessionRecord }
  /**
   * The presented hash is one the session retired earlier, however many rotations ago (a rotated token used
   * again): the session was revoked.
   */
  | { status: 'reused'; session: SessionRecord }
  /** Unknown hash, or the session is revoked or expired: nothing changed. */
  | { status: 'invalid' };

/**
 * Port for refresh-token sessions. One session per sign-in on a device; its refresh token rotates on every
 * use and every retired token's hash is remembered so reuse of any earlier token can be detected (OAuth 2.0
 * Security BCP, RFC 9700 section 4.14.2: "refresh token rotation" with reuse detection revoking the family; a
 * thief who rotated several times before the victim refreshes is still caught). Adapters store SHA-256 hashes
 * only, never tokens. An adapter may cap the history per session, far beyond what a refresh-token lifetime
 * needs (the MongoDB adapter keeps the newest 1000: `SESSION_TOKEN_HISTORY_MAX` in mongo.schemas.ts).
 */
export abstract class SessionsRepository {
  abstract create(input: CreateSessionInput): Promise<SessionRecord>;
  abstract findById(id: string): Promise<SessionRecord | null>;
  /**
   * Atomically swaps the current token hash for a new one if `presentedHash` is current and the session is
   * live at `now`, remembering `presentedHash` as retired. If `presentedHash` is any hash the session retired
   * before (the previous one or older), revokes the session (reuse detected). Two concurrent rotations with the
   * same token: exactly one gets 'rotated' (the other, 'reused').
   */
  abstract rotate(
    presentedHash: string,
    newTokenHash: string,
    newExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult>;
  /** Revokes the session that holds `tokenHash` (current, or any hash it retired); no-op when unknown. */
  abstract revokeByTokenHash(tokenHash: string, now: Date): Promise<SessionRecord | null>;
  abstract revoke(id: string, now: Date): Promise<void>;
  /**
   * Revokes every live (not yet revoked) session of the user at `now` (account deactivated or deleted).
   * @returns the ids of the sessions this call revoked (to cut their sockets); empty when none.
   */
  abstract revokeAllForUser(userId: string, now: Date): Promise<string[]>;
}
