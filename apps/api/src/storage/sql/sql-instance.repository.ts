import type { RegistrationMode, ReportStatus } from '@chat/shared';
import { and, desc, eq, gt, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from './uuid-v7.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import {
  InstanceRepository,
  type CreateInviteInput,
  type CreateReportInput,
  type InstanceSettingsRecord,
  type InviteRecord,
  type ReportRecord,
} from '../instance.repository.js';
import type { RecordPage } from '../storage.types.js';
import { instanceSettings, invites, reports } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { isUuid, translated } from './sql-support.js';

/** Newest-first keyset cursor: the last item's createdAt (ISO) and id. */
type TimeCursor = { t: string; id: string };
const isTimeCursor = (value: unknown): value is TimeCursor =>
  hasStringFields(value, ['t', 'id']) && isUuid(value.id) && !Number.isNaN(Date.parse(value.t));

/** The settings row's fixed key. */
const SETTINGS_ID = 1;

type InviteRow = typeof invites.$inferSelect;
type ReportRow = typeof reports.$inferSelect;

const toInvite = (row: InviteRow): InviteRecord => ({
  id: row.id,
  token: row.token,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  maxUses: row.maxUses,
  uses: row.uses,
  revokedAt: row.revokedAt,
});

const toReport = (row: ReportRow): ReportRecord => ({
  id: row.id,
  target: row.target,
  reporterId: row.reporterId,
  reportedUserId: row.reportedUserId,
  conversationId: row.conversationId,
  seq: row.seq,
  messageBody: row.messageBody,
  messageSentAt: row.messageSentAt,
  reason: row.reason,
  status: row.status,
  createdAt: row.createdAt,
  resolvedAt: row.resolvedAt,
  resolvedBy: row.resolvedBy,
});

/**
 * InstanceRepository on SQL (PGlite or PostgreSQL). The settings are one row (id 1) written by upserts; the
 * first-user claim and invite uses are single conditional statements, so concurrent callers are decided by the
 * row lock PostgreSQL takes for the update.
 */
export class SqlInstanceRepository extends InstanceRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  async getSettings(): Promise<InstanceSettingsRecord> {
    const [row] = await this.db
      .select()
      .from(instanceSettings)
      .where(eq(instanceSettings.id, SETTINGS_ID));
    return {
      registrationMode: row?.registrationMode ?? null,
      firstUserId: row?.firstUserId ?? null,
    };
  }

  async setRegistrationMode(mode: RegistrationMode | null): Promise<InstanceSettingsRecord> {
    const [row] = await this.db
      .insert(instanceSettings)
      .values({ id: SETTINGS_ID, registrationMode: mode })
      .onConflictDoUpdate({
        target: instanceSettings.id,
        set: { registrationMode: mode, updatedAt: sql`now()` },
      })
      .returning();
    return {
      registrationMode: row?.registrationMode ?? null,
      firstUserId: row?.firstUserId ?? null,
    };
  }

  /**
   * `INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE first_user_id IS NULL RETURNING`: the loser of a race
   * waits for the winner's row lock, re-checks the condition on the committed row, updates nothing and returns no
   * row.
   */
  async claimFirstUser(userId: string): Promise<boolean> {
    if (!isUuid(userId)) return false;
    const rows = await this.db
      .insert(instanceSettings)
      .values({ id: SETTINGS_ID, firstUserId: userId })
      .onConflictDoUpdate({
        target: instanceSettings.id,
        set: { firstUserId: userId, updatedAt: sql`now()` },
        setWhere: isNull(instanceSettings.firstUserId),
      })
      .returning({ id: instanceSettings.id });
    return rows.length === 1;
  }

  /** @throws UniqueViolationError('invite_token') for a token already in use (a broken RNG). */
  async createInvite(input: CreateInviteInput): Promise<InviteRecord> {
    const [row] = await translated(() =>
      this.db
        .insert(invites)
        .values({
          id: uuidv7(),
          token: input.token,
          createdBy: input.createdBy,
          expiresAt: input.expiresAt,
          maxUses: input.maxUses,
        })
        .returning(),
    );
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toInvite(row);
  }

  /** @throws InvalidCursorError for a cursor this method did not issue. */
  async listInvites(input: {
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<InviteRecord>> {
    const rows = await this.db
      .select()
      .from(invites)
      .where(afterCursor(invites.createdAt, invites.id, input.cursor))
      .orderBy(desc(invites.createdAt), desc(invites.id))
      .limit(input.limit + 1);
    return pageOf(rows, input.limit, toInvite);
  }

  /** One conditional UPDATE: not revoked, not expired at `now`, uses < max_uses. */
  async consumeInvite(token: string, now: Date): Promise<InviteRecord | null> {
    const [row] = await this.db
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(
        and(
          eq(invites.token, token),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, now),
          lt(invites.uses, invites.maxUses),
        ),
      )
      .returning();
    return row ? toInvite(row) : null;
  }

  async releaseInvite(id: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.db
      .update(invites)
      .set({ uses: sql`${invites.uses} - 1` })
      .where(and(eq(invites.id, id), gt(invites.uses, 0)));
  }

  async revokeInvite(id: string, now: Date): Promise<InviteRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(invites)
      .set({ revokedAt: sql`coalesce(${invites.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(invites.id, id))
      .returning();
    return row ? toInvite(row) : null;
  }

  async createReport(input: CreateReportInput): Promise<ReportRecord> {
    const [row] = await this.db
      .insert(reports)
      .values({
        id: uuidv7(),
        target: input.target,
        reporterId: input.reporterId,
        reportedUserId: input.reportedUserId,
        conversationId: input.conversationId,
        seq: input.seq,
        messageBody: input.messageBody,
        messageSentAt: input.messageSentAt,
        reason: input.reason,
      })
      .returning();
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toReport(row);
  }

  /** @throws InvalidCursorError for a cursor this method did not issue. */
  async listReports(input: {
    status?: ReportStatus;
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<ReportRecord>> {
    const rows = await this.db
      .select()
      .from(reports)
      .where(
        and(
          input.status ? eq(reports.status, input.status) : undefined,
          afterCursor(reports.createdAt, reports.id, input.cursor),
        ),
      )
      .orderBy(desc(reports.createdAt), desc(reports.id))
      .limit(input.limit + 1);
    return pageOf(rows, input.limit, toReport);
  }

  async resolveReport(id: string, by: string, now: Date): Promise<ReportRecord | null> {
    if (!isUuid(id) || !isUuid(by)) return null;
    const [row] = await this.db
      .update(reports)
      .set({ status: 'resolved', resolvedAt: now, resolvedBy: by })
      .where(and(eq(reports.id, id), eq(reports.status, 'open')))
      .returning();
    if (row) return toReport(row);
    const [existing] = await this.db.select().from(reports).where(eq(reports.id, id));
    return existing ? toReport(existing) : null;
  }
}

/** `(created_at, id) < (cursor)`: the rows after the cursor in newest-first order; undefined without one. */
function afterCursor(
  createdAt: typeof invites.createdAt | typeof reports.createdAt,
  id: typeof invites.id | typeof reports.id,
  cursor: string | null | undefined,
): SQL | undefined {
  if (!cursor) return undefined;
  const after = decodeCursor(cursor, isTimeCursor);
  return sql`(${createdAt}, ${id}) < (${after.t}::timestamptz, ${after.id}::uuid)`;
}

function pageOf<R extends { createdAt: Date; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): RecordPage<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}
