import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import type { SessionsRepository } from '../storage/sessions.repository.js';
import type { SessionRecord } from '../storage/storage.types.js';
import { SESSION_LIVENESS_CACHE_MS, SessionLiveness } from './session-liveness.js';

const user = { userId: 'u1', sessionId: 's1' };
const revoked = { code: ErrorCode.SESSION_REVOKED, message: 'signed out' };

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: 's1',
    userId: 'u1',
    tokenHash: 'h',
    userAgent: null,
    createdAt: new Date(now),
    expiresAt: new Date(now + 60 * 60_000),
    lastUsedAt: new Date(now),
    revokedAt: null,
    ...overrides,
  };
}

/** A SessionsRepository whose findById answers from `current` (only findById is used by the rule). */
function repository(current: { record: SessionRecord | null }) {
  const findById = jest.fn(async (id: string) => {
    void id;
    return current.record;
  });
  return { repo: { findById } as unknown as SessionsRepository, findById };
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('SessionLiveness', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('accepts a live session and refuses a revoked, expired, unknown or other user’s one', async () => {
    const current: { record: SessionRecord | null } = { record: session() };
    const liveness = new SessionLiveness(repository(current).repo);
    await expect(liveness.requireLive(user)).resolves.toBeUndefined();
    for (const record of [
      session({ revokedAt: new Date() }),
      session({ expiresAt: new Date(Date.now() - 1) }),
      session({ userId: 'someone else' }),
      null,
    ]) {
      current.record = record;
      expect(await codeOf(liveness.requireLive(user))).toBe(ErrorCode.SESSION_REVOKED);
    }
  });

  it('reads afresh by default and reuses a live answer only up to maxAgeMs (capped at the cache time)', async () => {
    const current: { record: SessionRecord | null } = { record: session() };
    const { repo, findById } = repository(current);
    const liveness = new SessionLiveness(repo);
    const cached = { maxAgeMs: SESSION_LIVENESS_CACHE_MS };
    await liveness.requireLive(user, cached);
    await liveness.requireLive(user, cached);
    expect(findById).toHaveBeenCalledTimes(1);
    await liveness.requireLive(user);
    expect(findById).toHaveBeenCalledTimes(2);

    // Revoked by another process: refused once the answer is older than the cache time, never later.
    current.record = session({ revokedAt: new Date() });
    await liveness.requireLive(user, cached);
    jest.advanceTimersByTime(SESSION_LIVENESS_CACHE_MS + 1);
    expect(
      await codeOf(liveness.requireLive(user, { maxAgeMs: 10 * SESSION_LIVENESS_CACHE_MS })),
    ).toBe(ErrorCode.SESSION_REVOKED);
  });

  it('forgets a session at once on session.revoked, and never caches an answer read across a revocation', async () => {
    const current: { record: SessionRecord | null } = { record: session() };
    const { repo, findById } = repository(current);
    const liveness = new SessionLiveness(repo);
    const cached = { maxAgeMs: SESSION_LIVENESS_CACHE_MS };
    await liveness.requireLive(user, cached);
    current.record = session({ revokedAt: new Date() });
    liveness.forget({ sessionId: 's1', reason: revoked });
    expect(await codeOf(liveness.requireLive(user, cached))).toBe(ErrorCode.SESSION_REVOKED);

    // A read that started before the revocation answers "live" but must not be remembered.
    current.record = session();
    let release: () => void = () => {};
    findById.mockImplementationOnce(
      () =>
        new Promise<SessionRecord>((resolve) => {
          release = () => resolve(session());
        }),
    );
    const slow = liveness.requireLive(user, cached);
    liveness.forget({ sessionId: 's1', reason: revoked });
    release();
    await slow;
    current.record = session({ revokedAt: new Date() });
    expect(await codeOf(liveness.requireLive(user, cached))).toBe(ErrorCode.SESSION_REVOKED);
  });

  it('answers SERVICE_UNAVAILABLE when the session store cannot be read', async () => {
    const { repo, findById } = repository({ record: null });
    findById.mockRejectedValueOnce(new Error('database down'));
    const liveness = new SessionLiveness(repo);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => {});
    expect(await codeOf(liveness.requireLive(user))).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(logged).toHaveBeenCalledTimes(1);
  });
});
