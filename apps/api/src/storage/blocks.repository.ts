import type { BlockRecord } from './storage.types.js';

/**
 * Port for blocks: who blocked whom. One record per ordered pair (A blocking B and B blocking A are two). The
 * rules (what a block stops) live in the services; this port only stores and answers.
 */
export abstract class BlocksRepository {
  /**
   * Records that `blockerId` blocks `blockedId`. Idempotent: blocking again keeps the first record.
   * @returns the record and whether this call created it
   * @throws RecordNotFoundError('user') when either id names no user
   */
  abstract block(
    blockerId: string,
    blockedId: string,
  ): Promise<{ block: BlockRecord; created: boolean }>;
  /** Removes the block. @returns true when there was one */
  abstract unblock(blockerId: string, blockedId: string): Promise<boolean>;
  /** Everyone `blockerId` blocked, newest first (then blockedId ascending). */
  abstract listByBlocker(blockerId: string): Promise<BlockRecord[]>;
  /**
   * Every block between `userId` and any of `otherIds`, in either direction (one query whatever the count).
   * Unknown or malformed ids match nothing.
   */
  abstract findInvolving(userId: string, otherIds: readonly string[]): Promise<BlockRecord[]>;
  /** Every block whose blocker and blocked are both in `userIds` (one query). */
  abstract findAmong(userIds: readonly string[]): Promise<BlockRecord[]>;
}
