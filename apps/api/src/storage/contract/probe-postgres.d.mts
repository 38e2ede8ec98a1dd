/** Why a PostgreSQL server cannot be used, or null when it answers. Waits at most `timeoutMs` (default 3000). */
export function probePostgres(url: string, timeoutMs?: number): Promise<string | null>;
