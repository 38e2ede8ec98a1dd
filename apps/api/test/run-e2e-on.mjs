#!/usr/bin/env node
/**
 * Runs the API e2e suites (test/*.e2e-spec.ts) against one more storage adapter:
 *
 *   node test/run-e2e-on.mjs postgres   server at TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
 *   node test/run-e2e-on.mjs mongodb    server at MONGODB_URI, else a mongod from mongodb-memory-server
 *   node test/run-e2e-on.mjs postgres health    only the e2e files whose path matches `health`
 *
 * Each e2e app gets its own fresh database on that server (test/support/e2e-database.ts). When the server cannot
 * be had, it prints one line saying why and runs nothing (exit 0), except for PostgreSQL when CI=true, which
 * fails: CI provides PostgreSQL, so its absence there is a broken setup. MongoDB stays optional everywhere.
 * (The default `pnpm test` run already covers the embedded PGlite adapter.)
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probePostgres, testEnvironment } from '../src/storage/contract/probe-postgres.mjs';

const target = process.argv[2];
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TEST_DATABASE_TARGET: target };
let stop = async () => {};

/** @returns null when a server is set up in env.MONGODB_URI, else the reason */
async function provideMongo() {
  if (env.MONGODB_URI) return null;
  const warn = console.warn;
  console.warn = () => {};
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const server = await Promise.race([
      MongoMemoryServer.create(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no mongod within 30 s')), 30_000).unref(),
      ),
    ]);
    env.MONGODB_URI = server.getUri();
    stop = async () => void (await server.stop());
    return null;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/\s+/g, ' ')
      .slice(0, 200);
    return `MONGODB_URI is unset and mongodb-memory-server has no mongod (${reason})`;
  } finally {
    console.warn = warn;
  }
}

let unavailable;
if (target === 'postgres') {
  const url = testEnvironment().postgresUrl;
  const why = await probePostgres(url);
  unavailable = why && `PostgreSQL unreachable at ${new URL(url).host} (${why})`;
  if (unavailable && env.CI === 'true') {
    console.error(`api e2e on postgres: ${unavailable}; CI must provide it`);
    process.exit(1);
  }
} else if (target === 'mongodb') {
  unavailable = await provideMongo();
} else {
  console.error('usage: node test/run-e2e-on.mjs postgres|mongodb');
  process.exit(2);
}

if (unavailable) {
  console.log(`SKIPPED api e2e on ${target}: ${unavailable}`);
  process.exit(0);
}

console.log(`api e2e on ${target}`);
const result = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    'node_modules/jest/bin/jest.js',
    // Two files at a time: on a 2-core machine the PostgreSQL run took 72 s this way, against 102 s one at a time.
    '--maxWorkers=2',
    '--testPathPatterns',
    // An optional second argument narrows the run to matching files (e.g. `health`).
    process.argv[3] ?? '\\.e2e-spec\\.ts$',
  ],
  { cwd: packageRoot, env, stdio: 'inherit' },
);
await stop();
process.exit(result.status ?? 1);
