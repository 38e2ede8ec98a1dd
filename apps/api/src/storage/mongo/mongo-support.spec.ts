/**
 * The parts of the MongoDB adapter that need no server: id parsing, E11000 translation, regex escaping, the
 * direct-conversation key, document -> record mapping, cursors and the connection options.
 */
import { describe, expect, it } from '@jest/globals';
import { mongo, Types } from 'mongoose';
import { encodeCursor } from '../cursor.js';
import { InvalidCursorError, UniqueViolationError } from '../storage.errors.js';
import { mongoConnectionOptions } from './mongo-storage.module.js';
import { buildUserSearchFilter } from './mongo-users.repository.js';
import { listKeysetFilter } from './mongo-conversations.repository.js';
import { historyQuery } from './mongo-messages.repository.js';
import {
  ConversationSchema,
  INDEX,
  MessageSchema,
  SessionSchema,
  UserSchema,
  type ConversationDoc,
  type MessageDoc,
  type SessionDoc,
  type UserDoc,
} from './mongo.schemas.js';
import {
  duplicateKeyIndex,
  escapeRegex,
  parseId,
  parseIds,
  toConversationRecord,
  toMemberRecords,
  toMessageRecord,
  toSessionRecord,
  toUserRecord,
  translateMongoError,
} from './mongo-support.js';

const oid = () => new Types.ObjectId();

/** A duplicate-key error as the driver raises it (the message format of MongoDB 4.x to 8.x). */
function duplicateKeyError(
  index: string,
  keyPattern: Record<string, 1>,
): InstanceType<typeof mongo.MongoServerError> {
  return new mongo.MongoServerError({
    message: `E11000 duplicate key error collection: chat.things index: ${index} dup key: { x: "y" }`,
    code: 11000,
    keyPattern,
    keyValue: {},
  });
}

describe('parseId', () => {
  it('accepts 24 hex digits in either case and returns the same ObjectId', () => {
    const id = oid();
    expect(parseId(id.toHexString())?.equals(id)).toBe(true);
    expect(parseId(id.toHexString().toUpperCase())?.toHexString()).toBe(id.toHexString());
  });

  it('refuses what is not an ObjectId of ours, including 12-character strings', () => {
    for (const bad of [
      '',
      'junk',
      'abcdefghijkl',
      '0190f1e2-7c4b-7d2a-9f00-0123456789ab',
      `${oid().toHexString()}0`,
    ]) {
      expect(parseId(bad)).toBeNull();
    }
  });

  it('drops malformed ids from a list', () => {
    const id = oid();
    expect(parseIds(['x', id.toHexString()]).map((i) => i.toHexString())).toEqual([
      id.toHexString(),
    ]);
  });
});

describe('duplicate-key translation', () => {
  it('names every unique index with the same domain constraint as the SQL adapter', () => {
    const cases: [string, Record<string, 1>, string][] = [
      [INDEX.usernameLower, { usernameLower: 1 }, 'username'],
      [INDEX.sessionToken, { tokenHash: 1 }, 'session_token'],
      [INDEX.directKey, { directKey: 1 }, 'direct_key'],
      [INDEX.messageSeq, { conversationId: 1, seq: 1 }, 'message_seq'],
      [
        INDEX.clientMessageId,
        { conversationId: 1, senderId: 1, clientMessageId: 1 },
        'client_message_id',
      ],
    ];
    for (const [index, keyPattern, constraint] of cases) {
      const error = duplicateKeyError(index, keyPattern);
      expect(duplicateKeyIndex(error)).toBe(index);
      const translated = translateMongoError(error);
      expect(translated).toBeInstanceOf(UniqueViolationError);
      expect(translated).toMatchObject({ constraint, cause: error });
    }
  });

  it('falls back to the key pattern when the message names no index', () => {
    const error = new mongo.MongoServerError({
      message: 'E11000 duplicate key error',
      code: 11000,
      keyPattern: { conversationId: 1, senderId: 1, clientMessageId: 1 },
    });
    expect(duplicateKeyIndex(error)).toBe(INDEX.clientMessageId);
    expect(duplicateKeyIndex(new mongo.MongoServerError({ message: 'E11000', code: 11000 }))).toBe(
      '',
    );
  });

  it('finds the error through a wrapping cause', () => {
    const wrapped = new Error('bulk write failed', {
      cause: duplicateKeyError(INDEX.usernameLower, { usernameLower: 1 }),
    });
    expect(duplicateKeyIndex(wrapped)).toBe(INDEX.usernameLower);
  });

  it('passes other errors through unchanged', () => {
    const other = new mongo.MongoServerError({ message: 'not primary', code: 10107 });
    expect(duplicateKeyIndex(other)).toBeNull();
    expect(translateMongoError(other)).toBe(other);
    expect(duplicateKeyIndex('a string')).toBeNull();
  });
});

describe('escapeRegex', () => {
  it('makes every metacharacter match itself only', () => {
    for (const literal of [
      'a.b',
      'a*',
      '100%',
      'under_',
      'back\\',
      '(x)',
      '[a-z]',
      'a|b',
      '$^',
      '{2}',
      'a+b?',
      'a/b',
    ]) {
      const pattern = new RegExp(`^${escapeRegex(literal)}$`);
      expect(pattern.test(literal)).toBe(true);
    }
    expect(new RegExp(`^${escapeRegex('a.b')}`).test('axb')).toBe(false);
    expect(new RegExp(`^${escapeRegex('[a-z]')}`).test('q')).toBe(false);
  });
});

/** A member entry with the given role, joined at `joinedAt` ms, active, watermarks 0. */
const member = (userId: ReturnType<typeof oid>, role: 'member' | 'admin', joinedAt: number) => ({
  userId,
  role,
  joinedAt: new Date(joinedAt),
  deliveredSeq: 0,
  readSeq: 0,
  leftAt: null,
  historyUntilSeq: null,
});

describe('document -> record mappers', () => {
  it('maps a user without leaking the normalised search fields', () => {
    const doc: UserDoc = {
      _id: oid(),
      username: 'Ada',
      usernameLower: 'ada',
      displayName: 'Ada L',
      displayNameLower: 'ada l',
      passwordHash: 'h',
      avatarUrl: null,
      lastSeenAt: new Date(3),
      createdAt: new Date(1),
      updatedAt: new Date(2),
    };
    expect(toUserRecord(doc)).toEqual({
      id: doc._id.toHexString(),
      username: 'Ada',
      displayName: 'Ada L',
      passwordHash: 'h',
      avatarUrl: null,
      lastSeenAt: new Date(3),
      createdAt: new Date(1),
      updatedAt: new Date(2),
    });
  });

  it('maps sessions, conversations, members and messages to string ids and nulls', () => {
    const userId = oid();
    const session = toSessionRecord({
      _id: oid(),
      userId,
      tokenHash: 't',
      expiresAt: new Date(3),
      createdAt: new Date(1),
      lastUsedAt: new Date(2),
    } as SessionDoc);
    expect(session).toMatchObject({
      userId: userId.toHexString(),
      userAgent: null,
      revokedAt: null,
    });

    const [early, late] = [oid(), oid()];
    const conversation: ConversationDoc = {
      _id: oid(),
      type: 'direct',
      title: null,
      directKey: 'k',
      createdBy: userId,
      avatarUrl: null,
      lastSeq: 4,
      lastActivityAt: new Date(5),
      createdAt: new Date(1),
      updatedAt: new Date(6),
      archivedAt: null,
      members: [
        { ...member(late, 'member', 2), deliveredSeq: 0, readSeq: 0 },
        { ...member(early, 'admin', 1), deliveredSeq: 1, readSeq: 1 },
        // A former member: kept in the document, left out of the (active) member list.
        { ...member(oid(), 'member', 0), leftAt: new Date(7), historyUntilSeq: 3 },
      ],
    };
    const record = toConversationRecord(conversation);
    expect(record).toEqual({
      id: conversation._id.toHexString(),
      type: 'direct',
      title: null,
      directKey: 'k',
      createdBy: userId.toHexString(),
      avatarUrl: null,
      lastSeq: 4,
      lastActivityAt: new Date(5),
      createdAt: new Date(1),
      updatedAt: new Date(6),
      archivedAt: null,
    });
    expect(Object.keys(record)).not.toContain('members');
    // The port's member order: joinedAt, then userId.
    expect(toMemberRecords(conversation).map((m) => m.userId)).toEqual([
      early.toHexString(),
      late.toHexString(),
    ]);
    const [x, y] = [oid(), oid()].sort((p, q) => (p.toHexString() < q.toHexString() ? -1 : 1));
    const tied = toMemberRecords({
      _id: conversation._id,
      members: [y!, x!].map((u) => member(u, 'member', 1)),
    });
    expect(tied[0]).toMatchObject({ leftAt: null, historyUntilSeq: null });
    expect(tied.map((m) => m.userId)).toEqual([x!.toHexString(), y!.toHexString()]);
    expect(tied[0]?.conversationId).toBe(conversation._id.toHexString());

    const message: MessageDoc = {
      _id: oid(),
      conversationId: conversation._id,
      seq: 1,
      senderId: userId,
      clientMessageId: 'c',
      kind: 'text',
      body: 'hi',
      system: null,
      attachmentIds: [],
      createdAt: new Date(9),
    };
    expect(toMessageRecord(message)).toEqual({
      id: message._id.toHexString(),
      conversationId: conversation._id.toHexString(),
      seq: 1,
      senderId: userId.toHexString(),
      clientMessageId: 'c',
      kind: 'text',
      body: 'hi',
      system: null,
      attachments: [],
      createdAt: new Date(9),
    });
  });
});

describe('cursors', () => {
  it('refuses list cursors that are not ours', () => {
    for (const bad of [
      '!!',
      encodeCursor({ u: 'x', id: 'y' }),
      encodeCursor({ t: 'not a date', id: oid().toHexString() }),
      encodeCursor({ t: new Date().toISOString(), id: 'junk' }),
    ]) {
      expect(() => listKeysetFilter(bad)).toThrow(InvalidCursorError);
    }
  });

  it('refuses search cursors that are not ours', () => {
    for (const bad of [
      'garbage!',
      encodeCursor({ x: 1 }),
      encodeCursor({ u: 'a', id: 'not-an-object-id' }),
    ]) {
      expect(() => buildUserSearchFilter({ query: '', cursor: bad, limit: 5 })).toThrow(
        InvalidCursorError,
      );
    }
  });

  it('reads a list cursor back into the keyset condition on (lastActivityAt, _id)', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const id = oid();
    const filter = listKeysetFilter(encodeCursor({ t: at.toISOString(), id: id.toHexString() }));
    expect(JSON.parse(JSON.stringify(filter))).toEqual({
      lastActivityAt: { $lte: at.toISOString() },
      $or: [
        { lastActivityAt: { $lt: at.toISOString() } },
        { lastActivityAt: at.toISOString(), _id: { $lt: id.toHexString() } },
      ],
    });
  });
});

describe('history query shapes', () => {
  const id = oid();
  it('reads newest-first without bounds and below `before`, upwards from `after`', () => {
    expect(historyQuery(id, { limit: 5 })).toMatchObject({
      filter: { conversationId: id },
      sort: { seq: -1 },
      upwards: false,
    });
    expect(historyQuery(id, { before: 8, limit: 5 })).toMatchObject({
      filter: { seq: { $lt: 8 } },
      sort: { seq: -1 },
      upwards: false,
    });
    expect(historyQuery(id, { after: 0, limit: 5 })).toMatchObject({
      filter: { seq: { $gt: 0 } },
      sort: { seq: 1 },
      upwards: true,
    });
    expect(historyQuery(id, { after: 2, before: 9, limit: 5 })).toMatchObject({
      filter: { seq: { $gt: 2, $lt: 9 } },
      sort: { seq: 1 },
      upwards: true,
    });
  });
});

describe('schemas and connection options', () => {
  it('declares one unique index per uniqueness rule, under the names the translation table knows', () => {
    const unique = (
      schema:
        typeof UserSchema | typeof SessionSchema | typeof ConversationSchema | typeof MessageSchema,
    ) =>
      schema
        .indexes()
        .filter(([, options]) => options?.unique)
        .map(([fields, options]) => ({
          fields,
          name: options?.name,
          partial: options?.partialFilterExpression,
        }));
    expect(unique(UserSchema)).toEqual([
      { fields: { usernameLower: 1 }, name: INDEX.usernameLower, partial: undefined },
    ]);
    expect(unique(SessionSchema)).toEqual([
      { fields: { tokenHash: 1 }, name: INDEX.sessionToken, partial: undefined },
    ]);
    expect(unique(ConversationSchema)).toEqual([
      { fields: { directKey: 1 }, name: INDEX.directKey, partial: { type: 'direct' } },
    ]);
    expect(unique(MessageSchema)).toEqual([
      { fields: { conversationId: 1, seq: 1 }, name: INDEX.messageSeq, partial: undefined },
      {
        fields: { conversationId: 1, senderId: 1, clientMessageId: 1 },
        name: INDEX.clientMessageId,
        partial: undefined,
      },
    ]);
    // The conversation list walks this index in list order.
    expect(ConversationSchema.indexes().map(([fields]) => fields)).toContainEqual({
      'members.userId': 1,
      lastActivityAt: -1,
      _id: -1,
    });
  });

  it('turns on sanitizeFilter, index creation, journaled majority writes and strict schemas', () => {
    const options = mongoConnectionOptions({ dbName: 'x' });
    expect(options).toMatchObject({
      dbName: 'x',
      sanitizeFilter: true,
      autoIndex: true,
      autoCreate: true,
      writeConcern: { w: 'majority', journal: true },
    });
    expect(mongoConnectionOptions()).not.toHaveProperty('dbName');
    for (const schema of [UserSchema, SessionSchema, ConversationSchema, MessageSchema]) {
      expect(schema.get('strictQuery')).toBe('throw');
      expect(schema.get('strict')).toBe('throw');
    }
  });
});
