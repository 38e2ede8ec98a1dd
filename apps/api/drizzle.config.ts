/**
 * drizzle-kit configuration: `pnpm exec drizzle-kit generate --name <change>` (run in apps/api) diffs
 * `src/storage/sql/schema.ts` against the snapshots in `drizzle/meta` and writes the next versioned migration
 * into `drizzle/`. It needs no database connection. The app applies the folder at start (see
 * `src/storage/sql/sql-database.ts`).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/storage/sql/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
