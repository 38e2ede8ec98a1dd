import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import {
  SessionsRepository,
  type CreateSessionInput,
  type RotateResult,
} from '../sessions.repository.js';
import type { SessionRecord } from '../storage.types.js';
import { sessions } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { isUuid, toSessionRecord, translated } from './sql-support.js';

/**
 * SessionsRepository on SQL. Rotation is one conditional UPDATE, so PostgreSQL's row lock decides races: of two
 * concurrent rotations with the same token, the second re-checks `token_hash` after the first commits, no longer
 * matches, and is then treated as a reuse of the previous token.
 */
export class SqlSessionsRepository extends SessionsRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /** @throws UniqueViolationError('session_token') if the token hash is already in use (a broken RNG). */
  async create(input: CreateSessionInput): Promise<SessionRecord> {
    const [row] = await translated(() =>
      this.db
        .insert(sessions)
        .values({
          id: uuidv7(),
          userId: input.userId,
          tokenHash: input.tokenHash,
          userAgent: input.userAgent,
          expiresAt: input.expiresAt,
        })
        .returning(),
    );
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toSessionRecord(row);
  }

  async findById(id: string): Promise<SessionRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(sessions).where(eq(sessions.id, id));
    return row ? toSessionRecord(row) : null;
  }

  /**
   * 'rotated' when `presentedHash` is current and the session is live at `now` (not revoked, expiresAt > now);
   * 'reused' when it is the previous hash of a session not yet revoked (which this call revokes); 'invalid'
   * otherwise, changing nothing.
   */
  async rotate(
    presentedHash: string,
    newTokenHash: string,
    newExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    const [rotated] = await translated(() =>
      this.db
        .update(sessions)
        .set({
          previousTokenHash: sql`${sessions.tokenHash}`,
          tokenHash: newTokenHash,
          expiresAt: newExpiresAt,
          lastUsedAt: now,
        })
        .where(
          and(
            eq(sessions.tokenHash, presentedHash),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
          ),
        )
        .returning(),
    );
    if (rotated) return { status: 'rotated', session: toSessionRecord(rotated) };

    const [reused] = await this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.previousTokenHash, presentedHash), isNull(sessions.revokedAt)))
      .returning();
    if (reused) return { status: 'reused', session: toSessionRecord(reused) };
    return { status: 'invalid' };
  }

  async revokeByTokenHash(tokenHash: string, now: Date): Promise<SessionRecord | null> {
    const [row] = await this.db
      .update(sessions)
      .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(or(eq(sessions.tokenHash, tokenHash), eq(sessions.previousTokenHash, tokenHash)))
      .returning();
    return row ? toSessionRecord(row) : null;
  }

  async revoke(id: string, now: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.db
      .update(sessions)
      .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(sessions.id, id));
  }
}
