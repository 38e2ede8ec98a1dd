import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model, type PipelineStage } from 'mongoose';
import type { DeletedBy } from '@chat/shared';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { markMatches, mongoTextSearch, queryTerms } from '../search-text.js';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
  type ChangesPageInput,
  type HistoryPageInput,
  type MessageSearchInput,
  type MessageChangeOutcome,
  type MessageChangeResult,
  type MessageDeleteResult,
  type MessageTarget,
} from '../messages.repository.js';
import {
  AttachmentClaimError,
  MentionMembershipError,
  RecordNotFoundError,
  ReplyTargetError,
  SendConsentError,
  SenderMembershipError,
} from '../storage.errors.js';
import { directPeerOf } from '../domain-rules.js';
import type { MessageRecord, MessageSearchHitRecord, RecordPage } from '../storage.types.js';
import {
  claimFilter,
  claimUpdate,
  confirmClaims,
  handOverClaims,
  loadAttachmentsById,
  releaseClaims,
} from './mongo-attachments.repository.js';
import {
  GAP_KIND,
  INDEX,
  MODEL,
  MONGO_CONNECTION_NAME,
  type AttachmentDoc,
  type BlockDoc,
  type ChangeInFlightDoc,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
  type UserDoc,
} from './mongo.schemas.js';
import {
  duplicateKeyIndex,
  isActiveMember,
  loadReplyTargets,
  parseId,
  toMessageRecord,
  translateMongoError,
} from './mongo-support.js';

/**
 * The filter and sort of one history page (pure, unit-tested). With `after` the page travels upwards from it
 * (ascending); otherwise downwards from `before`, or from the newest visible message (descending, reversed by
 * the caller). Only seqs up to `committedSeq` (the conversation's visibility watermark) are read, and gap
 * documents are left out. Every shape is one range scan of the unique (conversationId, seq) index.
 */
export function historyQuery(
  conversationId: Types.ObjectId,
  page: HistoryPageInput,
  committedSeq: number,
): { filter: Record<string, unknown>; sort: { seq: 1 | -1 }; upwards: boolean } {
  // `before`, `untilSeq` and the watermark all bound from above: the tightest one counts.
  const seq: Record<string, number> = {
    $lt: Math.min(
      page.before ?? Number.POSITIVE_INFINITY,
      page.untilSeq === undefined ? Number.POSITIVE_INFINITY : page.untilSeq + 1,
      committedSeq + 1,
    ),
  };
  if (page.after !== undefined) seq.$gt = page.after;
  const upwards = page.after !== undefined;
  return {
    filter: { conversationId, seq: trusted(seq), kind: trusted({ $ne: GAP_KIND }) },
    sort: { seq: upwards ? 1 : -1 },
    upwards,
  };
}

/**
 * The highest seq reachable from `committed` through consecutive seqs of `present` (ascending; pure,
 * unit-tested): `contiguousFrontier(4, [5, 6, 8])` is 6, since 7 is missing.
 */
export function contiguousFrontier(committed: number, present: readonly number[]): number {
  let frontier = committed;
  for (const seq of present) {
    if (seq === frontier + 1) frontier = seq;
    else if (seq > frontier + 1) break;
  }
  return frontier;
}

/** The seqs in (`committed`, `below`) that `present` lacks, ascending (pure, unit-tested). */
export function missingSeqs(
  committed: number,
  below: number,
  present: readonly number[],
): number[] {
  const have = new Set(present);
  const missing: number[] = [];
  for (let seq = committed + 1; seq < below; seq += 1) if (!have.has(seq)) missing.push(seq);
  return missing;
}

/** Sender of gap documents: an id no user has (ObjectIds carry a creation time, and this one is 1970). */
const GAP_SENDER = new Types.ObjectId('000000000000000000000000');

/**
 * The gap document that holds `seq` of a conversation (pure, cast-tested): no sender, no text, its own client
 * id (`gap:<seq>`), so it collides with nothing but a message of the same seq.
 */
export function gapDocument(conversationId: Types.ObjectId, seq: number, now: Date): MessageDoc {
  return {
    _id: new Types.ObjectId(),
    conversationId,
    seq,
    senderId: GAP_SENDER,
    clientMessageId: `gap:${seq}`,
    kind: GAP_KIND,
    body: '',
    system: null,
    attachmentIds: [],
    mentions: [],
    mentionsAll: false,
    createdAt: now,
  };
}

/** The update that moves the visibility watermark up to `frontier`, never down (pure, cast-tested). */
export function committedSeqUpdate(frontier: number): Record<string, unknown> {
  return { $max: { committedSeq: frontier } };
}

/**
 * How long an append waits for the messages of the seqs below its own before it fills those seqs with gap
 * documents, in milliseconds. Normally the wait is a few milliseconds (the appends just before it are between
 * their allocation and their insert); only a crashed or stalled append makes it last this long.
 */
export const SEQ_HOLE_TIMEOUT_MS = 5_000;
/** How many seqs the watermark step reads at once. */
const WATERMARK_SCAN = 500;
/** Allocations one append may make when a stall cost it its seq (filled by a gap meanwhile). */
const APPEND_ATTEMPTS = 3;

/** The update that allocates the next seq of a conversation (step 2 of append; pure, cast-tested). */
export function allocateSeqUpdate(now: Date): Record<string, unknown> {
  return { $inc: { lastSeq: 1 }, $max: { lastActivityAt: now } };
}

/**
 * The filter of the seq allocation (step 2 of append; pure, cast-tested): the conversation, and with `activeSender`
 * only while that person is an active member, so the membership check and the allocation are one atomic step.
 */
export function allocateSeqFilter(
  conversationId: Types.ObjectId,
  activeSender: Types.ObjectId | null,
  mentioned: readonly Types.ObjectId[] = [],
  acceptedSender = false,
): Record<string, unknown> {
  // Every mentioned user must be an active member in the same atomic step: `$all` of `$elemMatch`es, one per
  // user (the sender's own condition included), on the one conversation document. With `acceptedSender` the
  // sender's membership must not be pending either (`$ne: true` also matches documents without the field).
  const sender = activeSender
    ? [
        {
          userId: activeSender,
          leftAt: null,
          ...(acceptedSender ? { pending: { $ne: true } } : {}),
        },
      ]
    : [];
  const required = [...sender, ...mentioned.map((userId) => ({ userId, leftAt: null }))].map(
    (condition) => ({ $elemMatch: condition }),
  );
  if (required.length === 0) return { _id: conversationId };
  if (required.length === 1) return { _id: conversationId, members: trusted(required[0]!) };
  return { _id: conversationId, members: trusted({ $all: required }) };
}

/** The account `userId` is deactivated or deleted (the consent check of append; pure, cast-tested). */
export function accountGoneFilter(userId: Types.ObjectId): Record<string, unknown> {
  return {
    _id: userId,
    $or: [{ deactivatedAt: trusted({ $ne: null }) }, { deletedAt: trusted({ $ne: null }) }],
  };
}

/** A block between two people, either way (the consent check of append; pure, cast-tested). */
export function blockBetweenFilter(a: Types.ObjectId, b: Types.ObjectId): Record<string, unknown> {
  return {
    $or: [
      { blockerId: a, blockedId: b },
      { blockerId: b, blockedId: a },
    ],
  };
}

type MemberState = Pick<MemberDoc, 'userId' | 'leftAt' | 'pending'>;

/** What append reads of the conversation before it allocates (null: no such conversation). */
interface ConversationState {
  type: ConversationDoc['type'];
  directKey: string | null;
  members: MemberState[];
}

/** The sender's standing among `members` (null: no such conversation). */
function standing(members: readonly MemberState[] | null, senderId: Types.ObjectId) {
  const entry = members?.find((m) => m.userId.equals(senderId));
  if (!entry) return 'never';
  return isActiveMember(entry) ? 'active' : 'ended';
}

/** Hex user ids of the active members. */
function activeIds(members: readonly MemberState[]): string[] {
  return members.filter(isActiveMember).map((m) => m.userId.toHexString());
}

/** The update that raises the sender's watermarks to `seq` (step 4 of append; pure, cast-tested). */
export function senderWatermarksUpdate(seq: number): Record<string, unknown> {
  return { $max: { 'members.$.deliveredSeq': seq, 'members.$.readSeq': seq } };
}

/**
 * MessagesRepository on MongoDB (no multi-document transaction: a standalone mongod has none).
 *
 * Visibility (docs/storage.md, "Seq visibility on MongoDB"): a seq is allocated before its message is inserted,
 * so without care seq N+1 could be readable before N, and a client catching up with `after=N-1` would move past
 * N for good. Each conversation therefore keeps a watermark, `committedSeq`: every seq up to it holds a document
 * (its message, or a gap document for a seq no message will take), and history pages read up to it only.
 * append raises it (step 5) and resolves only once it covers its own message, so an acknowledged message is
 * readable by `after`, and nothing above an unread seq ever is.
 *
 * append, in order:
 * 0. The conversation's type and direct key and its members (ids, leftAt, pending): the sender's standing when
 *    `requireActiveSender` (SenderMembershipError before anything else, also for a resend) and the active ids
 *    returned as the fan-out audience.
 * 1. Resend check on the unique (conversationId, senderId, clientMessageId) index: a retry returns the stored
 *    message and changes nothing.
 * 1b. With `requireConsent`: the consent rules (a block between a direct pair and the other person's account,
 *    one `exists` each in parallel, direct conversations only; the sender's pending flag and the other person's
 *    membership from step 0); a reply's target (one `exists`); the mentions (from step 0). Each refusal stores
 *    nothing.
 * 2. Seq allocation: one `findOneAndUpdate` on the conversation (with `requireActiveSender`, only while the sender
 *    is an active member: the check and the allocation are one atomic step) with `$inc: { lastSeq: 1 }` and
 *    `$max: { lastActivityAt: now }`; single-document updates are atomic, so concurrent appends get distinct,
 *    increasing seqs, and `$max` keeps lastActivityAt from moving backwards when they finish out of order.
 * 3. Insert the message with that seq. If two identical sends raced past step 1, the loser's insert fails with
 *    E11000 on the client-id index; it returns the winner's message (`created: false`). The seq it allocated
 *    is then never used: a gap, which the protocol tolerates (clients order by seq and fill ranges; see
 *    docs/protocol.md); the loser fills it with a gap document at once. A crash between steps 2 and 3 leaves
 *    a hole that the next append fills after SEQ_HOLE_TIMEOUT_MS. Until the next message, such a gap counts
 *    once in the other members' unread count (lastSeq - readSeq). An insert refused because its seq was
 *    meanwhile filled with a gap (this append stalled past that timeout) allocates again.
 * 4. Raise the sender's deliveredSeq and readSeq to the new seq with `$max` (one's own message is never
 *    unread).
 * 5. Publish: raise `committedSeq` over every consecutive seq that holds a document, waiting (a few ms, by
 *    polling) for the appends allocated just before this one; seqs still empty after SEQ_HOLE_TIMEOUT_MS are
 *    filled with gap documents. Whichever append inserts last sees every earlier insert, so the watermark never
 *    stays below a run of stored seqs.
 * Attachments (no transaction; see docs/storage.md "Attachment claims"): before step 2 the listed attachments
 * are claimed with one conditional updateMany (unsent, or in flight for this same send -> held by the
 * pre-generated message id, with a claim key and time). Fewer claimed than listed: the claims are released and
 * AttachmentClaimError thrown before any seq is allocated. Steps 2-3 failing (no conversation, lost race,
 * any error) release them too. After the insert, the claims are confirmed (key and time cleared). The message
 * document lists its attachment ids in order: that list, not the attachments' messageId, is what readers show,
 * so a claim left behind by a crash never shows anywhere; the unsent sweep settles it later
 * (MongoAttachmentsRepository.deleteUnsentOlderThan), and a retry of the same send takes it over at once.
 * Durability: the connection's write concern is `{ w: 'majority', j: true }` (mongo-storage.module.ts), so the
 * insert has reached the journal (of a majority, on a replica set) before append resolves and the ack is sent.
 */
@Injectable()
export class MongoMessagesRepository extends MessagesRepository {
  constructor(
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
    @InjectModel(MODEL.attachment, MONGO_CONNECTION_NAME)
    private readonly attachments: Model<AttachmentDoc>,
    @InjectModel(MODEL.block, MONGO_CONNECTION_NAME) private readonly blocks: Model<BlockDoc>,
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
  ) {
    super();
  }

  /**
   * Idempotent append (see the class comment for the steps and their guarantees).
   * With `requireConsent`, before claiming or allocating: a block between the pair of a direct conversation and
   * the other person's account deactivated or deleted (one `exists` on the blocks and one on the users, in
   * parallel, only in a direct conversation; a block made between that read and the
   * allocation lets this one message through: MongoDB has no multi-document transaction on a standalone server),
   * the sender's pending membership and the other person's standing; the allocation's filter then re-checks
   * that the sender is active and not pending in the same atomic step. A reply's target is checked to be a
   * message of the conversation (one `exists`). Order of the refusals as in the SQL adapter: membership, consent,
   * reply target, mentions.
   * @throws SendConsentError, ReplyTargetError, MentionMembershipError (nothing stored).
   * @throws RecordNotFoundError('conversation') when the conversation does not exist; RecordNotFoundError('user')
   *   when the sender id is malformed (checked before a seq is allocated); SenderMembershipError with
   *   `requireActiveSender` when the sender is not an active member (nothing is claimed or allocated).
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    const requireActive = input.requireActiveSender === true;
    const conversationId = parseId(input.conversationId);
    if (!conversationId) {
      if (requireActive) throw new SenderMembershipError('never', input.conversationId);
      throw new RecordNotFoundError('conversation', input.conversationId);
    }
    const senderId = parseId(input.senderId);
    if (!senderId) throw new RecordNotFoundError('user', input.senderId);
    const claims = claimList(input.attachmentIds);
    const mentioned = mentionList(input.mentions);

    const state = await this.conversationState(conversationId);
    const members = state?.members ?? null;
    const before = standing(members, senderId);
    if (requireActive && before !== 'active')
      throw new SenderMembershipError(before, input.conversationId);
    const existing = await this.findByKey(conversationId, senderId, input.clientMessageId);
    if (existing) {
      // A resend may overtake the original's step 5: acknowledge it only once the message is visible too.
      await this.publish(conversationId, existing.seq);
      return {
        message: await this.withAttachments(existing),
        created: false,
        activeMemberIds: activeIds(members ?? []),
      };
    }

    const requireConsent = requireActive && input.requireConsent === true;
    if (requireConsent && state) {
      const refusal = await this.consentRefusal(state, senderId);
      if (refusal) throw new SendConsentError(refusal, input.conversationId);
    }
    if (input.replyToId) {
      const target = parseId(input.replyToId);
      const found = target
        ? await this.messages.exists({
            _id: target,
            conversationId,
            kind: trusted({ $ne: GAP_KIND }),
          })
        : null;
      if (!found) throw new ReplyTargetError(input.replyToId);
    }
    // Checked again atomically by the seq allocation (allocateSeqFilter); this early answer saves a claim.
    const inactive = firstInactive(members ?? [], mentioned);
    if (inactive) throw new MentionMembershipError(inactive.toHexString());

    const messageId = new Types.ObjectId();
    if (claims.length > 0) await this.claim(conversationId, senderId, input, claims, messageId);

    let doc: MessageDoc;
    let activeMemberIds: string[];
    try {
      ({ doc, activeMemberIds } = await this.insertAtNextSeq(
        conversationId,
        requireActive ? senderId : null,
        mentioned,
        requireConsent,
        {
          _id: messageId,
          senderId,
          clientMessageId: input.clientMessageId,
          kind: input.kind,
          body: input.body,
          system: input.system ?? null,
          attachmentIds: claims.map((c) => c.id),
          mentions: [...mentioned],
          mentionsAll: input.mentionsAll === true,
          replyToId: input.replyToId ? parseId(input.replyToId) : null,
          forwarded: input.forwarded === true,
        },
      ));
    } catch (error) {
      if (duplicateKeyIndex(error) === INDEX.clientMessageId) {
        const stored = await this.findByKey(conversationId, senderId, input.clientMessageId);
        if (stored) {
          // The winner of the race is the same send: claims we took over from it go back to its message.
          if (claims.length > 0) await this.handOver(messageId, stored);
          await this.publish(conversationId, stored.seq);
          return {
            message: await this.withAttachments(stored),
            created: false,
            activeMemberIds: activeIds(members ?? []),
          };
        }
      }
      if (claims.length > 0) await this.release(messageId);
      throw translateMongoError(error);
    }

    if (claims.length > 0) {
      const { filter, update } = confirmClaims(messageId);
      await this.attachments.updateMany(filter, update).exec();
    }
    await this.conversations
      .updateOne(
        { _id: conversationId, 'members.userId': senderId },
        senderWatermarksUpdate(doc.seq),
      )
      .exec();
    await this.publish(conversationId, doc.seq);
    return { message: await this.withAttachments(doc), created: true, activeMemberIds };
  }

  async listPage(
    conversationId: string,
    page: HistoryPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    const _id = parseId(conversationId);
    if (!_id) return { items: [], hasMore: false };
    const committedSeq = await this.visibleUpTo(_id);
    const { filter, sort, upwards } = historyQuery(_id, page, committedSeq);
    const docs = await this.messages
      .find(filter)
      .sort(sort)
      .limit(page.limit + 1)
      .lean<MessageDoc[]>()
      .exec();
    const items = await this.views(docs.slice(0, page.limit));
    if (!upwards) items.reverse();
    return { items, hasMore: docs.length > page.limit };
  }

  /**
   * Search with the `$text` index (messages_text_idx; differences from the SQL adapter in docs/search.md: words
   * are ANDed by quoting them, no prefix match, textScore instead of ts_rank, snippets marked in code).
   * Two queries: the caller's memberships (the conversations they may read, and up to which seq), then one
   * aggregation: `$text` match, the readable-conversation condition, the filters, `score` = round(textScore *
   * 1000), the keyset, sort (score, createdAt, _id descending) and limit. Attachments in one more query.
   * Not run here (no MongoDB on this machine): written to the same contract suite, untested.
   * @throws InvalidCursorError for a foreign cursor.
   */
  async search(input: MessageSearchInput): Promise<RecordPage<MessageSearchHitRecord>> {
    const none = { items: [], nextCursor: null };
    const userId = parseId(input.userId);
    if (!userId) return none;
    const text = mongoTextSearch(input.query);
    if (text === '') return none;
    const only = input.conversationId !== undefined ? parseId(input.conversationId) : null;
    if (input.conversationId !== undefined && !only) return none;
    const sender = input.senderId !== undefined ? parseId(input.senderId) : null;
    if (input.senderId !== undefined && !sender) return none;
    const memberships = await this.conversations
      .find(
        { 'members.userId': userId, ...(only ? { _id: only } : {}) },
        { _id: 1, members: { $elemMatch: { userId } } },
      )
      .lean<Pick<ConversationDoc, '_id' | 'members'>[]>()
      .exec();
    const readable = searchScope(memberships);
    if (!readable) return none;
    const match: Record<string, unknown> = {
      $text: { $search: text, $caseSensitive: false, $diacriticSensitive: false },
      kind: 'text',
      ...readable,
    };
    if (sender) match.senderId = sender;
    if (input.hasAttachments === true) match['attachmentIds.0'] = trusted({ $exists: true });
    const createdAt: Record<string, Date> = {};
    if (input.from) createdAt.$gte = input.from;
    if (input.to) createdAt.$lt = input.to;
    if (Object.keys(createdAt).length > 0) match.createdAt = trusted(createdAt);
    const pipeline: PipelineStage[] = [
      { $match: match },
      { $addFields: { score: { $round: [{ $multiply: [{ $meta: 'textScore' }, 1000] }, 0] } } },
    ];
    if (input.cursor) pipeline.push({ $match: searchKeysetFilter(input.cursor) });
    pipeline.push({ $sort: { score: -1, createdAt: -1, _id: -1 } }, { $limit: input.limit + 1 });
    const docs = await this.messages.aggregate<MessageDoc & { score: number }>(pipeline).exec();
    const pageDocs = docs.slice(0, input.limit);
    const attached = await loadAttachmentsById(
      this.attachments,
      pageDocs.flatMap((doc) => doc.attachmentIds),
    );
    const terms = queryTerms(input.query);
    const items = pageDocs.map((doc) => ({
      message: toMessageRecord(doc, attached),
      snippet: markMatches(doc.body, terms, null),
      score: doc.score,
    }));
    const last = pageDocs.at(-1);
    return {
      items,
      nextCursor:
        docs.length > input.limit && last
          ? encodeCursor({
              s: last.score,
              t: last.createdAt.toISOString(),
              id: last._id.toHexString(),
            })
          : null,
    };
  }

  async findById(id: string): Promise<MessageRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.messages.findById(_id).lean<MessageDoc>().exec();
    return doc ? this.withAttachments(doc) : null;
  }

  async findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null> {
    const cid = parseId(conversationId);
    const sid = parseId(senderId);
    if (!cid || !sid) return null;
    const doc = await this.findByKey(cid, sid, clientMessageId);
    return doc ? this.withAttachments(doc) : null;
  }

  /** The conversation's type and direct key, and its members' ids, leftAt and pending (null when it does not exist). */
  private async conversationState(
    conversationId: Types.ObjectId,
  ): Promise<ConversationState | null> {
    const doc = await this.conversations
      .findById(conversationId, {
        _id: 0,
        type: 1,
        directKey: 1,
        'members.userId': 1,
        'members.leftAt': 1,
        'members.pending': 1,
      })
      .lean<ConversationState>()
      .exec();
    return doc ? { type: doc.type, directKey: doc.directKey ?? null, members: doc.members } : null;
  }

  /**
   * Why a person's send may not go ahead yet (null: it may), in the SQL adapter's order: a block between the pair
   * of a direct conversation (either way), the other person's account deactivated or deleted, the sender's pending
   * membership, the other person no longer a member.
   */
  private async consentRefusal(
    state: ConversationState,
    senderId: Types.ObjectId,
  ): Promise<SendConsentError['reason'] | null> {
    const peerHex =
      state.type === 'direct' && state.directKey
        ? directPeerOf(state.directKey, senderId.toHexString())
        : null;
    const peer = peerHex ? parseId(peerHex) : null;
    if (peer) {
      const [blocked, gone] = await Promise.all([
        this.blocks.exists(blockBetweenFilter(senderId, peer)),
        this.users.exists(accountGoneFilter(peer)),
      ]);
      if (blocked) return 'blocked';
      if (gone) return 'unavailable';
    }
    const sender = state.members.find((m) => m.userId.equals(senderId));
    if (sender?.pending === true) return 'pending';
    if (peer && !state.members.some((m) => m.userId.equals(peer) && isActiveMember(m))) {
      return 'peer_inactive';
    }
    return null;
  }

  /**
   * Steps 2 and 3 of append: allocates the next seq and inserts the message with it; allocates again (up to
   * APPEND_ATTEMPTS in all) when a stall past SEQ_HOLE_TIMEOUT_MS let a gap take the seq. A lost idempotency race
   * fills its seq with a gap before the E11000 goes up. With `activeSender`, every allocation (a retry's too)
   * happens only while that person is an active member (allocateSeqFilter): a refused one allocates nothing, so
   * it leaves no hole behind.
   * @returns the stored message and the active members as the allocation that gave its seq saw them
   * @throws SenderMembershipError (with `activeSender`, no longer an active member); SendConsentError('pending')
   *   (with `acceptedSender`, invited again meanwhile); MentionMembershipError (a mentioned user left meanwhile);
   *   RecordNotFoundError('conversation'); the insert's error (E11000 on the client-id index for a lost race).
   */
  private async insertAtNextSeq(
    conversationId: Types.ObjectId,
    activeSender: Types.ObjectId | null,
    mentioned: readonly Types.ObjectId[],
    acceptedSender: boolean,
    message: Omit<MessageDoc, 'conversationId' | 'seq' | 'createdAt'>,
  ): Promise<{ doc: MessageDoc; activeMemberIds: string[] }> {
    for (let attempt = 1; ; attempt += 1) {
      const allocated = await this.conversations
        .findOneAndUpdate(
          allocateSeqFilter(conversationId, activeSender, mentioned, acceptedSender),
          allocateSeqUpdate(new Date()),
          {
            returnDocument: 'after',
            projection: { lastSeq: 1, lastActivityAt: 1, 'members.userId': 1, 'members.leftAt': 1 },
          },
        )
        .lean<
          Pick<ConversationDoc, '_id' | 'lastSeq' | 'lastActivityAt'> & { members: MemberState[] }
        >()
        .exec();
      if (!allocated) {
        // With activeSender: removed (or the conversation deleted) since append read the members; or a
        // mentioned user left meanwhile.
        const states = (await this.conversationState(conversationId))?.members ?? null;
        if (activeSender) {
          const now = standing(states, activeSender);
          if (now !== 'active') throw new SenderMembershipError(now, conversationId.toHexString());
          // Back to pending meanwhile (left and was invited again): the service asks for consent again.
          if (
            acceptedSender &&
            states?.find((m) => m.userId.equals(activeSender))?.pending === true
          )
            throw new SendConsentError('pending', conversationId.toHexString());
        }
        const inactive = states ? firstInactive(states, mentioned) : null;
        if (inactive) throw new MentionMembershipError(inactive.toHexString());
        throw new RecordNotFoundError('conversation', conversationId.toHexString());
      }
      const doc: MessageDoc = {
        ...message,
        conversationId,
        seq: allocated.lastSeq,
        // The conversation's activity time as this append left it: the message and the list agree on "when".
        createdAt: allocated.lastActivityAt,
      };
      try {
        await this.messages.insertOne(doc);
        return { doc, activeMemberIds: activeIds(allocated.members) };
      } catch (error) {
        const index = duplicateKeyIndex(error);
        if (index === INDEX.messageSeq && attempt < APPEND_ATTEMPTS) continue;
        if (index === INDEX.clientMessageId) await this.fillGaps(conversationId, [doc.seq]);
        throw error;
      }
    }
  }

  /**
   * Step 5 of append: returns once the watermark covers `seq` (see the class comment). Waits by polling, a few
   * milliseconds at first; after SEQ_HOLE_TIMEOUT_MS it fills the seqs below `seq` that are still empty.
   */
  private async publish(conversationId: Types.ObjectId, seq: number): Promise<void> {
    const deadline = Date.now() + SEQ_HOLE_TIMEOUT_MS;
    let pause = 2;
    for (;;) {
      const { committed, last } = await this.advance(conversationId);
      // `last` is 0 only when the conversation is gone: nothing left to publish.
      if (committed >= seq || last === 0) return;
      if (Date.now() >= deadline) {
        await this.fillHoles(conversationId, committed, seq);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 100);
    }
  }

  /**
   * The watermark a reader may read up to. Normally the stored one; while it trails lastSeq, it is first
   * advanced, and holes whose later seqs were stored over 2 x SEQ_HOLE_TIMEOUT_MS ago (their appends would have
   * filled them by then, so they crashed too) are filled, so a conversation can never stay stuck.
   */
  private async visibleUpTo(conversationId: Types.ObjectId): Promise<number> {
    const { committed, last } = await this.advance(conversationId);
    if (committed >= last) return committed;
    const next = await this.messages
      .findOne({ conversationId, seq: trusted({ $gt: committed }) }, { seq: 1, createdAt: 1 })
      .sort({ seq: 1 })
      .lean<Pick<MessageDoc, 'seq' | 'createdAt'>>()
      .exec();
    if (!next || Date.now() - next.createdAt.getTime() < 2 * SEQ_HOLE_TIMEOUT_MS) return committed;
    await this.fillHoles(conversationId, committed, next.seq);
    return (await this.advance(conversationId)).committed;
  }

  /**
   * Raises `committedSeq` over the consecutive seqs above it that hold a document (message or gap), as far as
   * they go. Safe to run anywhere, any number of times at once: a seq that holds a document keeps it, so any
   * frontier computed is right forever, and `$max` keeps the highest.
   * @returns the watermark as this call left it, and the conversation's lastSeq (both 0 when it is gone).
   */
  private async advance(
    conversationId: Types.ObjectId,
  ): Promise<{ committed: number; last: number }> {
    for (;;) {
      const state = await this.conversations
        .findById(conversationId, { committedSeq: 1, lastSeq: 1 })
        .lean<Pick<ConversationDoc, '_id' | 'committedSeq' | 'lastSeq'>>()
        .exec();
      if (!state) return { committed: 0, last: 0 };
      if (state.committedSeq >= state.lastSeq) {
        return { committed: state.committedSeq, last: state.lastSeq };
      }
      const present = await this.storedSeqs(conversationId, state.committedSeq, state.lastSeq);
      const frontier = contiguousFrontier(state.committedSeq, present);
      if (frontier === state.committedSeq) {
        return { committed: state.committedSeq, last: state.lastSeq };
      }
      await this.conversations
        .updateOne({ _id: conversationId }, committedSeqUpdate(frontier))
        .exec();
    }
  }

  /** The seqs in (`above`, `upTo`] that hold a document, ascending, at most WATERMARK_SCAN of them. */
  private async storedSeqs(
    conversationId: Types.ObjectId,
    above: number,
    upTo: number,
  ): Promise<number[]> {
    const docs = await this.messages
      .find({ conversationId, seq: trusted({ $gt: above, $lte: upTo }) }, { _id: 0, seq: 1 })
      .sort({ seq: 1 })
      .limit(WATERMARK_SCAN)
      .lean<Pick<MessageDoc, 'seq'>[]>()
      .exec();
    return docs.map((doc) => doc.seq);
  }

  /** Fills the empty seqs in (`committed`, `below`) with gap documents. */
  private async fillHoles(
    conversationId: Types.ObjectId,
    committed: number,
    below: number,
  ): Promise<void> {
    const present = await this.storedSeqs(conversationId, committed, below - 1);
    await this.fillGaps(conversationId, missingSeqs(committed, below, present));
  }

  /**
   * Inserts a gap document at each seq. A seq that meanwhile got its message (or another gap) keeps it: the
   * unique index refuses the gap, which is the point, and the late append's own insert is then the one refused.
   */
  private async fillGaps(conversationId: Types.ObjectId, seqs: readonly number[]): Promise<void> {
    const now = new Date();
    for (const seq of seqs) {
      try {
        await this.messages.insertOne(gapDocument(conversationId, seq, now));
      } catch (error) {
        if (duplicateKeyIndex(error) === null) throw error;
      }
    }
  }

  private async withAttachments(doc: MessageDoc): Promise<MessageRecord> {
    const [view] = await this.views([doc]);
    return view!;
  }

  /** Documents -> records with their attachments and reply targets (two batch queries, skipped when not needed). */
  private async views(docs: readonly MessageDoc[]): Promise<MessageRecord[]> {
    const attachmentIds = docs.flatMap((doc) => doc.attachmentIds);
    const [attached, replyTargets] = await Promise.all([
      attachmentIds.length > 0
        ? loadAttachmentsById(this.attachments, attachmentIds)
        : Promise.resolve(undefined),
      loadReplyTargets(this.messages, docs),
    ]);
    return docs.map((doc) => toMessageRecord(doc, attached, replyTargets));
  }

  /**
   * One change (see the class comment, "Changes"). Steps:
   * 1. allocate: one pipeline update of the conversation raises `changeSeq` and appends `{seq, at}` to
   *    `changesInFlight` in the same atomic document update;
   * 2. `apply(N)`: one conditional single-document update of the message that also requires `changeSeq < N` and
   *    sets it to N, so a message's changeSeq only grows and the view sent live with N is the state N made;
   * 3. release: `$pull` N from `changesInFlight` (in `finally`: a failed apply releases too).
   * When the apply found a higher changeSeq on the message (a change allocated after ours was applied first), the
   * value is released and a new one allocated (up to CHANGE_ATTEMPTS). When the release finds N already expired
   * from the in-flight list (this change stalled past CHANGE_IN_FLIGHT_TIMEOUT_MS, so a reader may have paged
   * past N), the message is stamped again with a fresh value so the feed still brings it.
   */
  private async runChange(
    target: ParsedTarget,
    apply: (changeSeq: number) => Promise<ApplyResult>,
  ): Promise<MessageChangeOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const changeSeq = await this.allocateChange(target.conversationId);
      if (changeSeq === null) return 'not_found';
      let result: ApplyResult;
      try {
        result = await apply(changeSeq);
      } catch (error) {
        await this.releaseChange(target.conversationId, changeSeq);
        throw error;
      }
      const released = await this.releaseChange(target.conversationId, changeSeq);
      if (result === 'changed') {
        if (!released) await this.restamp(target);
        return 'changed';
      }
      if (result !== 'overtaken') return result;
      if (attempt >= CHANGE_ATTEMPTS) throw new Error('message change overtaken too often; retry');
    }
  }

  /** Step 1 of runChange: the new change value, or null when the conversation is gone. */
  private async allocateChange(conversationId: Types.ObjectId): Promise<number | null> {
    const doc = await this.conversations
      .findOneAndUpdate({ _id: conversationId }, allocateChangePipeline(new Date()), {
        returnDocument: 'after',
        projection: { changeSeq: 1 },
        updatePipeline: true,
      })
      .lean<Pick<ConversationDoc, '_id' | 'changeSeq'>>()
      .exec();
    return doc ? (doc.changeSeq ?? 0) : null;
  }

  /** Step 3 of runChange. @returns false when the value had already been expired from the in-flight list */
  private async releaseChange(conversationId: Types.ObjectId, changeSeq: number): Promise<boolean> {
    const released = await this.conversations
      .updateOne(
        { _id: conversationId, 'changesInFlight.seq': changeSeq },
        { $pull: { changesInFlight: { seq: changeSeq } } },
      )
      .exec();
    return released.modifiedCount === 1;
  }

  /** Gives a message a fresh change value (content unchanged): see runChange. */
  private async restamp(target: ParsedTarget): Promise<void> {
    await this.runChange(target, async (changeSeq) => {
      const stamped = await this.messages
        .updateOne(
          { _id: target.messageId, changeSeq: trusted({ $lt: changeSeq }) },
          { $set: { changeSeq } },
        )
        .exec();
      return stamped.modifiedCount === 1 ? 'changed' : 'overtaken';
    });
  }

  /** Why a conditional message update matched nothing (read after it; see runChange). */
  private async explain(
    target: ParsedTarget,
    changeSeq: number,
    otherwise: ApplyResult,
    deletedIs: ApplyResult = 'deleted',
  ): Promise<ApplyResult> {
    const doc = await this.messages
      .findOne(
        { _id: target.messageId, conversationId: target.conversationId },
        { deletedAt: 1, changeSeq: 1, kind: 1 },
      )
      .lean<Pick<MessageDoc, '_id' | 'deletedAt' | 'changeSeq' | 'kind'>>()
      .exec();
    if (!doc || doc.kind === GAP_KIND) return 'not_found';
    if (doc.deletedAt) return deletedIs;
    if ((doc.changeSeq ?? 0) >= changeSeq) return 'overtaken';
    return otherwise;
  }

  private async result(
    target: ParsedTarget,
    outcome: MessageChangeOutcome,
  ): Promise<MessageChangeResult> {
    if (outcome === 'not_found') return { outcome, message: null };
    const doc = await this.messages
      .findOne({ _id: target.messageId, conversationId: target.conversationId })
      .lean<MessageDoc>()
      .exec();
    if (!doc || doc.kind === GAP_KIND) return { outcome: 'not_found', message: null };
    return { outcome, message: await this.withAttachments(doc) };
  }

  async editBody(target: MessageTarget, body: string): Promise<MessageChangeResult> {
    const parsed = parseTarget(target);
    if (!parsed) return { outcome: 'not_found', message: null };
    const outcome = await this.runChange(parsed, async (changeSeq) => {
      const updated = await this.messages
        .updateOne(
          {
            ...changeFilter(parsed, changeSeq),
            kind: 'text',
            body: trusted({ $ne: body }),
          },
          { $set: { body, editedAt: new Date(), changeSeq } },
        )
        .exec();
      if (updated.modifiedCount === 1) return 'changed';
      return this.explain(parsed, changeSeq, 'unchanged');
    });
    return this.result(parsed, outcome);
  }

  /**
   * The tombstone is one conditional update (body, reactions and attachment list emptied, deletedAt/By and the
   * change value set). Then the attachment documents of the message are deleted and their file keys returned;
   * this second step also runs for a message already deleted (so a crash between the two steps is finished by
   * any retry of the deletion), and readers never show them meanwhile: display follows the message's own
   * (now empty) attachment list. (Untested here: no mongod on the build machine.)
   */
  async delete(target: MessageTarget, deletedBy: DeletedBy): Promise<MessageDeleteResult> {
    const parsed = parseTarget(target);
    if (!parsed) return { outcome: 'not_found', message: null, removedFileKeys: [] };
    const outcome = await this.runChange(parsed, async (changeSeq) => {
      const updated = await this.messages
        .updateOne(changeFilter(parsed, changeSeq), {
          $set: {
            body: '',
            reactions: [],
            attachmentIds: [],
            deletedAt: new Date(),
            deletedBy,
            changeSeq,
          },
        })
        .exec();
      if (updated.modifiedCount === 1) return 'changed';
      return this.explain(parsed, changeSeq, 'unchanged', 'unchanged');
    });
    let removedFileKeys: string[] = [];
    if (outcome === 'changed' || outcome === 'unchanged') {
      const files = await this.attachments
        .find({ messageId: parsed.messageId }, { storageKey: 1, thumbnailKey: 1 })
        .lean<Pick<AttachmentDoc, '_id' | 'storageKey' | 'thumbnailKey'>[]>()
        .exec();
      if (files.length > 0) {
        await this.attachments
          .deleteMany({ _id: trusted({ $in: files.map((f) => f._id) }) })
          .exec();
        removedFileKeys = files.flatMap((f) =>
          f.thumbnailKey ? [f.storageKey, f.thumbnailKey] : [f.storageKey],
        );
      }
    }
    const result = await this.result(parsed, outcome);
    return { ...result, removedFileKeys };
  }

  /**
   * Set semantics and the distinct-emoji limit in single-document conditional updates: an emoji already on the
   * message gets the user pushed into its entry only if absent from it (`$elemMatch` with `userIds: {$ne}`, then
   * the positional `$`); a new emoji is pushed only while no entry has it and the array has fewer than
   * `maxDistinct` entries (`reactions.<max-1>` does not exist). Each is atomic, so concurrent adds cannot pass the
   * limit or duplicate a user. (Untested here: no mongod on the build machine.)
   */
  async addReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
    maxDistinct: number,
  ): Promise<MessageChangeResult> {
    const parsed = parseTarget(target);
    const user = parseId(userId);
    if (!parsed || !user) return { outcome: 'not_found', message: null };
    const outcome = await this.runChange(parsed, async (changeSeq) => {
      const joined = await this.messages
        .updateOne(
          {
            ...changeFilter(parsed, changeSeq),
            reactions: trusted({ $elemMatch: { emoji, userIds: { $ne: user } } }),
          },
          { $push: { 'reactions.$.userIds': user }, $set: { changeSeq } },
        )
        .exec();
      if (joined.modifiedCount === 1) return 'changed';
      const added = await this.messages
        .updateOne(
          {
            ...changeFilter(parsed, changeSeq),
            'reactions.emoji': trusted({ $ne: emoji }),
            [`reactions.${maxDistinct - 1}`]: trusted({ $exists: false }),
          },
          { $push: { reactions: { emoji, userIds: [user], at: new Date() } }, $set: { changeSeq } },
        )
        .exec();
      if (added.modifiedCount === 1) return 'changed';
      const why = await this.explain(parsed, changeSeq, 'unchanged');
      if (why !== 'unchanged') return why;
      // Live, not deleted, not overtaken: either the user has it already, or the limit refused a new emoji.
      const has = await this.messages
        .exists({ _id: parsed.messageId, reactions: trusted({ $elemMatch: { emoji } }) })
        .exec();
      return has ? 'unchanged' : 'reaction_limit';
    });
    return this.result(parsed, outcome);
  }

  /** One pipeline update: the user leaves the emoji's entry, and an entry left empty goes (atomically). */
  async removeReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
  ): Promise<MessageChangeResult> {
    const parsed = parseTarget(target);
    const user = parseId(userId);
    if (!parsed || !user) return { outcome: 'not_found', message: null };
    const outcome = await this.runChange(parsed, async (changeSeq) => {
      const removed = await this.messages
        .updateOne(
          {
            ...changeFilter(parsed, changeSeq),
            reactions: trusted({ $elemMatch: { emoji, userIds: user } }),
          },
          removeReactionPipeline(emoji, user, changeSeq),
          { updatePipeline: true },
        )
        .exec();
      if (removed.modifiedCount === 1) return 'changed';
      return this.explain(parsed, changeSeq, 'unchanged');
    });
    return this.result(parsed, outcome);
  }

  /**
   * Reads only below the lowest change value still in flight (entries older than CHANGE_IN_FLIGHT_TIMEOUT_MS are
   * taken for crashed and expired first), so a value is never passed while a lower one may still land. One range
   * scan of the partial (conversationId, changeSeq) index.
   */
  async listChanges(
    conversationId: string,
    page: ChangesPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    const _id = parseId(conversationId);
    if (!_id) return { items: [], hasMore: false };
    const cutoff = new Date(Date.now() - CHANGE_IN_FLIGHT_TIMEOUT_MS);
    await this.conversations
      .updateOne(
        { _id, 'changesInFlight.at': trusted({ $lt: cutoff }) },
        { $pull: { changesInFlight: { at: { $lt: cutoff } } } },
      )
      .exec();
    const state = await this.conversations
      .findById(_id, { changeSeq: 1, changesInFlight: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'changeSeq' | 'changesInFlight'>>()
      .exec();
    if (!state) return { items: [], hasMore: false };
    const ceiling = Math.min(
      changeVisibleUpTo(state.changeSeq ?? 0, state.changesInFlight ?? []),
      page.untilChangeSeq ?? Number.POSITIVE_INFINITY,
    );
    if (ceiling <= page.after) return { items: [], hasMore: false };
    const filter: Record<string, unknown> = {
      conversationId: _id,
      changeSeq: trusted({ $gt: Math.max(0, page.after), $lte: ceiling }),
    };
    if (page.untilSeq !== undefined) filter.seq = trusted({ $lte: page.untilSeq });
    const docs = await this.messages
      .find(filter)
      .sort({ changeSeq: 1 })
      .limit(page.limit + 1)
      .lean<MessageDoc[]>()
      .exec();
    const items = await this.views(docs.slice(0, page.limit));
    return { items, hasMore: docs.length > page.limit };
  }

  /**
   * Claims every listed attachment for `messageId`, or none: a short count is released and explained.
   * @throws AttachmentClaimError (nothing is left claimed).
   */
  private async claim(
    conversationId: Types.ObjectId,
    senderId: Types.ObjectId,
    input: AppendMessageInput,
    claims: readonly { id: Types.ObjectId; hex: string }[],
    messageId: Types.ObjectId,
  ): Promise<void> {
    const claimKey = `${conversationId.toHexString()}:${senderId.toHexString()}:${input.clientMessageId}`;
    const ids = claims.map((c) => c.id);
    const result = await this.attachments
      .updateMany(
        claimFilter({ ids, conversationId, uploaderId: senderId, claimKey }),
        claimUpdate(messageId, claimKey, new Date()),
      )
      .exec();
    if (result.modifiedCount === claims.length) return;
    await this.release(messageId);
    const found = await this.attachments
      .find({ _id: trusted({ $in: ids }) }, { conversationId: 1, uploaderId: 1, messageId: 1 })
      .lean<Pick<AttachmentDoc, '_id' | 'conversationId' | 'uploaderId' | 'messageId'>[]>()
      .exec();
    const byId = new Map(found.map((doc) => [doc._id.toHexString(), doc]));
    for (const { hex } of claims) {
      const doc = byId.get(hex);
      if (!doc || !doc.conversationId.equals(conversationId) || !doc.uploaderId.equals(senderId)) {
        throw new AttachmentClaimError('not_found', hex);
      }
      if (doc.messageId !== null) throw new AttachmentClaimError('in_use', hex);
    }
    // Everything looks free now: a concurrent claim let go in between. Answer as taken, as it was.
    throw new AttachmentClaimError('in_use', claims[0]?.hex ?? '');
  }

  private async release(messageId: Types.ObjectId): Promise<void> {
    const { filter, update } = releaseClaims(messageId);
    await this.attachments.updateMany(filter, update).exec();
  }

  /**
   * A losing duplicate send may hold claims it took over from the winner (same send, in flight): those the
   * stored message lists go to it (confirmed), any others are released.
   */
  private async handOver(from: Types.ObjectId, stored: MessageDoc): Promise<void> {
    const { filter, update } = handOverClaims(from, stored);
    await this.attachments.updateMany(filter, update).exec();
    await this.release(from);
  }

  private findByKey(
    conversationId: Types.ObjectId,
    senderId: Types.ObjectId,
    clientMessageId: string,
  ): Promise<MessageDoc | null> {
    return this.messages
      .findOne({ conversationId, senderId, clientMessageId })
      .lean<MessageDoc>()
      .exec();
  }
}

/** How long an allocated change value may stay in flight before readers take its change for crashed. */
export const CHANGE_IN_FLIGHT_TIMEOUT_MS = 10_000;
/** Allocations one change may make when changes allocated after it keep being applied first. */
const CHANGE_ATTEMPTS = 5;

/** What one apply step of a change found; `overtaken`: the message already carries a higher change value. */
type ApplyResult = MessageChangeOutcome | 'overtaken';

export interface ParsedTarget {
  conversationId: Types.ObjectId;
  messageId: Types.ObjectId;
}

function parseTarget(target: MessageTarget): ParsedTarget | null {
  const conversationId = parseId(target.conversationId);
  const messageId = parseId(target.messageId);
  return conversationId && messageId ? { conversationId, messageId } : null;
}

/**
 * The filter every change's message update starts from (pure, cast-tested): that message of that conversation,
 * not deleted, and carrying a lower change value than the one being applied.
 */
export function changeFilter(target: ParsedTarget, changeSeq: number): Record<string, unknown> {
  return {
    _id: target.messageId,
    conversationId: target.conversationId,
    deletedAt: null,
    changeSeq: trusted({ $lt: changeSeq }),
  };
}

/**
 * The pipeline update that allocates a change value (pure): `changeSeq + 1` (absent counts as 0), and the same
 * value appended to `changesInFlight` with `at`, in one atomic document update (stages run in order, so the
 * second sees the raised value).
 */
export function allocateChangePipeline(at: Date): Record<string, unknown>[] {
  return [
    { $set: { changeSeq: { $add: [{ $ifNull: ['$changeSeq', 0] }, 1] } } },
    {
      $set: {
        changesInFlight: {
          $concatArrays: [{ $ifNull: ['$changesInFlight', []] }, [{ seq: '$changeSeq', at }]],
        },
      },
    },
  ];
}

/** The pipeline update removing `userId` from `emoji`'s entry and dropping entries left empty (pure). */
export function removeReactionPipeline(
  emoji: string,
  userId: Types.ObjectId,
  changeSeq: number,
): Record<string, unknown>[] {
  return [
    {
      $set: {
        changeSeq,
        reactions: {
          $filter: {
            input: {
              $map: {
                input: '$reactions',
                as: 'r',
                in: {
                  $cond: [
                    { $eq: ['$$r.emoji', { $literal: emoji }] },
                    {
                      $mergeObjects: [
                        '$$r',
                        {
                          userIds: {
                            $filter: {
                              input: '$$r.userIds',
                              as: 'u',
                              cond: { $ne: ['$$u', userId] },
                            },
                          },
                        },
                      ],
                    },
                    '$$r',
                  ],
                },
              },
            },
            as: 'r',
            cond: { $gt: [{ $size: '$$r.userIds' }, 0] },
          },
        },
      },
    },
  ];
}

/**
 * The highest change value a reader may pass (pure): just below the lowest value still in flight, else the
 * counter itself. `changeVisibleUpTo(9, [{seq: 7}, {seq: 9}])` is 6.
 */
export function changeVisibleUpTo(
  changeSeq: number,
  inFlight: readonly Pick<ChangeInFlightDoc, 'seq'>[],
): number {
  let ceiling = changeSeq;
  for (const entry of inFlight) ceiling = Math.min(ceiling, entry.seq - 1);
  return ceiling;
}

/**
 * The readable part of the messages collection for one person's memberships (pure, cast-tested): every message
 * of the conversations they are an active member of, and up to historyUntilSeq of those they left. Null when
 * there is none.
 */
export function searchScope(
  memberships: readonly Pick<ConversationDoc, '_id' | 'members'>[],
): Record<string, unknown> | null {
  const active: Types.ObjectId[] = [];
  const former: Record<string, unknown>[] = [];
  for (const doc of memberships) {
    const member = doc.members[0];
    if (!member) continue;
    if (isActiveMember(member)) active.push(doc._id);
    else
      former.push({ conversationId: doc._id, seq: trusted({ $lte: member.historyUntilSeq ?? 0 }) });
  }
  const branches = [
    ...(active.length > 0 ? [{ conversationId: trusted({ $in: active }) }] : []),
    ...former,
  ];
  if (branches.length === 0) return null;
  return branches.length === 1 ? (branches[0] ?? null) : { $or: branches };
}

/** Search cursor: the last hit's score, createdAt (ISO) and id (pure). */
const isSearchCursor = (value: unknown): value is { s: number; t: string; id: string } => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.s === 'number' &&
    Number.isInteger(v.s) &&
    typeof v.t === 'string' &&
    !Number.isNaN(Date.parse(v.t)) &&
    typeof v.id === 'string' &&
    parseId(v.id) !== null
  );
};

/**
 * "Strictly after the cursor" in (score, createdAt, _id) descending order (pure, cast-tested).
 * @throws InvalidCursorError for a cursor search did not issue.
 */
export function searchKeysetFilter(cursor: string): Record<string, unknown> {
  const after = decodeCursor(cursor, isSearchCursor);
  const at = new Date(after.t);
  const id = new Types.ObjectId(after.id.toLowerCase());
  return {
    $or: [
      { score: { $lt: after.s } },
      { score: after.s, createdAt: { $lt: at } },
      { score: after.s, createdAt: at, _id: { $lt: id } },
    ],
  };
}

/**
 * The mentioned user ids of an append, parsed and distinct.
 * @throws MentionMembershipError for an id that cannot be a user's (no query is made).
 */
function mentionList(ids: readonly string[] | undefined): Types.ObjectId[] {
  const out = new Map<string, Types.ObjectId>();
  for (const raw of ids ?? []) {
    const id = parseId(raw);
    if (!id) throw new MentionMembershipError(raw);
    out.set(id.toHexString(), id);
  }
  return [...out.values()];
}

/** The first of `mentioned` who is not an active member among `members`, or null. */
function firstInactive(
  members: readonly MemberState[],
  mentioned: readonly Types.ObjectId[],
): Types.ObjectId | null {
  return (
    mentioned.find((id) => !members.some((m) => m.userId.equals(id) && isActiveMember(m))) ?? null
  );
}

/**
 * The attachment ids of an append, parsed, in the sender's order with repeats dropped (the first position
 * counts).
 * @throws AttachmentClaimError('not_found') for an id that cannot be one of ours (no query is made).
 */
function claimList(ids: readonly string[] | undefined): { id: Types.ObjectId; hex: string }[] {
  const out: { id: Types.ObjectId; hex: string }[] = [];
  const seen = new Set<string>();
  for (const raw of ids ?? []) {
    const id = parseId(raw);
    if (!id) throw new AttachmentClaimError('not_found', raw);
    const hex = id.toHexString();
    if (seen.has(hex)) continue;
    seen.add(hex);
    out.push({ id, hex });
  }
  return out;
}
