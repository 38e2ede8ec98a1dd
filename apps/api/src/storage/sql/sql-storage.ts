/**
 * The SQL adapter assembled: one open database and every repository over it. The Nest module and the contract
 * tests both build it through `createSqlStorage`, so they run exactly the same code.
 */
import {
  openSqlDatabase,
  type OpenSqlOptions,
  type SqlDatabase,
  type SqlTarget,
} from './sql-database.js';
import { SqlBlocksRepository } from './sql-blocks.repository.js';
import { SqlAttachmentsRepository } from './sql-attachments.repository.js';
import { SqlConversationsRepository } from './sql-conversations.repository.js';
import { SqlInstanceRepository } from './sql-instance.repository.js';
import { SqlMessagesRepository } from './sql-messages.repository.js';
import { SqlSessionsRepository } from './sql-sessions.repository.js';
import { SqlStorageHealth } from './sql-storage.health.js';
import { SqlUsersRepository } from './sql-users.repository.js';

export interface SqlStorage {
  readonly database: SqlDatabase;
  readonly users: SqlUsersRepository;
  readonly sessions: SqlSessionsRepository;
  readonly conversations: SqlConversationsRepository;
  readonly messages: SqlMessagesRepository;
  readonly attachments: SqlAttachmentsRepository;
  readonly blocks: SqlBlocksRepository;
  readonly instance: SqlInstanceRepository;
  readonly health: SqlStorageHealth;
}

/** Wraps an already open database in the repositories. */
export function sqlStorageOver(database: SqlDatabase): SqlStorage {
  return {
    database,
    users: new SqlUsersRepository(database.db),
    sessions: new SqlSessionsRepository(database.db),
    conversations: new SqlConversationsRepository(database.db, database.changeLock),
    messages: new SqlMessagesRepository(database.db, database.prepared),
    attachments: new SqlAttachmentsRepository(database.db),
    blocks: new SqlBlocksRepository(database.db),
    instance: new SqlInstanceRepository(database.db),
    health: new SqlStorageHealth(database),
  };
}

/**
 * Opens (and migrates) the database for `target` and builds the repositories over it.
 * @throws whatever openSqlDatabase throws (missing migrations, unreachable server, failed migration).
 */
export async function createSqlStorage(
  target: SqlTarget,
  options?: OpenSqlOptions,
): Promise<SqlStorage> {
  return sqlStorageOver(await openSqlDatabase(target, options));
}
