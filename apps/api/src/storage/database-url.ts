/**
 * `DATABASE_URL` -> which storage adapter to start, per the team agreement (docs in the README's configuration
 * table):
 *
 * | value                              | adapter                                             |
 * | ---------------------------------- | --------------------------------------------------- |
 * | unset or empty                     | PGlite in the folder `./.data/pglite` (of the cwd)  |
 * | `pglite://memory`                  | PGlite in memory (tests; data is gone on exit)      |
 * | `pglite:///abs/dir`                | PGlite in that absolute folder                      |
 * | `pglite://./rel/dir` (`pglite://rel/dir`) | PGlite in that folder, relative to the cwd   |
 * | `postgres://...`, `postgresql://...` | PostgreSQL through node-postgres                  |
 * | `mongodb://...`, `mongodb+srv://...` | MongoDB through Mongoose (storage/mongo/)        |
 */
import { isAbsolute, resolve } from 'node:path';

export type DatabaseTarget =
  /** `dataDir` is an absolute folder, or null for an in-memory database. */
  | { kind: 'pglite'; dataDir: string | null }
  /** `url` as given (it may carry a password: never log it). */
  | { kind: 'postgres'; url: string }
  | { kind: 'mongodb'; url: string };

/** Folder used when DATABASE_URL is unset, relative to the working directory (git-ignored). */
export const DEFAULT_PGLITE_DIR = './.data/pglite';

const PGLITE_PREFIX = 'pglite://';

/**
 * Parses a DATABASE_URL value.
 * @param url the raw value; undefined, empty or blank selects the default PGlite folder.
 * @param cwd base for relative PGlite folders (default: the process's working directory).
 * @throws Error naming the problem (never echoing the URL, which may hold a password) when the scheme is
 *   unknown, a PGlite URL names no folder, or a postgres/mongodb URL does not parse.
 */
export function parseDatabaseUrl(
  url: string | undefined,
  cwd: string = process.cwd(),
): DatabaseTarget {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'pglite', dataDir: resolve(cwd, DEFAULT_PGLITE_DIR) };

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'pglite': {
      const location = value.slice(PGLITE_PREFIX.length);
      if (location === 'memory' || location === 'memory/') return { kind: 'pglite', dataDir: null };
      if (location === '')
        throw new Error('DATABASE_URL: a pglite:// URL needs "memory" or a folder path');
      return { kind: 'pglite', dataDir: isAbsolute(location) ? location : resolve(cwd, location) };
    }
    case 'postgres':
    case 'postgresql':
      assertParses(value, 'PostgreSQL');
      return { kind: 'postgres', url: value };
    case 'mongodb':
    case 'mongodb+srv':
      // Not checked with URL: MongoDB seed lists (`host1:27017,host2:27017`) are not WHATWG URLs.
      return { kind: 'mongodb', url: value };
    default:
      throw new Error(
        'DATABASE_URL: unsupported scheme; use pglite://memory, pglite://<folder>, postgres(ql)://... ' +
          'or mongodb(+srv)://... (or leave it unset for ./.data/pglite)',
      );
  }
}

function assertParses(value: string, what: string): void {
  if (!URL.canParse(value)) throw new Error(`DATABASE_URL: not a valid ${what} URL`);
}
