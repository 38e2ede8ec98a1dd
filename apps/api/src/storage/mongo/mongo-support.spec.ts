/**
 * The parts of the MongoDB adapter that need no server: id parsing, E11000 translation, regex escaping, the
 * direct-conversation key, document -> record mapping, cursors and the connection options.
 */
import { describe, expect, it } from '@jest/globals';
import { mongo, Types } from 'mongoose';
import { encodeCursor } from '../cursor.js';
import { InvalidCursorError, UniqueViolationError } from '../storage.errors.js';
import {
  MONGO_MODELS,
  mongoConnectionOptions,
  SOCKET_TIMEOUT_MS,
  WRITE_CONCERN_TIMEOUT_MS,
} from './mongo-storage.module.js';
import { buildUserSearchFilter } from './mongo-users.repository.js';
import { listKeysetFilter } from './mongo-conversations.repository.js';
import {
  contiguousFrontier,
  gapDocument,
  historyQuery,
  missingSeqs,
} from './mongo-messages.repository.js';
import { retiredBy } from './mongo-sessions.repository.js';
import {
  ConversationSchema,
  declaredIndexNames,
  displayNameKeys,
  GAP_KIND,
  INDEX,
  MessageSchema,
  SESSION_RETENTION_SECONDS,
  SessionSchema,
  UserSchema,
  type ConversationDoc,
  type MessageDoc,
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
  it('maps a user without leaking the normalised search fields (a document older than the account-state fields reads as active)', () => {
    const doc: UserDoc = {
      _id: oid(),
      username: 'Ada',
      usernameLower: 'ada',
      displayName: 'Ada L',
      displayNameKeys: ['ada l', 'l'],
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
      lastSeenVisibility: 'contacts',
      groupAddPolicy: 'contacts',
      deactivatedAt: null,
      deletedAt: null,
      createdAt: new Date(1),
      updatedAt: new Date(2),
    });
    expect(
      toUserRecord({ ...doc, deactivatedAt: new Date(4), deletedAt: new Date(5) }),
    ).toMatchObject({
      deactivatedAt: new Date(4),
      deletedAt: new Date(5),
    });
  });

  it('maps sessions, conversations, members and messages to string ids and nulls', () => {
    const userId = oid();
    const session = toSessionRecord({
      _id: oid(),
      userId,
      tokenHash: 't',
      retiredTokenHashes: [],
      userAgent: null,
      expiresAt: new Date(3),
      createdAt: new Date(1),
      lastUsedAt: new Date(2),
      revokedAt: null,
    });
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
      committedSeq: 4,
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
      changeSeq: 0,
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
      // A message stored before mentions existed reads as mentioning nobody.
      mentions: [],
      mentionsAll: false,
      createdAt: new Date(9),
      replyTo: null,
      forwarded: false,
      reactions: [],
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      changeSeq: 0,
    });
    const mentioned = oid();
    expect(toMessageRecord({ ...message, mentions: [mentioned], mentionsAll: true })).toMatchObject(
      { mentions: [mentioned.toHexString()], mentionsAll: true },
    );
    expect(toMemberRecords(conversation)[0]?.notificationLevel).toBe('all');
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

describe('user search by display-name word', () => {
  it('keys a display name by every word start, lower-cased', () => {
    expect(displayNameKeys('Ada Lovelace')).toEqual(['ada lovelace', 'lovelace']);
    expect(displayNameKeys('Ada  K. Byron')).toEqual([
      'ada  k. byron',
      ' k. byron',
      'k. byron',
      'byron',
    ]);
    expect(displayNameKeys('Zoë')).toEqual(['zoë']);
  });

  it("matches exactly what the SQL adapter's (' ' || lower(name)) LIKE '% q%' matches, with anchored regexes", () => {
    const names = ['Ada Lovelace', 'Grace  Hopper', 'Bob', 'Ana-Maria Díaz', 'x.y z*'];
    const queries = [
      'a',
      'ada l',
      'love',
      'hopper',
      ' hopper',
      'maria',
      'díaz',
      'z*',
      '.y',
      'bob ',
      'ob',
    ];
    for (const name of names) {
      for (const query of queries) {
        const q = query.trim().toLowerCase();
        const sql = ` ${name.toLowerCase()}`.includes(` ${q}`);
        const filter = buildUserSearchFilter({ query, limit: 5 }) as {
          $and: [{ $or: [{ usernameLower: RegExp }, { displayNameKeys: RegExp }] }];
        };
        const byName = filter.$and[0].$or[1].displayNameKeys;
        expect(byName.source.startsWith('^')).toBe(true);
        expect({
          name,
          query,
          match: displayNameKeys(name).some((key) => byName.test(key)),
        }).toEqual({
          name,
          query,
          match: sql,
        });
      }
    }
  });

  it('declares the multikey index that serves the display-name branch', () => {
    expect(UserSchema.indexes()).toContainEqual([
      { displayNameKeys: 1 },
      { name: 'users_display_name_keys_idx' },
    ]);
  });
});

describe('history query shapes', () => {
  const id = oid();
  const noGaps = { $ne: GAP_KIND };
  it('reads newest-first below the watermark and `before`, upwards from `after`, never a gap', () => {
    expect(historyQuery(id, { limit: 5 }, 20)).toMatchObject({
      filter: { conversationId: id, seq: { $lt: 21 }, kind: noGaps },
      sort: { seq: -1 },
      upwards: false,
    });
    expect(historyQuery(id, { before: 8, limit: 5 }, 20)).toMatchObject({
      filter: { seq: { $lt: 8 }, kind: noGaps },
      sort: { seq: -1 },
      upwards: false,
    });
    expect(historyQuery(id, { after: 0, limit: 5 }, 20)).toMatchObject({
      filter: { seq: { $gt: 0, $lt: 21 }, kind: noGaps },
      sort: { seq: 1 },
      upwards: true,
    });
    expect(historyQuery(id, { after: 2, before: 9, limit: 5 }, 20)).toMatchObject({
      filter: { seq: { $gt: 2, $lt: 9 } },
      sort: { seq: 1 },
      upwards: true,
    });
  });

  it('never reads above the watermark, whatever the page asks (the tightest upper bound counts)', () => {
    expect(historyQuery(id, { after: 5, limit: 5 }, 7).filter).toMatchObject({
      seq: { $gt: 5, $lt: 8 },
    });
    expect(historyQuery(id, { before: 30, limit: 5 }, 7).filter).toMatchObject({
      seq: { $lt: 8 },
    });
    expect(historyQuery(id, { untilSeq: 4, limit: 5 }, 7).filter).toMatchObject({
      seq: { $lt: 5 },
    });
    // Nothing committed yet: an empty range.
    expect(historyQuery(id, { limit: 5 }, 0).filter).toMatchObject({ seq: { $lt: 1 } });
  });
});

describe('seq visibility watermark', () => {
  it('moves over consecutive stored seqs only', () => {
    expect(contiguousFrontier(4, [5, 6, 8])).toBe(6);
    expect(contiguousFrontier(4, [6, 7])).toBe(4);
    expect(contiguousFrontier(0, [1, 2, 3])).toBe(3);
    expect(contiguousFrontier(3, [])).toBe(3);
    // Seqs at or below the watermark (a stale read) change nothing.
    expect(contiguousFrontier(4, [3, 4, 5])).toBe(5);
  });

  it('lists the empty seqs between the watermark and a bound', () => {
    expect(missingSeqs(4, 9, [5, 7])).toEqual([6, 8]);
    expect(missingSeqs(4, 5, [])).toEqual([]);
    expect(missingSeqs(0, 4, [1, 2, 3])).toEqual([]);
  });

  it('fills a seq with a gap document, which no reader maps to a message', () => {
    const conversationId = oid();
    const gap = gapDocument(conversationId, 7, new Date(1));
    expect(gap).toMatchObject({ conversationId, seq: 7, kind: GAP_KIND, clientMessageId: 'gap:7' });
    expect(() => toMessageRecord(gap)).toThrow(/gap document at seq 7/);
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
      {
        fields: { conversationId: 1, changeSeq: 1 },
        name: INDEX.messageChange,
        partial: { changeSeq: { $gt: 0 } },
      },
    ]);
    // The conversation list walks this index in list order.
    expect(ConversationSchema.indexes().map(([fields]) => fields)).toContainEqual({
      'members.userId': 1,
      lastActivityAt: -1,
      _id: -1,
    });
  });

  it('names every index, so the contract suite can compare the created ones with the declared ones', () => {
    for (const { schema } of MONGO_MODELS) expect(() => declaredIndexNames(schema)).not.toThrow();
    expect(declaredIndexNames(SessionSchema)).toEqual(
      [
        '_id_',
        INDEX.sessionToken,
        'sessions_retired_token_hashes_idx',
        'sessions_user_id_idx',
        'sessions_expires_ttl',
      ].sort(),
    );
  });

  it('deletes expired sessions with a TTL index and finds reuse with one equality on the indexed history', () => {
    expect(SessionSchema.indexes()).toContainEqual([
      { expiresAt: 1 },
      expect.objectContaining({ expireAfterSeconds: SESSION_RETENTION_SECONDS }),
    ]);
    expect(SESSION_RETENTION_SECONDS).toBeGreaterThanOrEqual(24 * 60 * 60);
    // No `$or` and no partial index: the multikey index on the history serves the lookup.
    expect(retiredBy('h')).toEqual({ retiredTokenHashes: 'h' });
    expect(SessionSchema.indexes()).toContainEqual([
      { retiredTokenHashes: 1 },
      { name: 'sessions_retired_token_hashes_idx' },
    ]);
    for (const [, options] of SessionSchema.indexes()) {
      expect(options).not.toHaveProperty('partialFilterExpression');
    }
  });

  it('turns on sanitizeFilter, index creation, journaled majority writes and strict schemas', () => {
    const options = mongoConnectionOptions({ dbName: 'x' });
    expect(options).toMatchObject({
      dbName: 'x',
      sanitizeFilter: true,
      autoIndex: true,
      autoCreate: true,
      writeConcern: { w: 'majority', journal: true, wtimeoutMS: WRITE_CONCERN_TIMEOUT_MS },
    });
    expect(mongoConnectionOptions()).not.toHaveProperty('dbName');
    // No operation may wait forever: not for a majority, not in Mongoose's buffer, not on a silent socket.
    expect(options).toMatchObject({ bufferCommands: false, socketTimeoutMS: SOCKET_TIMEOUT_MS });
    expect(WRITE_CONCERN_TIMEOUT_MS).toBeGreaterThan(0);
    expect(SOCKET_TIMEOUT_MS).toBeGreaterThan(WRITE_CONCERN_TIMEOUT_MS);
    // The driver itself takes them under these names (a MongoClient parses its options without connecting).
    const { writeConcern, socketTimeoutMS, serverSelectionTimeoutMS } = options;
    const client = new mongo.MongoClient('mongodb://127.0.0.1:1', {
      writeConcern,
      socketTimeoutMS,
      serverSelectionTimeoutMS,
    });
    expect(client.options.writeConcern).toMatchObject({
      w: 'majority',
      journal: true,
      wtimeoutMS: WRITE_CONCERN_TIMEOUT_MS,
    });
    expect(client.options.socketTimeoutMS).toBe(SOCKET_TIMEOUT_MS);
    for (const schema of [UserSchema, SessionSchema, ConversationSchema, MessageSchema]) {
      expect(schema.get('strictQuery')).toBe('throw');
      expect(schema.get('strict')).toBe('throw');
    }
  });
});
