/**
 * The storage contract on a real PostgreSQL server, in a fresh database created for this run and dropped after.
 *
 * Server: TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test (the connecting role must be
 * allowed to CREATE DATABASE). Unreachable server: the suite is skipped with one printed line saying why,
 * except when CI=true, where it fails (CI has PostgreSQL; a silent skip there would hide a broken setup).
 * This is test configuration, read here rather than through the app's config module on purpose.
 */
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { alicePairedWithBob, range } from '../contract/contract-context.js';
import { describeStorageContract } from '../contract/storage.contract.js';
import type { MessagesRepository } from '../messages.repository.js';
import { testEnvironment } from '../contract/probe-postgres.mjs';
import { postgresUnderTest, probePostgres } from '../contract/sql-harness.js';
import { autovacuumWarning, openSqlDatabase } from './sql-database.js';
import { SqlMessagesRepository } from './sql-messages.repository.js';
import { sqlStorageOver } from './sql-storage.js';

const { postgresUrl: url, inCi } = testEnvironment();
const where = (() => {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
})();
const unreachable = await probePostgres(url);

/**
 * Polls the server (every 20 ms, for at most 5 s) until `sessions` sessions of `client`'s database wait for a lock.
 * @returns whether they did
 */
async function someoneWaitsForALock(client: pg.Client, sessions = 1): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n >= sessions) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * An append repository of its own on the database at `databaseUrl` (another "process"), which records the prepared
 * statements it runs and the SQLSTATE of each that failed: a batch split after a failure (a deadlock, say) still
 * stores every message, so only this tells it happened.
 */
async function recordingAppends(databaseUrl: string) {
  const database = await openSqlDatabase({ kind: 'postgres', url: databaseUrl });
  const statements: string[] = [];
  const failures: string[] = [];
  const messages = new SqlMessagesRepository(database.db, async (name, text, values) => {
    statements.push(name);
    try {
      return await database.prepared(name, text, values);
    } catch (error) {
      failures.push(String((error as { code?: string }).code ?? error));
      throw error;
    }
  });
  return { messages, statements, failures, close: () => database.close() };
}

/** What removeMember does once it holds the conversation's lock (in `client`'s open transaction), then COMMIT. */
async function endMembershipAndCommit(
  client: pg.Client,
  conversationId: string,
  userId: string,
): Promise<void> {
  await client.query(
    `UPDATE conversation_members SET left_at = clock_timestamp(), history_until_seq = 1
      WHERE conversation_id = $1 AND user_id = $2`,
    [conversationId, userId],
  );
  await client.query('COMMIT');
}

if (unreachable === null) {
  describeStorageContract('sql on postgresql', () => postgresUnderTest(url));

  describe('sql on postgresql: beyond the contract', () => {
    it('burns no seq when identical sends race (the loser rolls its allocation back)', async () => {
      const storage = await postgresUnderTest(url);
      try {
        const { conversations, messages } = storage.repos;
        const { alice, conversation } = await alicePairedWithBob(storage.repos);
        for (let round = 1; round <= 5; round++) {
          const clientMessageId = randomUUID();
          const results = await Promise.all(
            Array.from({ length: 8 }, () =>
              messages.append({
                conversationId: conversation.id,
                senderId: alice.id,
                clientMessageId,
                kind: 'text',
                body: 'x',
              }),
            ),
          );
          expect(results.filter((r) => r.created)).toHaveLength(1);
          expect((await conversations.findById(conversation.id))?.lastSeq).toBe(round);
        }
      } finally {
        await storage.close();
      }
    });

    it('group commit: the batches of two processes into one conversation interleave with every seq taken once', async () => {
      const storage = await postgresUnderTest(url);
      // A second "process": its own pool and repositories on the same database.
      const second = sqlStorageOver(
        await openSqlDatabase({ kind: 'postgres', url: storage.databaseUrl }),
      );
      try {
        const { conversations } = storage.repos;
        const { alice, bob, conversation } = await alicePairedWithBob(storage.repos);
        // More at once than run at once (two): both processes send batches into the same conversation's row lock.
        const burst = (label: string) =>
          Promise.all(
            [storage.repos.messages, second.messages].flatMap((messages) =>
              Array.from({ length: 12 }, (_, i) =>
                messages.append({
                  conversationId: conversation.id,
                  senderId: i % 2 ? alice.id : bob.id,
                  clientMessageId: randomUUID(),
                  kind: 'text',
                  body: `${label} ${i}`,
                }),
              ),
            ),
          );
        for (const label of ['first', 'second', 'third']) {
          expect((await burst(label)).every((r) => r.created)).toBe(true);
        }
        const page = await storage.repos.messages.listPage(conversation.id, {
          after: 0,
          limit: 100,
        });
        expect(page.items.map((m) => m.seq)).toEqual(range(1, 72));
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(72);
      } finally {
        await second.health.close();
        await storage.close();
      }
    });

    it('group commit: batches of two processes over the same conversations, arriving in opposite orders, do not deadlock', async () => {
      const storage = await postgresUnderTest(url);
      const holder = new pg.Client({ connectionString: storage.databaseUrl });
      await holder.connect();
      const processes = [
        await recordingAppends(storage.databaseUrl),
        await recordingAppends(storage.databaseUrl),
      ];
      try {
        const { conversations } = storage.repos;
        const { alice, bob, conversation: direct } = await alicePairedWithBob(storage.repos);
        const team = async (title: string) =>
          (await conversations.createGroup({ title, createdBy: alice.id, memberIds: [bob.id] }))
            .conversation.id;
        const [first, second] = [direct.id, await team('Team')].sort();
        const elsewhere = await team('Elsewhere');
        const send = (messages: MessagesRepository, conversationId: string) =>
          messages.append({
            conversationId,
            senderId: alice.id,
            clientMessageId: randomUUID(),
            kind: 'text',
            body: 'hello',
          });
        // The conversation that sorts first is held. In each process one append leaves alone (elsewhere), and
        // two wait for it and leave as one batch: the first process's into `first` then `second`, the other's the
        // other way round. Locking in arrival order, the second batch would take `second` and wait for `first`,
        // which the first batch takes when it is free and then waits for `second`: a deadlock, which PostgreSQL
        // resolves by aborting one of them after a second. In id order, both wait for `first`, holding nothing.
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE', [first]);
        const [one, other] = processes;
        const settled = Promise.all([
          send(one!.messages, elsewhere),
          send(one!.messages, first!),
          send(one!.messages, second!),
          send(other!.messages, elsewhere),
          send(other!.messages, second!),
          send(other!.messages, first!),
        ]);
        expect(await someoneWaitsForALock(holder, 2)).toBe(true);
        await holder.query('COMMIT');
        expect((await settled).every((r) => r.created)).toBe(true);
        for (const { statements, failures } of processes) {
          expect(failures).toEqual([]);
          expect(statements).toEqual(['chat_append_message_v7', 'chat_append_messages_v8']);
        }
        for (const id of [first!, second!]) {
          expect((await conversations.findById(id))?.lastSeq).toBe(2);
        }
      } finally {
        await holder.end();
        for (const { close } of processes) await close();
        await storage.close();
      }
    });

    it('refuses the message of a batch whose sender was removed while the batch waited for the lock, and stores the rest', async () => {
      const storage = await postgresUnderTest(url);
      const removal = new pg.Client({ connectionString: storage.databaseUrl });
      await removal.connect();
      const appends = await recordingAppends(storage.databaseUrl);
      try {
        const { conversations } = storage.repos;
        const { messages } = appends;
        const { alice, bob, conversation: direct } = await alicePairedWithBob(storage.repos);
        const { conversation } = await conversations.createGroup({
          title: 'Team',
          createdBy: alice.id,
          memberIds: [bob.id],
        });
        const send = (conversationId: string, senderId: string) =>
          messages.append({
            conversationId,
            senderId,
            clientMessageId: randomUUID(),
            kind: 'text',
            body: 'hello',
            requireActiveSender: true,
          });
        expect((await send(conversation.id, bob.id)).created).toBe(true);
        await removal.query('BEGIN');
        await removal.query('SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE', [
          conversation.id,
        ]);
        // The first append leaves alone (into the direct conversation, not locked); the two sent meanwhile
        // leave together after it, as one batch, which waits for the group's lock.
        const settled = Promise.allSettled([
          send(direct.id, alice.id),
          send(conversation.id, bob.id),
          send(conversation.id, alice.id),
        ]);
        expect(await someoneWaitsForALock(removal)).toBe(true);
        await endMembershipAndCommit(removal, conversation.id, bob.id);
        const [toDirect, fromBob, fromAlice] = await settled;
        expect(toDirect).toMatchObject({ status: 'fulfilled', value: { created: true } });
        expect(fromBob).toMatchObject({
          status: 'rejected',
          reason: { name: 'SenderMembershipError', reason: 'ended' },
        });
        // Alice's message takes the next seq; Bob's refused one took none, and his watermark stayed.
        expect(fromAlice).toMatchObject({
          status: 'fulfilled',
          value: { message: { seq: 2 }, activeMemberIds: [alice.id] },
        });
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(2);
        expect((await conversations.findMember(conversation.id, bob.id))?.readSeq).toBe(1);
        // Bob's first message alone, the one to the direct conversation alone, then the two as one batch that
        // refused his message itself (no statement failed and was split).
        expect(appends.statements).toEqual([
          'chat_append_message_v7',
          'chat_append_message_v7',
          'chat_append_messages_v8',
        ]);
        expect(appends.failures).toEqual([]);
      } finally {
        await removal.end();
        await appends.close();
        await storage.close();
      }
    });

    it('refuses an append whose sender was removed while it waited for the conversation lock, storing nothing', async () => {
      const storage = await postgresUnderTest(url);
      const removal = new pg.Client({ connectionString: storage.databaseUrl });
      await removal.connect();
      try {
        const { conversations, messages } = storage.repos;
        const { alice, bob } = await alicePairedWithBob(storage.repos);
        const { conversation } = await conversations.createGroup({
          title: 'Team',
          createdBy: alice.id,
          memberIds: [bob.id],
        });
        const send = (senderId: string) =>
          messages.append({
            conversationId: conversation.id,
            senderId,
            clientMessageId: randomUUID(),
            kind: 'text',
            body: 'hello',
            requireActiveSender: true,
          });
        expect((await send(bob.id)).created).toBe(true);
        // What removeMember does, held open: the conversation row's lock, then Bob's membership ended.
        await removal.query('BEGIN');
        await removal.query('SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE', [
          conversation.id,
        ]);
        const waiting = send(bob.id);
        const settled = waiting.then(
          () => 'stored',
          (error: unknown) => error,
        );
        // Bob's append has read his membership (still active) and waits for the lock; the test is only about
        // that moment, so it insists on seeing the wait.
        expect(await someoneWaitsForALock(removal)).toBe(true);
        await endMembershipAndCommit(removal, conversation.id, bob.id);
        expect(await settled).toMatchObject({ name: 'SenderMembershipError', reason: 'ended' });
        // Nothing of it stayed: no seq, no message, no watermark past his history.
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(1);
        const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
        expect(page.items.map((m) => m.seq)).toEqual([1]);
        expect((await conversations.findMember(conversation.id, bob.id))?.readSeq).toBe(1);
        // Alice, still a member, appends the next seq.
        expect((await send(alice.id)).message.seq).toBe(2);
      } finally {
        await removal.end();
        await storage.close();
      }
    });

    it('warns the operator exactly when the server runs without autovacuum', async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ setting: string }>(
          "SELECT current_setting('autovacuum') AS setting",
        );
        const warning = await autovacuumWarning(client);
        if (rows[0]!.setting === 'off') expect(warning).toMatch(/^autovacuum is off/);
        else expect(warning).toBeNull();
      } finally {
        await client.end();
      }
      // The other branch, whichever this server is on.
      const answering = (autovacuum: string) => ({
        query: async <T extends pg.QueryResultRow>() =>
          ({ rows: [{ autovacuum }] }) as unknown as pg.QueryResult<T>,
      });
      await expect(autovacuumWarning(answering('on'))).resolves.toBeNull();
      await expect(autovacuumWarning(answering('off'))).resolves.toMatch(/VACUUM \(ANALYZE\)/);
    });

    it('keeps no pending list on the search index, so no append stops to merge one into it', async () => {
      const storage = await postgresUnderTest(url);
      const client = new pg.Client({ connectionString: storage.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ options: string[] | null }>(
          "SELECT reloptions AS options FROM pg_class WHERE relname = 'messages_search_idx'",
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]!.options).toContain('fastupdate=off');
      } finally {
        await client.end();
        await storage.close();
      }
    });

    it('migrates an already migrated database as a no-op', async () => {
      const storage = await postgresUnderTest(url);
      try {
        // Reopening the same database runs the migrator again: it must find nothing to do.
        const again = sqlStorageOver(
          await openSqlDatabase({ kind: 'postgres', url: storage.databaseUrl }),
        );
        await expect(again.users.search({ query: '', limit: 1 })).resolves.toEqual({
          items: [],
          nextCursor: null,
        });
        await again.health.close();
      } finally {
        await storage.close();
      }
    });
  });
} else if (inCi) {
  describe('sql on postgresql', () => {
    it(`needs PostgreSQL at ${where} when CI=true`, () => {
      throw new Error(`PostgreSQL unreachable at ${where} (${unreachable}); CI must provide it`);
    });
  });
} else {
  // Straight to stderr: one plain line, without the source excerpt jest adds to console output.
  process.stderr.write(
    `SKIPPED sql-postgres contract: PostgreSQL unreachable at ${where} (${unreachable})\n`,
  );
  describe('sql on postgresql', () => {
    it.skip(`skipped: PostgreSQL unreachable at ${where} (${unreachable})`, () => {});
  });
}
