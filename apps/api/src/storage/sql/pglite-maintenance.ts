import { Logger } from '@nestjs/common';

/**
 * What a maintenance pass needs of a database connection (PgliteQueryable has it; a `pg` client does with `exec`
 * as its `query`).
 */
export interface MaintenanceClient {
  /** One statement; resolves with its rows. */
  query<T>(sql: string): Promise<{ rows: T[] }>;
  /** One statement whose result is not read (VACUUM, ANALYZE). */
  exec(sql: string): Promise<unknown>;
}

/** How often the tables are looked at: every minute, autovacuum_naptime's default. */
export const AUTOVACUUM_NAPTIME_MS = 60_000;

/** What one maintenance pass did: the tables it analysed and vacuumed (schema-qualified, quoted). */
export interface AutovacuumReport {
  analyzed: string[];
  vacuumed: string[];
}

/**
 * The tables due for ANALYZE or VACUUM by autovacuum's default rules (PostgreSQL manual, "The Autovacuum Daemon"):
 * ANALYZE once the rows changed since the last analyze pass 50 + 10% of the live rows (autovacuum_analyze_threshold
 * and _scale_factor), VACUUM once the dead rows pass 50 + 20% of them (autovacuum_vacuum_threshold and
 * _scale_factor). Names come back quoted by the server (quote_ident), ready to put in a statement.
 */
const DUE_TABLES = `
  SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS name,
         n_mod_since_analyze > 50 + 0.1 * n_live_tup AS analyze,
         n_dead_tup > 50 + 0.2 * n_live_tup AS vacuum
    FROM pg_stat_user_tables
   WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
     AND (n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup)
   ORDER BY relname
`;

/**
 * One maintenance pass, autovacuum's: VACUUM (ANALYZE) or ANALYZE of each table that autovacuum would pick now (see
 * DUE_TABLES). The API runs it on PGlite (scheduleAutovacuumPasses); the load benchmark runs it on a PostgreSQL server
 * whose autovacuum is off, so that the plans it measures are those of a server that keeps its statistics.
 *
 * Why: PGlite runs PostgreSQL in single-user mode, where no background process runs, the autovacuum launcher
 * included (`pg_stat_user_tables.last_autoanalyze` stays null). Without this the embedded database would keep the
 * planner statistics of an empty database and every dead row version (each message updates its conversation's row
 * and the sender's membership row) until an operator ran VACUUM by hand.
 *
 * Cost: a pass holds the database (not the API's thread: PGlite has its own, pglite-thread.ts) while it runs, so
 * statements queue behind it. ANALYZE samples at most
 * 30,000 rows of a table (default_statistics_target 100); VACUUM of a big messages table (its dead rows come from
 * edits and deletions) is the long one, and rare by the 20% rule.
 * @throws what PGlite throws for the statements (the caller logs it)
 */
export async function autovacuumPass(client: MaintenanceClient): Promise<AutovacuumReport> {
  const { rows } = await client.query<{ name: string; analyze: boolean; vacuum: boolean }>(
    DUE_TABLES,
  );
  const report: AutovacuumReport = { analyzed: [], vacuumed: [] };
  for (const table of rows) {
    if (table.vacuum) {
      await client.exec(`VACUUM (ANALYZE) ${table.name}`);
      report.vacuumed.push(table.name);
      report.analyzed.push(table.name);
    } else if (table.analyze) {
      await client.exec(`ANALYZE ${table.name}`);
      report.analyzed.push(table.name);
    }
  }
  return report;
}

/** A running schedule of autovacuum passes (scheduleAutovacuumPasses). */
export interface AutovacuumSchedule {
  /** Stops the schedule and waits for a pass in progress (before the database closes). */
  stop(): Promise<void>;
}

/**
 * Runs autovacuumPass every `intervalMs` (an unref'd timer: it never keeps the process alive); passes never
 * overlap, and a failed pass is logged and tried again at the next tick.
 */
export function scheduleAutovacuumPasses(
  client: MaintenanceClient,
  intervalMs = AUTOVACUUM_NAPTIME_MS,
): AutovacuumSchedule {
  const logger = new Logger('Autovacuum');
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    const startedAt = performance.now();
    running = autovacuumPass(client)
      .then((report) => {
        if (report.analyzed.length > 0) {
          const ms = Math.round(performance.now() - startedAt);
          logger.debug(
            `analysed ${report.analyzed.join(', ')}; vacuumed ${report.vacuumed.join(', ') || 'none'}; ${ms} ms`,
          );
        }
      })
      .catch((error: unknown) => logger.warn(`maintenance pass failed: ${String(error)}`))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
