/**
 * The embedded database's own thread: one PGlite instance, driven by messages from PgliteThread
 * (pglite-thread.ts, which documents why and the message shapes).
 *
 * Plain JavaScript, not TypeScript: a worker thread loads its file with Node's own loader, both from `dist/` (the
 * build copies this file there) and from `src/` under jest, which does not transform what a worker loads.
 *
 * workerData: `{ dataDir: string | null }`. Requests, in order: `{ id, op, ... }` with op
 * - 'query' `{ sql, params, rowMode, identityParsers, tx }`: PGlite `query`; the listed type OIDs are handed over
 *   as the server's text (drizzle reads timestamps and dates that way);
 * - 'exec' `{ sql, tx }`: PGlite `exec` (several statements, no parameters);
 * - 'begin': opens a transaction and answers with its id (as `value`); the thread's other requests wait for it;
 * - 'end' `{ tx, commit }`: commits or rolls that transaction back;
 * - 'close': closes PGlite; the thread then ends.
 * Answers: `{ id, ok: true, value }` or `{ id, ok: false, error }`, where `error` copies the fields of PostgreSQL's
 * error message (code, constraint, detail, ...) because a thrown Error loses its own properties when cloned.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';

/** The fields of pg-protocol's DatabaseError (PostgreSQL's ErrorResponse) that are kept across the thread. */
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
];

/** An error as plain data: its name, message and every PostgreSQL field it has. */
function errorData(error) {
  const data = {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  };
  if (error && typeof error === 'object') {
    for (const field of ERROR_FIELDS) {
      if (typeof error[field] === 'string') data[field] = error[field];
    }
  }
  return data;
}

const identity = (value) => value;

/** Thrown inside a transaction's callback to make PGlite roll it back. */
const ROLLBACK = Symbol('rollback');

// unaccent: message search's text-search configuration folds accents with it (migration 0007, docs/search.md).
const { dataDir } = workerData;
const database = await PGlite.create({
  ...(dataDir === null ? {} : { dataDir }),
  extensions: { unaccent },
});
// A new 16 MB WAL segment is created by writing it full of zeros first (wal_init_zero), with every append waiting:
// 165 ms in memory (Emscripten's in-memory file system grows the file step by step, copying it each time) and 20
// to 30 ms on disk, once per 16 MB of WAL (every 5 to 15 s under load). Without it only the segment's last byte is
// written; PostgreSQL recognises the end of WAL by its records' checksums, not by zeros, as it must for the recycled
// segments it reuses with their old contents (docs/performance.md). One session, so the setting holds for the
// database's lifetime.
await database.exec('SET wal_init_zero = off');

/** Open transactions: id -> { tx, decide(commit), ended: promise of { ok } or { ok: false, error } }. */
const transactions = new Map();
let nextTransaction = 1;

/** The PGlite handle a request runs on: its transaction's, or the instance's. */
function target(tx) {
  if (tx === undefined || tx === null) return database;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open.tx;
}

/**
 * Opens a transaction with PGlite's `transaction` (which holds the instance for it: other requests wait) and
 * resolves with its id once BEGIN has run; the callback then waits for `end` to say commit or roll back.
 */
function begin() {
  const id = nextTransaction++;
  return new Promise((opened, failed) => {
    let entry = null;
    const ended = database
      .transaction(async (tx) => {
        const decided = new Promise((decide) => {
          entry = { tx, decide, ended };
        });
        transactions.set(id, entry);
        opened(id);
        if (!(await decided)) throw ROLLBACK;
      })
      .then(
        () => ({ ok: true }),
        (error) => (error === ROLLBACK ? { ok: true } : { ok: false, error }),
      )
      .finally(() => transactions.delete(id));
    // BEGIN itself failed: the callback never ran.
    void ended.then((outcome) => {
      if (entry === null) failed(outcome.error ?? new Error('transaction did not start'));
    });
  });
}

/** Commits (`commit`) or rolls back transaction `tx`; rejects with the error COMMIT raised, if any. */
async function end(tx, commit) {
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  open.decide(commit);
  const outcome = await open.ended;
  if (!outcome.ok) throw outcome.error;
}

async function handle(request) {
  switch (request.op) {
    case 'query': {
      const parsers = Object.fromEntries(request.identityParsers.map((oid) => [oid, identity]));
      return target(request.tx).query(request.sql, request.params, {
        rowMode: request.rowMode,
        parsers,
      });
    }
    case 'exec':
      return target(request.tx).exec(request.sql);
    case 'begin':
      return begin();
    case 'end':
      return end(request.tx, request.commit);
    case 'close':
      await database.close();
      return null;
    default:
      throw new Error(`unknown request ${String(request.op)}`);
  }
}

/** Answers request `id` with a failure. */
function fail(id, error) {
  parentPort.postMessage({ id, ok: false, error: errorData(error) });
}

parentPort.on('message', (request) => {
  handle(request).then(
    (value) => {
      try {
        parentPort.postMessage({ id: request.id, ok: true, value });
      } catch (error) {
        // A result that cannot be copied back (DataCloneError): the request fails instead of hanging.
        fail(request.id, error);
      }
    },
    (error) => fail(request.id, error),
  );
});
parentPort.postMessage({ ready: true });
