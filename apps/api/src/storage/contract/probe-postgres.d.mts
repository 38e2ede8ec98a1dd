/** Why a PostgreSQL server cannot be used, or null when it answers. Waits at most `timeoutMs` (default 3000). */
export function probePostgres(url: string, timeoutMs?: number): Promise<string | null>;
/** The PostgreSQL server the tests use when TEST_POSTGRES_URL is unset. */
export const DEFAULT_TEST_POSTGRES_URL: string;
/** The Redis the tests use when TEST_REDIS_URL is unset. */
export const DEFAULT_TEST_REDIS_URL: string;
/**
 * Which PostgreSQL server (TEST_POSTGRES_URL or the default) and Redis (TEST_REDIS_URL or the default) tests use,
 * and whether CI=true.
 */
export function testEnvironment(): { postgresUrl: string; redisUrl: string; inCi: boolean };
