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
import mongoose, { Types } from 'mongoose';
import { encodeCursor } from '../cursor.js';
import {
  lastMessagesFilter,
  MongoConversationsRepository,
} from './mongo-conversations.repository.js';
import {
  allocateSeqUpdate,
  MongoMessagesRepository,
  senderWatermarksUpdate,
} from './mongo-messages.repository.js';
import { MongoAttachmentsRepository } from './mongo-attachments.repository.js';
import { MongoSessionsRepository } from './mongo-sessions.repository.js';
import { MongoUsersRepository } from './mongo-users.repository.js';
import { mongoConnectionOptions } from './mongo-storage.module.js';
import {
  AttachmentSchema,
  ConversationSchema,
  MessageSchema,
  MODEL,
  SessionSchema,
  UserSchema,
  type AttachmentDoc,
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

const repos = {
  users: new MongoUsersRepository(users),
  sessions: new MongoSessionsRepository(sessions),
  conversations: new MongoConversationsRepository(conversations, messages, users, attachments),
  messages: new MongoMessagesRepository(messages, conversations, attachments),
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
  it("append step 4: the sender's watermarks ($max on the matched member)", () =>
    expectCastThenNoServer(() =>
      conversations
        .updateOne({ _id: oid(), 'members.userId': oid() }, senderWatermarksUpdate(3))
        .exec(),
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
