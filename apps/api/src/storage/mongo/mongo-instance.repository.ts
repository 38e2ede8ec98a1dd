import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { RegistrationMode, ReportStatus } from '@chat/shared';
import { Types, trusted, type Model } from 'mongoose';
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
import {
  INSTANCE_SETTINGS_ID,
  MODEL,
  MONGO_CONNECTION_NAME,
  type InstanceSettingsDoc,
  type InviteDoc,
  type ReportDoc,
} from './mongo.schemas.js';
import { MONGO_DUPLICATE_KEY, parseId, translated } from './mongo-support.js';

/** Newest-first keyset cursor (same shape as the SQL adapter's): the last item's createdAt (ISO) and id. */
type TimeCursor = { t: string; id: string };
const isTimeCursor = (value: unknown): value is TimeCursor =>
  hasStringFields(value, ['t', 'id']) &&
  parseId(value.id) !== null &&
  !Number.isNaN(Date.parse(value.t));

const toInvite = (doc: InviteDoc): InviteRecord => ({
  id: doc._id.toHexString(),
  token: doc.token,
  createdBy: doc.createdBy.toHexString(),
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt,
  maxUses: doc.maxUses,
  uses: doc.uses,
  revokedAt: doc.revokedAt,
});

const toReport = (doc: ReportDoc): ReportRecord => ({
  id: doc._id.toHexString(),
  target: doc.target,
  reporterId: doc.reporterId.toHexString(),
  reportedUserId: doc.reportedUserId.toHexString(),
  conversationId: doc.conversationId?.toHexString() ?? null,
  seq: doc.seq,
  messageBody: doc.messageBody,
  messageSentAt: doc.messageSentAt,
  reason: doc.reason,
  status: doc.status,
  createdAt: doc.createdAt,
  resolvedAt: doc.resolvedAt,
  resolvedBy: doc.resolvedBy?.toHexString() ?? null,
});

/**
 * InstanceRepository on MongoDB. Every write is one single-document atomic operation: the settings document is
 * upserted; the first-user claim is an upsert whose filter requires `firstUserId: null` (a concurrent loser
 * either matches nothing and collides on `_id`, E11000, or finds it set); an invite use is a conditional `$inc`
 * with `$expr: uses < maxUses`. Written to be reviewed, not run here (no mongod on the build machine): the SQL
 * adapter runs the same contract suite.
 */
@Injectable()
export class MongoInstanceRepository extends InstanceRepository {
  constructor(
    @InjectModel(MODEL.instanceSettings, MONGO_CONNECTION_NAME)
    private readonly settings: Model<InstanceSettingsDoc>,
    @InjectModel(MODEL.invite, MONGO_CONNECTION_NAME) private readonly invites: Model<InviteDoc>,
    @InjectModel(MODEL.report, MONGO_CONNECTION_NAME) private readonly reports: Model<ReportDoc>,
  ) {
    super();
  }

  async getSettings(): Promise<InstanceSettingsRecord> {
    const doc = await this.settings
      .findById(INSTANCE_SETTINGS_ID)
      .lean<InstanceSettingsDoc>()
      .exec();
    return toSettings(doc);
  }

  async setRegistrationMode(mode: RegistrationMode | null): Promise<InstanceSettingsRecord> {
    const doc = await this.settings
      .findOneAndUpdate(
        { _id: INSTANCE_SETTINGS_ID },
        {
          $set: { registrationMode: mode, updatedAt: new Date() },
          $setOnInsert: { firstUserId: null },
        },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<InstanceSettingsDoc>()
      .exec();
    return toSettings(doc);
  }

  /**
   * Upsert filtered on `firstUserId: null`: on a fresh instance it inserts; when the document exists with the
   * field null it sets it; when it is already set the filter misses, the upsert tries to insert `_id: 'instance'`
   * again and fails with E11000, which means "already claimed" (MongoDB manual, "Upsert with Duplicate Values").
   */
  async claimFirstUser(userId: string): Promise<boolean> {
    const uid = parseId(userId);
    if (!uid) return false;
    try {
      const result = await this.settings
        .updateOne(
          { _id: INSTANCE_SETTINGS_ID, firstUserId: null },
          {
            $set: { firstUserId: uid, updatedAt: new Date() },
            $setOnInsert: { registrationMode: null },
          },
          { upsert: true },
        )
        .exec();
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      if ((error as { code?: unknown }).code === MONGO_DUPLICATE_KEY) return false;
      throw error;
    }
  }

  /** @throws UniqueViolationError('invite_token') for a token already in use (a broken RNG). */
  async createInvite(input: CreateInviteInput): Promise<InviteRecord> {
    const createdBy = parseId(input.createdBy);
    if (!createdBy) throw new Error(`invites.create: not a user id: ${input.createdBy}`);
    const doc: InviteDoc = {
      _id: new Types.ObjectId(),
      token: input.token,
      createdBy,
      createdAt: new Date(),
      expiresAt: input.expiresAt,
      maxUses: input.maxUses,
      uses: 0,
      revokedAt: null,
    };
    await translated(() => this.invites.insertOne(doc));
    return toInvite(doc);
  }

  async listInvites(input: {
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<InviteRecord>> {
    const docs = await this.invites
      .find(afterCursor(input.cursor))
      .sort({ createdAt: -1, _id: -1 })
      .limit(input.limit + 1)
      .lean<InviteDoc[]>()
      .exec();
    return pageOf(docs, input.limit, toInvite);
  }

  /** One conditional findOneAndUpdate: `$inc` only while not revoked, not expired and `uses < maxUses`. */
  async consumeInvite(token: string, now: Date): Promise<InviteRecord | null> {
    const doc = await this.invites
      .findOneAndUpdate(
        {
          token,
          revokedAt: null,
          expiresAt: trusted({ $gt: now }),
          $expr: trusted({ $lt: ['$uses', '$maxUses'] }),
        },
        { $inc: { uses: 1 } },
        { returnDocument: 'after' },
      )
      .lean<InviteDoc>()
      .exec();
    return doc ? toInvite(doc) : null;
  }

  async releaseInvite(id: string): Promise<void> {
    const _id = parseId(id);
    if (!_id) return;
    await this.invites.updateOne({ _id, uses: trusted({ $gt: 0 }) }, { $inc: { uses: -1 } }).exec();
  }

  async revokeInvite(id: string, now: Date): Promise<InviteRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.invites
      .findOneAndUpdate({ _id }, [{ $set: { revokedAt: { $ifNull: ['$revokedAt', now] } } }], {
        returnDocument: 'after',
        updatePipeline: true,
      })
      .lean<InviteDoc>()
      .exec();
    return doc ? toInvite(doc) : null;
  }

  async createReport(input: CreateReportInput): Promise<ReportRecord> {
    const reporterId = parseId(input.reporterId);
    const reportedUserId = parseId(input.reportedUserId);
    if (!reporterId || !reportedUserId) throw new Error('reports.create: not a user id');
    const doc: ReportDoc = {
      _id: new Types.ObjectId(),
      target: input.target,
      reporterId,
      reportedUserId,
      conversationId: input.conversationId ? parseId(input.conversationId) : null,
      seq: input.seq,
      messageBody: input.messageBody,
      messageSentAt: input.messageSentAt,
      reason: input.reason,
      status: 'open',
      createdAt: new Date(),
      resolvedAt: null,
      resolvedBy: null,
    };
    await this.reports.insertOne(doc);
    return toReport(doc);
  }

  async listReports(input: {
    status?: ReportStatus;
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<ReportRecord>> {
    const filter = {
      ...(input.status ? { status: input.status } : {}),
      ...afterCursor(input.cursor),
    };
    const docs = await this.reports
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(input.limit + 1)
      .lean<ReportDoc[]>()
      .exec();
    return pageOf(docs, input.limit, toReport);
  }

  async resolveReport(id: string, by: string, now: Date): Promise<ReportRecord | null> {
    const _id = parseId(id);
    const resolvedBy = parseId(by);
    if (!_id || !resolvedBy) return null;
    const resolved = await this.reports
      .findOneAndUpdate(
        { _id, status: 'open' },
        { $set: { status: 'resolved', resolvedAt: now, resolvedBy } },
        { returnDocument: 'after' },
      )
      .lean<ReportDoc>()
      .exec();
    if (resolved) return toReport(resolved);
    const existing = await this.reports.findById(_id).lean<ReportDoc>().exec();
    return existing ? toReport(existing) : null;
  }
}

function toSettings(doc: InstanceSettingsDoc | null): InstanceSettingsRecord {
  return {
    registrationMode: doc?.registrationMode ?? null,
    firstUserId: doc?.firstUserId?.toHexString() ?? null,
  };
}

/** The filter of the rows after the cursor in (createdAt, _id) descending order; `{}` without one. */
function afterCursor(cursor: string | null | undefined): Record<string, unknown> {
  if (!cursor) return {};
  const after = decodeCursor(cursor, isTimeCursor);
  const t = new Date(after.t);
  const id = new Types.ObjectId(after.id.toLowerCase());
  return {
    $or: [{ createdAt: trusted({ $lt: t }) }, { createdAt: t, _id: trusted({ $lt: id }) }],
  };
}

function pageOf<D extends { createdAt: Date; _id: Types.ObjectId }, T>(
  docs: D[],
  limit: number,
  map: (doc: D) => T,
): RecordPage<T> {
  const page = docs.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    nextCursor:
      docs.length > limit && last
        ? encodeCursor({ t: last.createdAt.toISOString(), id: last._id.toHexString() })
        : null,
  };
}
