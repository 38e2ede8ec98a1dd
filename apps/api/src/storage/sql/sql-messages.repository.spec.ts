import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { openSqlDatabase, type PreparedRunner, type SqlDatabase } from './sql-database.js';
import { SqlMessagesRepository } from './sql-messages.repository.js';
import { sqlStorageOver, type SqlStorage } from './sql-storage.js';

/**
 * Group commit of appends, seen from the statements it runs (the storage contract checks the outcomes on every
 * adapter; this checks that batching happens and that one odd message does not undo it). In-memory PGlite.
 */
describe('SqlMessagesRepository group commit', () => {
  let database: SqlDatabase;
  let storage: SqlStorage;
  /** Statement names run so far, in order. */
  const statements: string[] = [];
  let messages: SqlMessagesRepository;

  beforeAll(async () => {
    database = await openSqlDatabase({ kind: 'pglite', dataDir: null });
    storage = sqlStorageOver(database);
    const counting: PreparedRunner = (name, text, values) => {
      statements.push(name);
      return database.prepared(name, text, values);
    };
    messages = new SqlMessagesRepository(database.db, counting, { maxInFlight: 1, maxBatch: 64 });
  });

  afterAll(async () => {
    await database.close();
  });

  const group = async () => {
    const people = await Promise.all(
      [1, 2, 3].map((i) =>
        storage.users.create({
          username: `p${i}_${randomUUID().slice(0, 8)}`,
          displayName: `P${i}`,
          passwordHash: 'x',
        }),
      ),
    );
    const { conversation } = await storage.conversations.createGroup({
      title: 'g',
      createdBy: people[0]!.id,
      memberIds: people.map((p) => p.id),
    });
    return { conversation, people };
  };

  it('appends what arrives together in one batch statement, and a lone surrogate half does not break it', async () => {
    const { conversation, people } = await group();
    statements.length = 0;
    const bodies = ['one', 'two \ud800 halves', 'three', 'four'];
    const results = await Promise.all(
      bodies.map((body, i) =>
        messages.append({
          conversationId: conversation.id,
          senderId: people[i % 3]!.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body,
          requireActiveSender: true,
        }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    // The first leaves alone; the three that arrived meanwhile leave together; nothing runs again one by one.
    expect(statements).toEqual(['chat_append_message_v7', 'chat_append_batch_v7']);
    const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
    expect(page.items.map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, 'two \ufffd halves'],
      [3, 'three'],
      [4, 'four'],
    ]);
  });

  it('splits a batch whose statement fails and stores every message but the one at fault', async () => {
    const { conversation, people } = await group();
    statements.length = 0;
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((body) =>
        messages.append({
          conversationId: conversation.id,
          senderId: people[0]!.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body,
          // An attachment that does not exist: the statement's guard aborts the batch holding this message.
          ...(body === 'c' ? { attachmentIds: [randomUUID()] } : {}),
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    // a alone; [b c d e] fails; [b c] fails; b; c (refused); d e.
    expect(statements).toEqual([
      'chat_append_message_v7',
      'chat_append_batch_v7',
      'chat_append_batch_v7',
      'chat_append_message_v7',
      'chat_append_message_v7',
      'chat_append_batch_v7',
    ]);
    const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
    expect(page.items.map((m) => m.body)).toEqual(['a', 'b', 'd', 'e']);
  });
});
