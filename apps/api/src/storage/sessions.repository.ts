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
  /** The presented hash was the one replaced last (a rotated token used again): the session was revoked. */
  | { status: 'reused'; session: SessionRecord }
  /** Unknown hash, or the session is revoked or expired: nothing changed. */
  | { status: 'invalid' };

/**
 * Port for refresh-token sessions. One session per sign-in on a device; its refresh token rotates on every
 * use and the old one is remembered so reuse can be detected (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2:
 * "refresh token rotation" with reuse detection revoking the family).
 */
export abstract class SessionsRepository {
  abstract create(input: CreateSessionInput): Promise<SessionRecord>;
  abstract findById(id: string): Promise<SessionRecord | null>;
  /**
   * Atomically swaps the current token hash for a new one if `presentedHash` is current and the session is
   * live at `now`. If `presentedHash` is the previous hash instead, revokes the session (reuse detected).
   * Two concurrent rotations with the same token: exactly one gets 'rotated'.
   */
  abstract rotate(
    presentedHash: string,
    newTokenHash: string,
    newExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult>;
  /** Revokes the session that holds `tokenHash` (current or previous); no-op when unknown. */
  abstract revokeByTokenHash(tokenHash: string, now: Date): Promise<SessionRecord | null>;
  abstract revoke(id: string, now: Date): Promise<void>;
}
