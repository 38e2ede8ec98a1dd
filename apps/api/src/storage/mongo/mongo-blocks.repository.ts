import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import { BlocksRepository } from '../blocks.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { BlockRecord } from '../storage.types.js';
import { MODEL, MONGO_CONNECTION_NAME, type BlockDoc, type UserDoc } from './mongo.schemas.js';
import { duplicateKeyIndex, parseId, parseIds, translateMongoError } from './mongo-support.js';

function toBlockRecord(doc: BlockDoc): BlockRecord {
  return {
    blockerId: doc.blockerId.toHexString(),
    blockedId: doc.blockedId.toHexString(),
    createdAt: doc.createdAt,
  };
}

/**
 * BlocksRepository on MongoDB: collection `blocks`, one document per ordered pair under the unique index
 * (blockerId, blockedId), plus (blockedId, blockerId) for the other direction. Blocking is an upsert with
 * `$setOnInsert` (atomic: concurrent blocks of one pair leave one document and its first time; a lost upsert
 * race surfaces as E11000 and is read back). Written to the adapter's conventions but untested here: this machine
 * has no mongod (the contract suite runs it wherever one is available).
 */
@Injectable()
export class MongoBlocksRepository extends BlocksRepository {
  constructor(
    @InjectModel(MODEL.block, MONGO_CONNECTION_NAME) private readonly blocks: Model<BlockDoc>,
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
  ) {
    super();
  }

  /** @throws RecordNotFoundError('user') for an unknown or malformed id, or a person blocking themselves */
  async block(
    blockerId: string,
    blockedId: string,
  ): Promise<{ block: BlockRecord; created: boolean }> {
    const blocker = parseId(blockerId);
    const blocked = parseId(blockedId);
    if (!blocker || !blocked || blocker.equals(blocked)) {
      throw new RecordNotFoundError('user', `${blockerId} or ${blockedId}`);
    }
    // No foreign keys in MongoDB: both people must exist (checked first, as the other repositories do).
    const known = await this.users
      .countDocuments({ _id: trusted({ $in: [blocker, blocked] }) })
      .exec();
    if (known !== 2) throw new RecordNotFoundError('user', `${blockerId} or ${blockedId}`);
    const now = new Date();
    try {
      const result = await this.blocks
        .updateOne(
          { blockerId: blocker, blockedId: blocked },
          { $setOnInsert: { _id: new Types.ObjectId(), createdAt: now } },
          { upsert: true },
        )
        .exec();
      if (result.upsertedCount === 1) {
        return {
          block: {
            blockerId: blocker.toHexString(),
            blockedId: blocked.toHexString(),
            createdAt: now,
          },
          created: true,
        };
      }
    } catch (error) {
      if (duplicateKeyIndex(error) === null) throw translateMongoError(error);
    }
    const existing = await this.blocks
      .findOne({ blockerId: blocker, blockedId: blocked })
      .lean<BlockDoc>()
      .exec();
    if (!existing) throw new Error('a block vanished right after a conflict');
    return { block: toBlockRecord(existing), created: false };
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    const blocker = parseId(blockerId);
    const blocked = parseId(blockedId);
    if (!blocker || !blocked) return false;
    const result = await this.blocks.deleteOne({ blockerId: blocker, blockedId: blocked }).exec();
    return result.deletedCount === 1;
  }

  async listByBlocker(blockerId: string): Promise<BlockRecord[]> {
    const blocker = parseId(blockerId);
    if (!blocker) return [];
    const docs = await this.blocks
      .find({ blockerId: blocker })
      .sort({ createdAt: -1, blockedId: 1 })
      .lean<BlockDoc[]>()
      .exec();
    return docs.map(toBlockRecord);
  }

  async findInvolving(userId: string, otherIds: readonly string[]): Promise<BlockRecord[]> {
    const me = parseId(userId);
    const others = parseIds([...new Set(otherIds.map((id) => id.toLowerCase()))]);
    if (!me || others.length === 0) return [];
    const docs = await this.blocks
      .find({
        $or: [
          { blockerId: me, blockedId: trusted({ $in: others }) },
          { blockedId: me, blockerId: trusted({ $in: others }) },
        ],
      })
      .lean<BlockDoc[]>()
      .exec();
    return docs.map(toBlockRecord);
  }

  async findAmong(userIds: readonly string[]): Promise<BlockRecord[]> {
    const ids = parseIds([...new Set(userIds.map((id) => id.toLowerCase()))]);
    if (ids.length < 2) return [];
    const docs = await this.blocks
      .find({ blockerId: trusted({ $in: ids }), blockedId: trusted({ $in: ids }) })
      .lean<BlockDoc[]>()
      .exec();
    return docs.map(toBlockRecord);
  }
}
