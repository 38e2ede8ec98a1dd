import { sql } from 'drizzle-orm';
import { StorageHealth } from '../storage.health.js';
import type { SqlDatabase, SqlDriver } from './sql-database.js';

/** StorageHealth for the SQL adapter: `SELECT 1` as the probe; closing ends the PGlite instance or the pool. */
export class SqlStorageHealth extends StorageHealth {
  readonly driver: SqlDriver;

  constructor(private readonly database: SqlDatabase) {
    super();
    this.driver = database.driver;
  }

  /** @returns round-trip time in milliseconds (fractional). @throws the driver's error when it does not answer. */
  async ping(): Promise<number> {
    const started = performance.now();
    await this.database.db.execute(sql`SELECT 1`);
    return performance.now() - started;
  }

  /** Idempotent: a second call resolves without doing anything. */
  async close(): Promise<void> {
    await this.database.close();
  }
}
