/**
 * Every repository method's first query, cast by Mongoose exactly as it would be before reaching a server.
 *
 * No mongod is needed: the models live on a connection that never opens, with `bufferCommands` off, so a query
 * that passes casting fails right after with Mongoose's "before initial connection is complete" error, while a
 * query that names an undeclared path (strictQuery/strict 'throw'), or an operator that `sanitizeFilter` would
 * neuter because it was not marked trusted, fails earlier with a StrictModeError or CastError. That catches the
 * mistakes a server run would otherwise be the first to see. What it cannot show (results, index use,
 * atomicity) is for the contract suite on a real server (mongo.contract.spec.ts).
 */
import { describe, expect, it } from '@jest/globals';
import mongoose, { Types, trusted } from 'mongoose';
import { encodeCursor } from '../cursor.js';
import {
  activeMemberFilter,
  formerMemberFilter,
  lastMessagesFilter,
  MongoConversationsRepository,
  removeMemberPipeline,
  unreadMentionsFilter,
  countUnreadMentions,
} from './mongo-conversations.repository.js';
import {
  allocateChangePipeline,
  changeFilter,
  changeVisibleUpTo,
  removeReactionPipeline,
  allocateSeqFilter,
  allocateSeqUpdate,
  accountGoneFilter,
  blockBetweenFilter,
  committedSeqUpdate,
  gapDocument,
  historyQuery,
  MongoMessagesRepository,
  searchKeysetFilter,
  searchScope,
  senderWatermarksUpdate,
} from './mongo-messages.repository.js';
import {
  claimFilter,
  claimUpdate,
  confirmClaims,
  handOverClaims,
  MongoAttachmentsRepository,
  parseClaimKey,
  releaseClaims,
} from './mongo-attachments.repository.js';
import { MongoSessionsRepository } from './mongo-sessions.repository.js';
import { MongoUsersRepository } from './mongo-users.repository.js';
import { mongoConnectionOptions } from './mongo-storage.module.js';
import {
  AttachmentSchema,
  BlockSchema,
  ConversationSchema,
  MessageSchema,
  MODEL,
  SessionSchema,
  UserSchema,
  type AttachmentDoc,
  type BlockDoc,
  type ConversationDoc,
  type MessageDoc,
  type SessionDoc,
  type UserDoc,
} from './mongo.schemas.js';

const connection = mongoose.createConnection();
// The adapter's own connection settings, applied to a connection that never opens.
connection.config.sanitizeFilter = mongoConnectionOptions().sanitizeFilter;
connection.config.bufferCommands = false;
const users = connection.model<UserDoc>(MODEL.user, UserSchema);
const sessions = connection.model<SessionDoc>(MODEL.session, SessionSchema);
const conversations = connection.model<ConversationDoc>(MODEL.conversation, ConversationSchema);
const messages = connection.model<MessageDoc>(MODEL.message, MessageSchema);
const attachments = connection.model<AttachmentDoc>(MODEL.attachment, AttachmentSchema);
const blocks = connection.model<BlockDoc>(MODEL.block, BlockSchema);

const repos = {
  users: new MongoUsersRepository(users),
  sessions: new MongoSessionsRepository(sessions),
  conversations: new MongoConversationsRepository(conversations, messages, users, attachments),
  messages: new MongoMessagesRepository(messages, conversations, attachments, blocks, users),
  attachments: new MongoAttachmentsRepository(attachments, messages),
};

const id = () => new Types.ObjectId().toHexString();
const NOT_CONNECTED = /before initial connection is complete/;

/** The promise must fail only because there is no server, i.e. after Mongoose accepted (cast) the query. */
async function expectCastThenNoServer(call: () => Promise<unknown>): Promise<void> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(NOT_CONNECTED);
}

describe('mongo queries cast cleanly under strictQuery/strict "throw" and sanitizeFilter', () => {
  const listCursor = encodeCursor({ t: new Date().toISOString(), id: id() });
  const searchCursor = encodeCursor({ u: 'bob', id: id() });
  const now = new Date();

  const calls: [string, () => Promise<unknown>][] = [
    [
      'users.create',
      () => repos.users.create({ username: 'Ada', displayName: 'Ada L', passwordHash: 'h' }),
    ],
    ['users.findById', () => repos.users.findById(id())],
    ['users.findByUsername', () => repos.users.findByUsername('Ada')],
    ['users.findManyByIds', () => repos.users.findManyByIds([id(), id()])],
    [
      'users.search (everything)',
      () =>
        repos.users.search({ query: 'a.d*', excludeUserId: id(), cursor: searchCursor, limit: 5 }),
    ],
    ['users.search (empty)', () => repos.users.search({ query: '', limit: 5 })],
    ['users.updateProfile', () => repos.users.updateProfile(id(), { displayName: 'New' })],
    [
      'sessions.create',
      () =>
        repos.sessions.create({ userId: id(), tokenHash: 't', userAgent: null, expiresAt: now }),
    ],
    ['sessions.findById', () => repos.sessions.findById(id())],
    ['sessions.rotate', () => repos.sessions.rotate('old', 'new', now, now)],
    ['sessions.revokeByTokenHash', () => repos.sessions.revokeByTokenHash('t', now)],
    ['sessions.revoke', () => repos.sessions.revoke(id(), now)],
    [
      'conversations.findOrCreateDirect',
      () => repos.conversations.findOrCreateDirect(id(), id(), id()),
    ],
    ['conversations.findById', () => repos.conversations.findById(id())],
    ['conversations.findMember', () => repos.conversations.findMember(id(), id())],
    ['conversations.listMembers', () => repos.conversations.listMembers(id())],
    ['conversations.listMembersOf', () => repos.conversations.listMembersOf([id(), id()])],
    ['conversations.listContactIds', () => repos.conversations.listContactIds(id())],
    ['conversations.listMembershipsOf', () => repos.conversations.listMembershipsOf([id(), id()])],
    [
      'conversations.listGroupsInCommon',
      () => repos.conversations.listGroupsInCommon(id(), id(), 5),
    ],
    [
      'conversations.listForUser (first page)',
      () => repos.conversations.listForUser(id(), { limit: 5 }),
    ],
    [
      'conversations.listForUser (cursor)',
      () => repos.conversations.listForUser(id(), { cursor: listCursor, limit: 5 }),
    ],
    ['conversations.getListItem', () => repos.conversations.getListItem(id(), id())],
    [
      'conversations.advanceWatermarks',
      () => repos.conversations.advanceWatermarks(id(), id(), { readSeq: 3 }),
    ],
    [
      'messages.append',
      () =>
        repos.messages.append({
          conversationId: id(),
          senderId: id(),
          clientMessageId: 'c',
          kind: 'text',
          body: 'b',
        }),
    ],
    ['messages.listPage (newest)', () => repos.messages.listPage(id(), { limit: 5 })],
    ['messages.listPage (before)', () => repos.messages.listPage(id(), { before: 9, limit: 5 })],
    ['messages.listPage (after)', () => repos.messages.listPage(id(), { after: 0, limit: 5 })],
    [
      'messages.listPage (between)',
      () => repos.messages.listPage(id(), { after: 2, before: 9, limit: 5 }),
    ],
    ['messages.findByClientId', () => repos.messages.findByClientId(id(), id(), 'c')],
    ['messages.findById', () => repos.messages.findById(id())],
    [
      'messages.listPage (untilSeq)',
      () => repos.messages.listPage(id(), { before: 9, untilSeq: 4, limit: 5 }),
    ],
    [
      'messages.append (system event, attachments)',
      () =>
        repos.messages.append({
          conversationId: id(),
          senderId: id(),
          clientMessageId: 'c',
          kind: 'system',
          body: 'Ana added Ben',
          system: { type: 'members_added', actorId: id(), userIds: [id()] },
          attachmentIds: [id(), id()],
        }),
    ],
    ['users.updateProfile (avatar)', () => repos.users.updateProfile(id(), { avatarUrl: null })],
    ['users.setLastSeen', () => repos.users.setLastSeen(id(), now)],
    [
      'conversations.createGroup',
      () => repos.conversations.createGroup({ title: 'T', createdBy: id(), memberIds: [id()] }),
    ],
    [
      'conversations.updateGroup',
      () => repos.conversations.updateGroup(id(), { title: 'T', avatarUrl: '/a.webp' }),
    ],
    ['conversations.updateGroup (nothing)', () => repos.conversations.updateGroup(id(), {})],
    ['conversations.addMembers', () => repos.conversations.addMembers(id(), [id(), id()])],
    ['conversations.removeMember', () => repos.conversations.removeMember(id(), id())],
    ['conversations.setRole', () => repos.conversations.setRole(id(), id(), 'admin')],
    ['conversations.ensureAdmin', () => repos.conversations.ensureAdmin(id())],
    ['conversations.archiveIfEmpty', () => repos.conversations.archiveIfEmpty(id())],
    [
      'attachments.create',
      () =>
        repos.attachments.create({
          conversationId: id(),
          uploaderId: id(),
          kind: 'image',
          name: 'a.webp',
          mimeType: 'image/webp',
          size: 10,
          width: 1,
          height: 1,
          storageKey: 'k',
          thumbnailKey: 't',
        }),
    ],
    ['attachments.findById', () => repos.attachments.findById(id())],
    [
      'messages.append (mentions, @all)',
      () =>
        repos.messages.append({
          conversationId: id(),
          senderId: id(),
          clientMessageId: 'c',
          kind: 'text',
          body: '@a @b',
          mentions: [id(), id()],
          mentionsAll: true,
          requireActiveSender: true,
        }),
    ],
    [
      'messages.search (memberships first)',
      () =>
        repos.messages.search({
          userId: id(),
          query: 'big plan',
          conversationId: id(),
          senderId: id(),
          hasAttachments: true,
          from: now,
          to: now,
          limit: 5,
        }),
    ],
    ['conversations.unreadMentionCounts', () => repos.conversations.unreadMentionCounts(id())],
    [
      'conversations.setNotificationLevel',
      () => repos.conversations.setNotificationLevel(id(), id(), 'mentions'),
    ],
    ['attachments.deleteUnsent', () => repos.attachments.deleteUnsent(id(), id())],
    ['attachments.deleteUnsentOlderThan', () => repos.attachments.deleteUnsentOlderThan(now, 5)],
    ['attachments.sumBytesSince', () => repos.attachments.sumBytesSince(id(), now)],
    [
      'messages.append (reply, forwarded)',
      () =>
        repos.messages.append({
          conversationId: id(),
          senderId: id(),
          clientMessageId: 'c',
          kind: 'text',
          body: 'b',
          replyToId: id(),
          forwarded: true,
        }),
    ],
    [
      'messages.editBody (change allocation)',
      () => repos.messages.editBody({ conversationId: id(), messageId: id() }, 'new'),
    ],
    [
      'messages.delete',
      () => repos.messages.delete({ conversationId: id(), messageId: id() }, 'admin'),
    ],
    [
      'messages.addReaction',
      () => repos.messages.addReaction({ conversationId: id(), messageId: id() }, id(), '👍', 20),
    ],
    [
      'messages.removeReaction',
      () => repos.messages.removeReaction({ conversationId: id(), messageId: id() }, id(), '👍'),
    ],
    [
      'messages.listChanges',
      () =>
        repos.messages.listChanges(id(), { after: 3, limit: 5, untilChangeSeq: 9, untilSeq: 4 }),
    ],
  ];
  for (const [name, call] of calls) {
    it(name, () => expectCastThenNoServer(call));
  }

  // The later steps of append and of the list page, which the calls above never reach.
  const oid = () => new Types.ObjectId();
  it('append step 2: seq allocation ($inc lastSeq, $max lastActivityAt)', () =>
    expectCastThenNoServer(() =>
      conversations
        .findOneAndUpdate({ _id: oid() }, allocateSeqUpdate(new Date()), {
          returnDocument: 'after',
        })
        .exec(),
    ));
  it('append step 2 with requireActiveSender: allocation only while the sender is an active member', () =>
    expectCastThenNoServer(() =>
      conversations
        .findOneAndUpdate(allocateSeqFilter(oid(), oid()), allocateSeqUpdate(new Date()), {
          returnDocument: 'after',
          projection: { lastSeq: 1, lastActivityAt: 1, 'members.userId': 1, 'members.leftAt': 1 },
        })
        .exec(),
    ));
  it('append step 2 with requireConsent: allocation only while the sender is active and has accepted', () => {
    const sender = new Types.ObjectId();
    const filter = allocateSeqFilter(oid(), sender, [], true);
    expect(JSON.parse(JSON.stringify(filter))).toMatchObject({
      members: { $elemMatch: { leftAt: null, pending: { $ne: true } } },
    });
    return expectCastThenNoServer(() =>
      conversations.findOneAndUpdate(filter, allocateSeqUpdate(new Date())).exec(),
    );
  });
  it('append consent: one exists on the blocks between the pair, either way', () =>
    expectCastThenNoServer(() => blocks.exists(blockBetweenFilter(oid(), oid())).exec()));
  it('append consent: one exists on the other person, deactivated or deleted', () =>
    expectCastThenNoServer(() => users.exists(accountGoneFilter(oid())).exec()));
  it('append step 2 with mentions: allocation only while every mentioned user is an active member', () =>
    expectCastThenNoServer(() =>
      conversations
        .findOneAndUpdate(
          allocateSeqFilter(oid(), oid(), [oid(), oid()]),
          allocateSeqUpdate(new Date()),
        )
        .exec(),
    ));
  it('unread mentions: one find over the unread ranges, counted per member', async () => {
    const [c, u, v] = [oid(), oid(), oid()];
    const ranges = [
      { conversationId: c, userId: u, readSeq: 2, untilSeq: 9 },
      { conversationId: c, userId: v, readSeq: 9, untilSeq: 9 },
    ];
    const filter = unreadMentionsFilter(ranges);
    expect(unreadMentionsFilter([ranges[1]!])).toBeNull();
    await expectCastThenNoServer(() => messages.find(filter!).exec());
    const found = [
      { conversationId: c, seq: 3, senderId: v, mentions: [u], mentionsAll: false },
      { conversationId: c, seq: 4, senderId: v, mentions: [], mentionsAll: true },
      { conversationId: c, seq: 5, senderId: u, mentions: [u], mentionsAll: false },
      { conversationId: c, seq: 1, senderId: v, mentions: [u], mentionsAll: false },
    ];
    expect(countUnreadMentions(ranges, found)).toEqual(
      new Map([
        [`${c.toHexString()}:${u.toHexString()}`, 2],
        [`${c.toHexString()}:${v.toHexString()}`, 0],
      ]),
    );
  });
  it('search scope: active conversations whole, former ones up to the departure; keyset after a cursor', () => {
    const [a, f] = [oid(), oid()];
    const member = (leftAt: Date | null, historyUntilSeq: number | null) => ({
      userId: oid(),
      role: 'member' as const,
      joinedAt: new Date(0),
      deliveredSeq: 0,
      readSeq: 0,
      leftAt,
      historyUntilSeq,
    });
    const scope = searchScope([
      { _id: a, members: [member(null, null)] },
      { _id: f, members: [member(new Date(1), 7)] },
    ]);
    expect(JSON.parse(JSON.stringify(scope))).toEqual({
      $or: [
        { conversationId: { $in: [a.toHexString()] } },
        { conversationId: f.toHexString(), seq: { $lte: 7 } },
      ],
    });
    expect(searchScope([])).toBeNull();
    const cursor = encodeCursor({ s: 120, t: new Date(5).toISOString(), id: id() });
    expect(searchKeysetFilter(cursor).$or).toHaveLength(3);
    expect(() => searchKeysetFilter(encodeCursor({ s: 1.5, t: 'x', id: 'y' }))).toThrow();
  });
  it("append step 4: the sender's watermarks ($max on the matched member)", () =>
    expectCastThenNoServer(() =>
      conversations
        .updateOne({ _id: oid(), 'members.userId': oid() }, senderWatermarksUpdate(3))
        .exec(),
    ));
  it('append step 3: a gap document (insert) and step 5: the watermark read, scan and raise', async () => {
    await expectCastThenNoServer(() => messages.insertOne(gapDocument(oid(), 3, new Date())));
    await expectCastThenNoServer(() =>
      conversations.findById(oid(), { committedSeq: 1, lastSeq: 1 }).exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .find({ conversationId: oid(), seq: trusted({ $gt: 2, $lte: 9 }) }, { _id: 0, seq: 1 })
        .sort({ seq: 1 })
        .exec(),
    );
    await expectCastThenNoServer(() =>
      conversations.updateOne({ _id: oid() }, committedSeqUpdate(7)).exec(),
    );
  });
  it('message changes: allocation, the conditional message updates, release, the feed read', async () => {
    const target = { conversationId: oid(), messageId: oid() };
    const user = oid();
    await expectCastThenNoServer(() =>
      conversations
        .findOneAndUpdate({ _id: oid() }, allocateChangePipeline(new Date()), {
          returnDocument: 'after',
          projection: { changeSeq: 1 },
          updatePipeline: true,
        })
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .updateOne(
          { ...changeFilter(target, 4), kind: 'text', body: trusted({ $ne: 'x' }) },
          { $set: { body: 'x', editedAt: new Date(), changeSeq: 4 } },
        )
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .updateOne(changeFilter(target, 4), {
          $set: {
            body: '',
            reactions: [],
            attachmentIds: [],
            deletedAt: new Date(),
            deletedBy: 'author',
            changeSeq: 4,
          },
        })
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .updateOne(
          {
            ...changeFilter(target, 4),
            reactions: trusted({ $elemMatch: { emoji: '👍', userIds: { $ne: user } } }),
          },
          { $push: { 'reactions.$.userIds': user }, $set: { changeSeq: 4 } },
        )
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .updateOne(
          {
            ...changeFilter(target, 4),
            'reactions.emoji': trusted({ $ne: '👍' }),
            'reactions.19': trusted({ $exists: false }),
          },
          {
            $push: { reactions: { emoji: '👍', userIds: [user], at: new Date() } },
            $set: { changeSeq: 4 },
          },
        )
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .updateOne(
          {
            ...changeFilter(target, 4),
            reactions: trusted({ $elemMatch: { emoji: '👍', userIds: user } }),
          },
          removeReactionPipeline('👍', user, 4),
          { updatePipeline: true },
        )
        .exec(),
    );
    await expectCastThenNoServer(() =>
      conversations
        .updateOne(
          { _id: oid(), 'changesInFlight.seq': 4 },
          { $pull: { changesInFlight: { seq: 4 } } },
        )
        .exec(),
    );
    await expectCastThenNoServer(() =>
      messages
        .find({ conversationId: oid(), changeSeq: trusted({ $gt: 0, $lte: 9 }) })
        .sort({ changeSeq: 1 })
        .exec(),
    );
  });

  it('the changes feed reads below the lowest value in flight', () => {
    expect(changeVisibleUpTo(9, [])).toBe(9);
    expect(changeVisibleUpTo(9, [{ seq: 9 }, { seq: 7 }])).toBe(6);
  });

  it('history page: capped at the watermark, gaps left out', () =>
    expectCastThenNoServer(() =>
      messages.find(historyQuery(oid(), { after: 2, limit: 5 }, 7).filter).exec(),
    ));
  it("list page: the page's last messages in one query", () =>
    expectCastThenNoServer(() =>
      messages
        .find(
          lastMessagesFilter([
            { conversationId: oid(), seq: 4 },
            { conversationId: oid(), seq: 1 },
          ]),
        )
        .exec(),
    ));

  // The later steps of the group, membership and attachment methods (each behind a first read above).
  const member = (userId: Types.ObjectId) => ({
    userId,
    role: 'member' as const,
    joinedAt: new Date(),
    deliveredSeq: 0,
    readSeq: 0,
    leftAt: null,
    historyUntilSeq: null,
  });
  const laterSteps: [string, () => Promise<unknown>][] = [
    [
      'addMembers: one conditional $push of every new member',
      () =>
        conversations
          .updateOne(
            { _id: oid(), 'members.userId': trusted({ $nin: [oid(), oid()] }) },
            { $push: { members: { $each: [member(oid())] } }, $set: { updatedAt: new Date() } },
          )
          .exec(),
    ],
    [
      'addMembers: reactivating a former member (arrayFilters)',
      () => {
        const userId = oid();
        return conversations
          .updateOne(
            { _id: oid(), members: trusted({ $elemMatch: { userId, leftAt: { $ne: null } } }) },
            {
              $set: {
                'members.$[m].leftAt': null,
                'members.$[m].historyUntilSeq': null,
                'members.$[m].role': 'member',
                'members.$[m].joinedAt': new Date(),
                updatedAt: new Date(),
              },
            },
            { arrayFilters: [{ 'm.userId': userId }] },
          )
          .exec();
      },
    ],
    [
      'removeMember: the pipeline update reading lastSeq in the same document',
      () => {
        const userId = oid();
        return conversations
          .findOneAndUpdate(
            { _id: oid(), ...activeMemberFilter(userId) },
            removeMemberPipeline(userId, new Date()),
            { returnDocument: 'after', updatePipeline: true },
          )
          .exec();
      },
    ],
    [
      'ensureAdmin: promote only while no active admin exists',
      () => {
        const pick = oid();
        return conversations
          .findOneAndUpdate(
            {
              _id: oid(),
              $nor: [{ members: trusted({ $elemMatch: { role: 'admin', leftAt: null } }) }],
              ...activeMemberFilter(pick),
            },
            { $set: { 'members.$[p].role': 'admin', updatedAt: new Date() } },
            { arrayFilters: [{ 'p.userId': pick }], returnDocument: 'after' },
          )
          .exec();
      },
    ],
    [
      'listForUser: former memberships up to the cursor',
      () => conversations.find(formerMemberFilter(oid(), new Date())).exec(),
    ],
    [
      'append: the claim (conditional updateMany)',
      () =>
        attachments
          .updateMany(
            claimFilter({
              ids: [oid(), oid()],
              conversationId: oid(),
              uploaderId: oid(),
              claimKey: 'k',
            }),
            claimUpdate(oid(), 'k', new Date()),
          )
          .exec(),
    ],
    [
      'append: confirming the claims',
      () => {
        const { filter, update } = confirmClaims(oid());
        return attachments.updateMany(filter, update).exec();
      },
    ],
    [
      'append: releasing the claims',
      () => {
        const { filter, update } = releaseClaims(oid());
        return attachments.updateMany(filter, update).exec();
      },
    ],
    [
      'append: handing claims over to the stored message of the same send',
      () => {
        const { filter, update } = handOverClaims(oid(), { _id: oid(), attachmentIds: [oid()] });
        return attachments.updateMany(filter, update).exec();
      },
    ],
    [
      'append: a message with a system event and attachment ids',
      () =>
        messages.insertOne({
          _id: oid(),
          conversationId: oid(),
          seq: 1,
          senderId: oid(),
          clientMessageId: 'c',
          kind: 'system',
          body: '',
          system: { type: 'admin_granted', actorId: null, userId: id() },
          attachmentIds: [oid()],
          createdAt: new Date(),
        }),
    ],
  ];
  for (const [name, call] of laterSteps) {
    it(name, () => expectCastThenNoServer(call));
  }

  it('a claim key splits back into its send', () => {
    const [c, s] = [oid(), oid()];
    expect(parseClaimKey(`${c.toHexString()}:${s.toHexString()}:a:b`)).toEqual({
      conversationId: c,
      senderId: s,
      clientMessageId: 'a:b',
    });
    expect(parseClaimKey('junk:junk:x')).toBeNull();
  });

  it('answers malformed ids without any query (nothing to cast, nothing sent)', async () => {
    await expect(repos.users.findById('junk')).resolves.toBeNull();
    await expect(repos.conversations.listForUser('junk', { limit: 5 })).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
    await expect(repos.messages.listPage('junk', { limit: 5 })).resolves.toEqual({
      items: [],
      hasMore: false,
    });
    await expect(
      repos.messages.append({
        conversationId: 'junk',
        senderId: id(),
        clientMessageId: 'c',
        kind: 'text',
        body: 'b',
      }),
    ).rejects.toMatchObject({ name: 'RecordNotFoundError' });
  });

  it('would catch a mistake: an undeclared path, an untrusted operator, an unknown update path', async () => {
    await expect(users.findOne({ nope: 1 }).exec()).rejects.toMatchObject({
      name: 'StrictModeError',
    });
    // An operator arriving as a value (operator injection) is wrapped in $eq by sanitizeFilter, then refused.
    await expect(users.findOne({ usernameLower: { $ne: null } }).exec()).rejects.toMatchObject({
      name: 'CastError',
    });
    await expect(
      conversations
        .updateOne({ _id: new Types.ObjectId() }, { $max: { 'members.$.nope': 1 } })
        .exec(),
    ).rejects.toMatchObject({ name: 'StrictModeError' });
  });
});
