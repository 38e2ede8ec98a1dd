import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { type DomainEventMap, OnDomainEvent } from '../events/domain-events.js';
import { SessionsRepository } from '../storage/sessions.repository.js';
import type { AuthUser } from './auth.types.js';

/**
 * How long a "live" answer may be reused for REST requests, in milliseconds: a session revoked by another API
 * process is refused on REST at most this long after the revocation (in the revoking process at once, see
 * `forget`). Sockets always read the session afresh (docs/protocol.md, "Sessions").
 */
export const SESSION_LIVENESS_CACHE_MS = 5_000;

/** Above this many cached answers, stale ones are swept on the next store. */
const SWEEP_ABOVE = 10_000;

interface LiveAnswer {
  userId: string;
  /** When the session itself expires (ms since the epoch). */
  expiresAt: number;
  /** When the answer was read (ms since the epoch). */
  checkedAt: number;
}

/**
 * The one rule for "is this access token's session still live": the session exists, belongs to the token's user,
 * is not revoked and has not expired. An access token outlives its session by up to its TTL (a sign-out does not
 * recall tokens already issued), so the session record is the authority. Used by the socket handshake,
 * `session:renew`, the live-state gateway's re-check after joining the session room, the REST JWT strategy and
 * the media guard.
 *
 * Positive answers are cached for SESSION_LIVENESS_CACHE_MS and used where the caller allows (`maxAgeMs`); a
 * `session.revoked` event drops the session's answer at once, and a read that started before such an event never
 * stores its (then stale) answer.
 */
@Injectable()
export class SessionLiveness {
  private readonly logger = new Logger(SessionLiveness.name);
  private readonly live = new Map<string, LiveAnswer>();
  /** Bumped by every revocation heard: a read started under an older epoch does not cache its answer. */
  private epoch = 0;

  constructor(private readonly sessions: SessionsRepository) {}

  /**
   * Resolves when `user.sessionId` is live for `user.userId` now.
   * @param options.maxAgeMs reuse a live answer at most this old (0, the default: read the session now)
   * @throws AppError SESSION_REVOKED (401) when the session is gone, revoked, expired or another user's;
   *   SERVICE_UNAVAILABLE (503) when the session store cannot be read (clients retry later)
   */
  async requireLive(user: AuthUser, options: { maxAgeMs?: number } = {}): Promise<void> {
    const now = Date.now();
    const maxAgeMs = Math.min(options.maxAgeMs ?? 0, SESSION_LIVENESS_CACHE_MS);
    const cached = this.live.get(user.sessionId);
    if (
      cached &&
      maxAgeMs > 0 &&
      now - cached.checkedAt <= maxAgeMs &&
      cached.expiresAt > now &&
      cached.userId === user.userId
    ) {
      return;
    }
    const epoch = this.epoch;
    let session;
    try {
      session = await this.sessions.findById(user.sessionId);
    } catch (error) {
      // The database is down: say so with a code clients retry later (an INTERNAL refusal would be final).
      this.logger.error(error);
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'Sessions cannot be checked right now.');
    }
    const checkedAt = Date.now();
    if (
      !session ||
      session.userId !== user.userId ||
      session.revokedAt !== null ||
      session.expiresAt.getTime() <= checkedAt
    ) {
      this.live.delete(user.sessionId);
      throw new AppError(ErrorCode.SESSION_REVOKED, 'This session was signed out.');
    }
    if (epoch !== this.epoch) return;
    if (this.live.size > SWEEP_ABOVE) this.sweep(checkedAt);
    this.live.set(user.sessionId, {
      userId: session.userId,
      expiresAt: session.expiresAt.getTime(),
      checkedAt,
    });
  }

  /** Listener of `session.revoked`: the session's cached answer goes at once. */
  @OnDomainEvent('session.revoked')
  forget({ sessionId }: DomainEventMap['session.revoked']): void {
    this.epoch += 1;
    this.live.delete(sessionId);
  }

  private sweep(now: number): void {
    for (const [sessionId, answer] of this.live) {
      if (now - answer.checkedAt > SESSION_LIVENESS_CACHE_MS) this.live.delete(sessionId);
    }
  }
}
