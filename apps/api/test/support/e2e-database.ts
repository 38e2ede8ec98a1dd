/**
 * The database an e2e app runs on, chosen by TEST_DATABASE_TARGET (set by test/run-e2e-on.mjs):
 * - unset or `pglite`: a fresh in-memory PGlite per app;
 * - `postgres`: a fresh database `chat_e2e_<random>` on the server at TEST_POSTGRES_URL (default
 *   postgres://postgres@127.0.0.1:5432/test), dropped when the app closes;
 * - `mongodb`: a fresh database `chat_e2e_<random>` on the server at MONGODB_URI, dropped when the app closes.
 * Test configuration, read here rather than through the app's config module on purpose.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import pg from 'pg';
import { withDatabaseName } from '../../src/storage/contract/mongo-uri.js';
import { testEnvironment } from '../../src/storage/contract/probe-postgres.mjs';

export interface E2eDatabase {
  /** DATABASE_URL for the app. */
  url: string;
  /** Removes what `url` points at; call after the app has closed. */
  drop(): Promise<void>;
}

/** Which adapter the e2e suites exercise in this run: 'pglite', 'postgres' or 'mongodb'. */
export function e2eTarget(): string {
  return process.env.TEST_DATABASE_TARGET ?? 'pglite';
}

/**
 * Creates an empty database for one app on the configured target (or on `target`: the load benchmark picks its own).
 * @throws when the target is unknown or its server refuses (the runner probed it first, so this is a real failure)
 */
export async function createE2eDatabase(target: string = e2eTarget()): Promise<E2eDatabase> {
  const name = `chat_e2e_${randomBytes(6).toString('hex')}`;
  if (target === 'pglite') return { url: 'pglite://memory', drop: async () => {} };
  if (target === 'postgres') {
    const adminUrl = testEnvironment().postgresUrl;
    await withPg(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      // FORCE (PostgreSQL 13+) ends connections a closing pool may still hold for a moment.
      drop: async () => {
        await withPg(adminUrl, (client) =>
          client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
        );
      },
    };
  }
  if (target === 'mongodb') {
    const base = process.env.MONGODB_URI;
    if (!base) throw new Error('TEST_DATABASE_TARGET=mongodb needs MONGODB_URI');
    // Not new URL(): a replica-set seed list (host1:27017,host2:27017) is no WHATWG URL.
    const url = withDatabaseName(base, name);
    return {
      url,
      drop: async () => {
        const connection = await mongoose.createConnection(url).asPromise();
        try {
          await connection.dropDatabase();
        } finally {
          await connection.close();
        }
      },
    };
  }
  throw new Error(`unknown TEST_DATABASE_TARGET ${target} (pglite, postgres or mongodb)`);
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
