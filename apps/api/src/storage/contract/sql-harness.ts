/**
 * Test harnesses that open the SQL adapter for the contract suite: one database per test file, emptied between
 * tests by TRUNCATE (much cheaper than a new PGlite instance, which costs 1-2 s, or a new PostgreSQL database).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openSqlDatabase, type SqlDatabase, type SqlTarget } from '../sql/sql-database.js';
import { sqlStorageOver } from '../sql/sql-storage.js';
import type { StorageUnderTest } from './storage.contract.js';

/** Re-exported for the contract specs; shared with test/run-e2e-on.mjs, hence plain JavaScript. */
export { probePostgres } from './probe-postgres.mjs';

/** Every table of the schema, for TRUNCATE. */
const TABLES =
  'reports, invites, instance_settings, user_blocks, attachments, messages, conversation_members, conversations, ' +
  'session_token_history, sessions, users';

function underTest(
  database: SqlDatabase,
  afterClose: () => Promise<void> = async () => {},
): StorageUnderTest {
  const storage = sqlStorageOver(database);
  return {
    repos: {
      users: storage.users,
      sessions: storage.sessions,
      conversations: storage.conversations,
      messages: storage.messages,
      attachments: storage.attachments,
      blocks: storage.blocks,
      instance: storage.instance,
      health: storage.health,
    },
    reset: async () => {
      await database.db.execute(sql.raw(`TRUNCATE ${TABLES} CASCADE`));
    },
    close: async () => {
      await storage.health.close();
      await afterClose();
    },
  };
}

/** An in-memory PGlite database, migrated. */
export async function pgliteUnderTest(): Promise<StorageUnderTest> {
  return underTest(await openSqlDatabase({ kind: 'pglite', dataDir: null }));
}

/**
 * A fresh database `chat_contract_<random>` on the server at `adminUrl` (created through that connection,
 * migrated, dropped on close even if connections are left open), so runs never see each other's data.
 */
export async function postgresUnderTest(
  adminUrl: string,
): Promise<StorageUnderTest & { databaseUrl: string }> {
  const name = `chat_contract_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const target: SqlTarget = { kind: 'postgres', url: url.toString() };
  const dropDatabase = async () => {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    try {
      // pg's pool.end() resolves once it has asked its connections to close, not when the server has seen them
      // go: wait for them briefly (SQLSTATE 55006 "being accessed by other users") before forcing the drop,
      // which would otherwise kill them mid-goodbye and make the pool log errors.
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          await dropper.query(`DROP DATABASE IF EXISTS ${name}`);
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== '55006') throw error;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
  try {
    return {
      ...underTest(await openSqlDatabase(target, { poolMax: 20 }), dropDatabase),
      databaseUrl: target.url,
    };
  } catch (error) {
    await dropDatabase();
    throw error;
  }
}
