import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import { AttachmentsRepository, type CreateAttachmentInput } from '../attachments.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { AttachmentRecord } from '../storage.types.js';
import {
  MODEL,
  MONGO_CONNECTION_NAME,
  type AttachmentDoc,
  type MessageDoc,
} from './mongo.schemas.js';
import { parseId, toAttachmentRecord } from './mongo-support.js';

/**
 * The filter of a claim (pure, cast-tested): the listed attachments of this conversation and uploader that are
 * unsent, or held by an in-flight claim of the same send (`claimKey`; a retry after a crash takes it over).
 */
export function claimFilter(input: {
  ids: Types.ObjectId[];
  conversationId: Types.ObjectId;
  uploaderId: Types.ObjectId;
  claimKey: string;
}): Record<string, unknown> {
  return {
    _id: trusted({ $in: input.ids }),
    conversationId: input.conversationId,
    uploaderId: input.uploaderId,
    $or: [{ messageId: null }, { claimKey: input.claimKey }],
  };
}

/** The update of a claim: held by `messageId`, in flight since `now` (pure, cast-tested). */
export function claimUpdate(
  messageId: Types.ObjectId,
  claimKey: string,
  now: Date,
): Record<string, unknown> {
  return { $set: { messageId, claimKey, claimedAt: now } };
}

/** Ends the in-flight state of claims held by `messageId` once its message is stored (pure, cast-tested). */
export function confirmClaims(messageId: Types.ObjectId): {
  filter: Record<string, unknown>;
  update: Record<string, unknown>;
} {
  return { filter: { messageId }, update: { $set: { claimKey: null, claimedAt: null } } };
}

/** Gives back what `messageId` claimed, as unsent (pure, cast-tested). */
export function releaseClaims(messageId: Types.ObjectId): {
  filter: Record<string, unknown>;
  update: Record<string, unknown>;
} {
  return {
    filter: { messageId },
    update: { $set: { messageId: null, claimKey: null, claimedAt: null } },
  };
}

/**
 * Moves claims held by `from` to the stored message `to` of the same send, for the attachments that message
 * lists, and confirms them (pure, cast-tested).
 */
export function handOverClaims(
  from: Types.ObjectId,
  to: Pick<MessageDoc, '_id' | 'attachmentIds'>,
): { filter: Record<string, unknown>; update: Record<string, unknown> } {
  return {
    filter: { messageId: from, _id: trusted({ $in: to.attachmentIds }) },
    update: { $set: { messageId: to._id, claimKey: null, claimedAt: null } },
  };
}

/** Splits a claim key `conversationId:senderId:clientMessageId` (the client id may itself hold colons). */
export function parseClaimKey(
  key: string,
): { conversationId: Types.ObjectId; senderId: Types.ObjectId; clientMessageId: string } | null {
  const [conversation, sender] = key.split(':', 2);
  const conversationId = parseId(conversation ?? '');
  const senderId = parseId(sender ?? '');
  if (!conversationId || !senderId) return null;
  return { conversationId, senderId, clientMessageId: key.slice(50) };
}

/**
 * The attachments with these ids, keyed by id (one query on `_id`); callers order them by the message's own
 * `attachmentIds`.
 */
export async function loadAttachmentsById(
  model: Model<AttachmentDoc>,
  ids: readonly Types.ObjectId[],
): Promise<Map<string, AttachmentRecord>> {
  const byId = new Map<string, AttachmentRecord>();
  if (ids.length === 0) return byId;
  const docs = await model
    .find({ _id: trusted({ $in: [...ids] }) })
    .lean<AttachmentDoc[]>()
    .exec();
  for (const doc of docs) byId.set(doc._id.toHexString(), toAttachmentRecord(doc));
  return byId;
}

/**
 * AttachmentsRepository on MongoDB. Claiming happens in MongoMessagesRepository.append (see its comment and
 * docs/storage.md for the protocol without transactions); this repository settles claims a crash left in
 * flight before it sweeps unsent attachments.
 */
@Injectable()
export class MongoAttachmentsRepository extends AttachmentsRepository {
  constructor(
    @InjectModel(MODEL.attachment, MONGO_CONNECTION_NAME)
    private readonly attachments: Model<AttachmentDoc>,
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
  ) {
    super();
  }

  /**
   * Stores an unsent attachment. MongoDB has no foreign keys: malformed ids are refused here, existence and
   * membership are the service's checks.
   * @throws RecordNotFoundError for a malformed conversation or uploader id.
   */
  async create(input: CreateAttachmentInput): Promise<AttachmentRecord> {
    const conversationId = parseId(input.conversationId);
    if (!conversationId) throw new RecordNotFoundError('conversation', input.conversationId);
    const uploaderId = parseId(input.uploaderId);
    if (!uploaderId) throw new RecordNotFoundError('user', input.uploaderId);
    const doc: AttachmentDoc = {
      _id: new Types.ObjectId(),
      conversationId,
      uploaderId,
      messageId: null,
      claimKey: null,
      claimedAt: null,
      kind: input.kind,
      name: input.name,
      mimeType: input.mimeType,
      size: input.size,
      width: input.width,
      height: input.height,
      storageKey: input.storageKey,
      thumbnailKey: input.thumbnailKey,
      createdAt: new Date(),
    };
    await this.attachments.insertOne(doc);
    return toAttachmentRecord(doc);
  }

  async findById(id: string): Promise<AttachmentRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.attachments.findById(_id).lean<AttachmentDoc>().exec();
    return doc ? toAttachmentRecord(doc) : null;
  }

  /** One conditional findOneAndDelete: unsent and this uploader's, or nothing. */
  async deleteUnsent(id: string, uploaderId: string): Promise<AttachmentRecord | null> {
    const _id = parseId(id);
    const uid = parseId(uploaderId);
    if (!_id || !uid) return null;
    const doc = await this.attachments
      .findOneAndDelete({ _id, uploaderId: uid, messageId: null })
      .lean<AttachmentDoc>()
      .exec();
    return doc ? toAttachmentRecord(doc) : null;
  }

  /**
   * First settles claims left in flight before `cutoff` (a crash between claim and message insert): held by a
   * message that exists -> confirmed; by one that does not -> released (unsent again). Then deletes up to
   * `limit` unsent attachments created before `cutoff`, oldest first, each with a conditional
   * findOneAndDelete (`messageId: null`), so one claimed meanwhile stays.
   */
  async deleteUnsentOlderThan(cutoff: Date, limit: number): Promise<AttachmentRecord[]> {
    const count = Math.max(0, Math.trunc(limit));
    if (count === 0) return [];
    await this.settleStaleClaims(cutoff, count);
    const candidates = await this.attachments
      .find({ messageId: null, createdAt: trusted({ $lt: cutoff }) }, { _id: 1 })
      .sort({ createdAt: 1 })
      .limit(count)
      .lean<Pick<AttachmentDoc, '_id'>[]>()
      .exec();
    const deleted: AttachmentRecord[] = [];
    for (const candidate of candidates) {
      const doc = await this.attachments
        .findOneAndDelete({ _id: candidate._id, messageId: null })
        .lean<AttachmentDoc>()
        .exec();
      if (doc) deleted.push(toAttachmentRecord(doc));
    }
    return deleted;
  }

  /** One aggregation on the (uploaderId, createdAt) index. */
  async sumBytesSince(uploaderId: string, since: Date): Promise<number> {
    const uid = parseId(uploaderId);
    if (!uid) return 0;
    const [row] = await this.attachments
      .aggregate<{ total: number }>([
        { $match: { uploaderId: uid, createdAt: { $gte: since } } },
        { $group: { _id: null, total: { $sum: '$size' } } },
      ])
      .exec();
    return row?.total ?? 0;
  }

  /**
   * Claims still in flight at `cutoff` were left by a crash (an append takes milliseconds). Held by a message
   * that exists: confirmed. Otherwise, if the same send (claim key) was stored under another message id (a
   * duplicate send that took the claim over, then crashed) and that message lists the attachment: handed over
   * to it. Otherwise: released, so the unsent sweep removes it.
   */
  private async settleStaleClaims(cutoff: Date, limit: number): Promise<void> {
    const stale = await this.attachments
      .find({ claimedAt: trusted({ $lt: cutoff }) }, { messageId: 1, claimKey: 1 })
      .limit(limit)
      .lean<Pick<AttachmentDoc, '_id' | 'messageId' | 'claimKey'>[]>()
      .exec();
    const holders = new Map<string, { id: Types.ObjectId; claimKey: string | null }>();
    for (const doc of stale) {
      if (doc.messageId)
        holders.set(doc.messageId.toHexString(), { id: doc.messageId, claimKey: doc.claimKey });
    }
    if (holders.size === 0) return;
    const stored = await this.messages
      .find({ _id: trusted({ $in: [...holders.values()].map((h) => h.id) }) }, { _id: 1 })
      .lean<Pick<MessageDoc, '_id'>[]>()
      .exec();
    const exists = new Set(stored.map((doc) => doc._id.toHexString()));
    const stillStale = { claimedAt: trusted({ $lt: cutoff }) };
    for (const [hex, holder] of holders) {
      if (exists.has(hex)) {
        const { filter, update } = confirmClaims(holder.id);
        await this.attachments.updateMany({ ...filter, ...stillStale }, update).exec();
        continue;
      }
      const key = holder.claimKey ? parseClaimKey(holder.claimKey) : null;
      const sameSend = key
        ? await this.messages
            .findOne(key, { _id: 1, attachmentIds: 1 })
            .lean<Pick<MessageDoc, '_id' | 'attachmentIds'>>()
            .exec()
        : null;
      if (sameSend) {
        const { filter, update } = handOverClaims(holder.id, sameSend);
        await this.attachments.updateMany({ ...filter, ...stillStale }, update).exec();
      }
      const { filter, update } = releaseClaims(holder.id);
      await this.attachments.updateMany({ ...filter, ...stillStale }, update).exec();
    }
  }
}
