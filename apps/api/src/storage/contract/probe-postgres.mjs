/**
 * Plain JavaScript on purpose: test/run-e2e-on.mjs runs under bare Node (no TypeScript loader) and shares this
 * probe with the TypeScript contract harness (sql-harness.ts, typed by probe-postgres.d.mts).
 */
import pg from 'pg';

/** The PostgreSQL server the tests use when TEST_POSTGRES_URL is unset (this machine kind's local service). */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The Redis the tests use when TEST_REDIS_URL is unset (this machine kind's local service, database 0). */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379/0';

/**
 * The one place tests read which PostgreSQL server and which Redis to use and whether they run in CI (test
 * configuration, not the app's: the app reads its environment only through its config module).
 * @returns {{ postgresUrl: string, redisUrl: string, inCi: boolean }}
 */
export function testEnvironment() {
  return {
    postgresUrl: process.env.TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL,
    redisUrl: process.env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL,
    inCi: process.env.CI === 'true',
  };
}

/**
 * Why a PostgreSQL server cannot be used, or null when it answers `SELECT 1`. Waits at most `timeoutMs` to connect.
 * @param {string} url a postgres:// connection string
 * @param {number} [timeoutMs=3000]
 * @returns {Promise<string | null>} null when usable, else the driver's reason
 */
export async function probePostgres(url, timeoutMs = 3000) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}
