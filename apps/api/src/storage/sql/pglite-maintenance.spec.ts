import { describe, expect, it } from '@jest/globals';
import { PgliteThread } from './pglite-thread.js';
import { autovacuumPass, scheduleAutovacuumPasses } from './pglite-maintenance.js';

/**
 * Makes the statistics of the statements so far visible (a backend flushes its counters to the shared statistics
 * when it next goes idle, at most once a second otherwise; PostgreSQL manual, "The Cumulative Statistics System").
 */
async function flushStats(client: PgliteThread): Promise<void> {
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
}

/** last_analyze / last_vacuum and the counters of one table, as PGlite's statistics see them. */
async function stats(client: PgliteThread, table: string) {
  const { rows } = await client.query<{
    analyzed: boolean;
    vacuumed: boolean;
    autoanalyzed: boolean;
    dead: number;
  }>(
    `SELECT last_analyze IS NOT NULL AS analyzed, last_vacuum IS NOT NULL AS vacuumed,
            last_autoanalyze IS NOT NULL AS autoanalyzed, n_dead_tup::integer AS dead
       FROM pg_stat_user_tables WHERE relname = $1`,
    [table],
  );
  return rows[0]!;
}

describe('PGlite maintenance (autovacuum rules, run from the API)', () => {
  it('analyses a table past 50 + 10% changed rows, vacuums one past 50 + 20% dead rows, and leaves the rest', async () => {
    const client = await PgliteThread.open(null);
    try {
      await client.exec(`
        CREATE TABLE busy (id integer PRIMARY KEY, n integer NOT NULL);
        CREATE TABLE quiet (id integer PRIMARY KEY);
        INSERT INTO busy SELECT g, 0 FROM generate_series(1, 200) AS g;
        INSERT INTO quiet SELECT g FROM generate_series(1, 10) AS g;
      `);
      await flushStats(client);
      // Nothing in single-user mode gathers statistics by itself.
      expect(await stats(client, 'busy')).toMatchObject({ analyzed: false, autoanalyzed: false });

      const first = await autovacuumPass(client);
      expect(first.analyzed).toEqual(['public.busy']);
      expect(first.vacuumed).toEqual([]);
      await flushStats(client);
      expect(await stats(client, 'busy')).toMatchObject({ analyzed: true, vacuumed: false });
      expect(await stats(client, 'quiet')).toMatchObject({ analyzed: false });
      expect(await autovacuumPass(client)).toEqual({ analyzed: [], vacuumed: [] });

      // 200 updates of 200 live rows: 200 dead versions > 50 + 40.
      await client.exec('UPDATE busy SET n = n + 1');
      await flushStats(client);
      const second = await autovacuumPass(client);
      expect(second).toEqual({ analyzed: ['public.busy'], vacuumed: ['public.busy'] });
      await flushStats(client);
      expect(await stats(client, 'busy')).toMatchObject({ vacuumed: true, dead: 0 });
    } finally {
      await client.close();
    }
  });

  it('runs on a schedule that stops before the database closes', async () => {
    const client = await PgliteThread.open(null);
    await client.exec(
      'CREATE TABLE t (id integer PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100);',
    );
    const maintenance = scheduleAutovacuumPasses(client, 20);
    try {
      for (let i = 0; i < 100 && !(await stats(client, 't')).analyzed; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await stats(client, 't')).analyzed).toBe(true);
    } finally {
      await maintenance.stop();
      await client.close();
    }
  });
});
