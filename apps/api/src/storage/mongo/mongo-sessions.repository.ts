import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  SessionsRepository,
  type CreateSessionInput,
  type RotateResult,
} from '../sessions.repository.js';
import type { SessionRecord } from '../storage.types.js';
import {
  MODEL,
  MONGO_CONNECTION_NAME,
  SESSION_TOKEN_HISTORY_MAX,
  type SessionDoc,
} from './mongo.schemas.js';
import { parseId, toSessionRecord, translated } from './mongo-support.js';

/**
 * SessionsRepository on MongoDB. Rotation is one conditional `findOneAndUpdate` (single-document writes are
 * atomic), so the server decides races: of two concurrent rotations with the same token, the second no longer
 * matches `tokenHash` and is then treated as a reuse of the previous token, exactly as in the SQL adapter.
 * Retired hashes are pushed onto `retiredTokenHashes` (capped at SESSION_TOKEN_HISTORY_MAX, newest kept) in the
 * same update, so a token any number of rotations old (within the cap) is a reuse.
 */
@Injectable()
export class MongoSessionsRepository extends SessionsRepository {
  constructor(
    @InjectModel(MODEL.session, MONGO_CONNECTION_NAME) private readonly sessions: Model<SessionDoc>,
  ) {
    super();
  }

  /** @throws UniqueViolationError('session_token') if the token hash is already in use (a broken RNG). */
  async create(input: CreateSessionInput): Promise<SessionRecord> {
    const userId = parseId(input.userId);
    // A session for an id that cannot exist: the SQL adapter's foreign key refuses it too.
    if (!userId) throw new Error(`sessions.create: not a user id: ${input.userId}`);
    const now = new Date();
    const doc: SessionDoc = {
      _id: new Types.ObjectId(),
      userId,
      tokenHash: input.tokenHash,
      retiredTokenHashes: [],
      userAgent: input.userAgent,
      createdAt: now,
      expiresAt: input.expiresAt,
      lastUsedAt: now,
      revokedAt: null,
    };
    await translated(() => this.sessions.insertOne(doc));
    return toSessionRecord(doc);
  }

  async findById(id: string): Promise<SessionRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.sessions.findById(_id).lean<SessionDoc>().exec();
    return doc ? toSessionRecord(doc) : null;
  }

  /**
   * 'rotated' when `presentedHash` is current and the session is live at `now` (not revoked, expiresAt > now);
   * 'reused' when it is any hash retired by a session not yet revoked (which this call revokes); 'invalid'
   * otherwise, changing nothing.
   */
  async rotate(
    presentedHash: string,
    newTokenHash: string,
    newExpiresAt: Date,
    now: Date,
  ): Promise<RotateResult> {
    const rotated = await translated(() =>
      this.sessions
        .findOneAndUpdate(
          { tokenHash: presentedHash, revokedAt: null, expiresAt: trusted({ $gt: now }) },
          {
            $set: {
              tokenHash: newTokenHash,
              expiresAt: newExpiresAt,
              lastUsedAt: now,
            },
            $push: {
              retiredTokenHashes: { $each: [presentedHash], $slice: -SESSION_TOKEN_HISTORY_MAX },
            },
          },
          { returnDocument: 'after' },
        )
        .lean<SessionDoc>()
        .exec(),
    );
    if (rotated) return { status: 'rotated', session: toSessionRecord(rotated) };

    const reused = await this.sessions
      .findOneAndUpdate(
        { ...retiredBy(presentedHash), revokedAt: null },
        { $set: { revokedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<SessionDoc>()
      .exec();
    if (reused) return { status: 'reused', session: toSessionRecord(reused) };
    return { status: 'invalid' };
  }

  /**
   * Revokes the session holding `tokenHash` as its current or a retired hash, keeping an earlier revocation time
   * when it was already revoked (the SQL adapter's `coalesce(revoked_at, now)`).
   */
  async revokeByTokenHash(tokenHash: string, now: Date): Promise<SessionRecord | null> {
    const filter = { $or: [{ tokenHash }, retiredBy(tokenHash)] };
    const revoked = await this.sessions
      .findOneAndUpdate(
        { ...filter, revokedAt: null },
        { $set: { revokedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<SessionDoc>()
      .exec();
    if (revoked) return toSessionRecord(revoked);
    const already = await this.sessions.findOne(filter).lean<SessionDoc>().exec();
    return already ? toSessionRecord(already) : null;
  }

  async revoke(id: string, now: Date): Promise<void> {
    const _id = parseId(id);
    if (!_id) return;
    await this.sessions.updateOne({ _id, revokedAt: null }, { $set: { revokedAt: now } }).exec();
  }

  /**
   * Revokes the user's live sessions. MongoDB has no multi-document UPDATE ... RETURNING: the ids are read first,
   * then revoked with one updateMany restricted to those ids and still-live documents. A session created after
   * the read is not covered by this call; the caller (AccountAdminService) checks the account state again after
   * sign-in, so such a session cannot survive a deactivation. Untested here (no mongod on the build machine).
   */
  async revokeAllForUser(userId: string, now: Date): Promise<string[]> {
    const uid = parseId(userId);
    if (!uid) return [];
    const live = await this.sessions
      .find({ userId: uid, revokedAt: null }, { _id: 1 })
      .lean<Pick<SessionDoc, '_id'>[]>()
      .exec();
    if (live.length === 0) return [];
    const ids = live.map((doc) => doc._id);
    await this.sessions
      .updateMany({ _id: trusted({ $in: ids }), revokedAt: null }, { $set: { revokedAt: now } })
      .exec();
    return ids.map((id) => id.toHexString());
  }
}

/**
 * Matches the session that retired `tokenHash` (every rotation pushes the retired hash onto the history, so the
 * last one is there too): an equality on the multikey-indexed array (pure, cast-tested).
 */
export function retiredBy(tokenHash: string): { retiredTokenHashes: string } {
  return { retiredTokenHashes: tokenHash };
}
