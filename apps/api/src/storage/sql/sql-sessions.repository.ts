import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { uuidv7 } from './uuid-v7.js';
import {
  SessionsRepository,
  type CreateSessionInput,
  type RotateResult,
} from '../sessions.repository.js';
import type { SessionRecord } from '../storage.types.js';
import { sessions, sessionTokenHistory } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { isUuid, toSessionRecord, translated } from './sql-support.js';

/**
 * SessionsRepository on SQL. Rotation is one conditional UPDATE plus the retired hash's row in
 * `session_token_history`, in one transaction, so PostgreSQL's row lock decides races: of two concurrent rotations
 * with the same token, the second re-checks `token_hash` after the first commits, no longer matches, and then finds
 * the token in the history: a reuse. Every hash a session ever retired stays in the history (until the session
 * row is deleted), so a token any number of rotations old is a reuse, not merely unknown.
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
   * 'rotated' when `presentedHash` is current and the session is live at `now` (not revoked, expiresAt > now), and
   * the presented hash joins the session's history; 'reused' when it is any hash the session retired before (any
   * number of rotations ago) and the session is not yet revoked (this call revokes it); 'invalid' otherwise,
   * changing nothing.
   */
  async rotate(
    presentedHash: string,
    newTokenHash: string,
    newExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    const rotated = await translated(() =>
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(sessions)
          .set({
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
          .returning();
        if (row) {
          await tx
            .insert(sessionTokenHistory)
            .values({ tokenHash: presentedHash, sessionId: row.id, retiredAt: now });
        }
        return row;
      }),
    );
    if (rotated) return { status: 'rotated', session: toSessionRecord(rotated) };

    const [reused] = await this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(inArray(sessions.id, this.retiredBy(presentedHash)), isNull(sessions.revokedAt)))
      .returning();
    if (reused) return { status: 'reused', session: toSessionRecord(reused) };
    return { status: 'invalid' };
  }

  /** Revokes the session whose current token, or any token it retired, has `tokenHash`. */
  async revokeByTokenHash(tokenHash: string, now: Date): Promise<SessionRecord | null> {
    const [row] = await this.db
      .update(sessions)
      .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(or(eq(sessions.tokenHash, tokenHash), inArray(sessions.id, this.retiredBy(tokenHash))))
      .returning();
    return row ? toSessionRecord(row) : null;
  }

  /** The id of the session that retired `tokenHash` (a subquery: zero or one row, by the primary key). */
  private retiredBy(tokenHash: string) {
    return this.db
      .select({ id: sessionTokenHistory.sessionId })
      .from(sessionTokenHistory)
      .where(eq(sessionTokenHistory.tokenHash, tokenHash));
  }

  async revoke(id: string, now: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.db
      .update(sessions)
      .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(sessions.id, id));
  }

  /** One UPDATE over the user's sessions (sessions_user_id_idx). */
  async revokeAllForUser(userId: string, now: Date): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.map((row) => row.id);
  }
}
