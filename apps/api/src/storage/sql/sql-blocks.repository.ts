import { and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import { BlocksRepository } from '../blocks.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { BlockRecord } from '../storage.types.js';
import { userBlocks } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { PG_FOREIGN_KEY_VIOLATION, findPgError, isUuid, translateError } from './sql-support.js';

function toBlockRecord(row: typeof userBlocks.$inferSelect): BlockRecord {
  return { blockerId: row.blockerId, blockedId: row.blockedId, createdAt: row.createdAt };
}

/**
 * BlocksRepository on SQL: table `user_blocks`, primary key (blocker_id, blocked_id) plus an index on
 * (blocked_id, blocker_id) for the other direction. Blocking is `INSERT ... ON CONFLICT DO NOTHING`, so
 * concurrent blocks of one pair keep exactly one row (and its first time).
 */
export class SqlBlocksRepository extends BlocksRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /** @throws RecordNotFoundError('user') for an unknown or malformed id, or a person blocking themselves */
  async block(
    blockerId: string,
    blockedId: string,
  ): Promise<{ block: BlockRecord; created: boolean }> {
    const blocker = blockerId.toLowerCase();
    const blocked = blockedId.toLowerCase();
    if (!isUuid(blocker) || !isUuid(blocked) || blocker === blocked) {
      throw new RecordNotFoundError('user', `${blockerId} or ${blockedId}`);
    }
    try {
      const [inserted] = await this.db
        .insert(userBlocks)
        .values({ blockerId: blocker, blockedId: blocked })
        .onConflictDoNothing()
        .returning();
      if (inserted) return { block: toBlockRecord(inserted), created: true };
    } catch (error) {
      if (findPgError(error)?.code === PG_FOREIGN_KEY_VIOLATION) {
        throw new RecordNotFoundError('user', `${blockerId} or ${blockedId}`);
      }
      throw translateError(error);
    }
    const [existing] = await this.db
      .select()
      .from(userBlocks)
      .where(and(eq(userBlocks.blockerId, blocker), eq(userBlocks.blockedId, blocked)));
    if (!existing) throw new Error('a block vanished right after a conflict');
    return { block: toBlockRecord(existing), created: false };
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    if (!isUuid(blockerId) || !isUuid(blockedId)) return false;
    const rows = await this.db
      .delete(userBlocks)
      .where(
        and(
          eq(userBlocks.blockerId, blockerId.toLowerCase()),
          eq(userBlocks.blockedId, blockedId.toLowerCase()),
        ),
      )
      .returning({ blockedId: userBlocks.blockedId });
    return rows.length > 0;
  }

  async listByBlocker(blockerId: string): Promise<BlockRecord[]> {
    if (!isUuid(blockerId)) return [];
    const rows = await this.db
      .select()
      .from(userBlocks)
      .where(eq(userBlocks.blockerId, blockerId.toLowerCase()))
      .orderBy(desc(userBlocks.createdAt), asc(userBlocks.blockedId));
    return rows.map(toBlockRecord);
  }

  async findInvolving(userId: string, otherIds: readonly string[]): Promise<BlockRecord[]> {
    const others = [...new Set(otherIds.map((id) => id.toLowerCase()))].filter(isUuid);
    if (!isUuid(userId) || others.length === 0) return [];
    const me = userId.toLowerCase();
    const rows = await this.db
      .select()
      .from(userBlocks)
      .where(
        or(
          and(eq(userBlocks.blockerId, me), inArray(userBlocks.blockedId, others)),
          and(eq(userBlocks.blockedId, me), inArray(userBlocks.blockerId, others)),
        ),
      );
    return rows.map(toBlockRecord);
  }

  async findAmong(userIds: readonly string[]): Promise<BlockRecord[]> {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))].filter(isUuid);
    if (ids.length < 2) return [];
    const rows = await this.db
      .select()
      .from(userBlocks)
      .where(and(inArray(userBlocks.blockerId, ids), inArray(userBlocks.blockedId, ids)));
    return rows.map(toBlockRecord);
  }
}
