import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';

const logger = new Logger('PgliteThread');

/** A parser of one column type, as PGlite's `parsers` option takes it. */
type PgliteParser = (value: string, typeId: number) => unknown;

/** The options of PgliteThread.query: PGlite's `QueryOptions` less what cannot cross threads. */
export interface PgliteQueryOptions {
  rowMode?: 'array' | 'object';
  /** Type OID -> parser. Only identity parsers (hand the server's text over as it is) are supported. */
  parsers?: Readonly<Record<number, PgliteParser>>;
}

/** A statement's result, as PGlite gives it. */
export interface PgliteResults<T> {
  rows: T[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

/** What runs statements: the database, or one of its transactions. */
export interface PgliteQueryable {
  /** One statement with $1, $2 ... parameters. @throws the PostgreSQL error (code, constraint, ... as fields) */
  query<T>(
    sql: string,
    params?: unknown[],
    options?: PgliteQueryOptions,
  ): Promise<PgliteResults<T>>;
  /** Several statements, no parameters. @throws the PostgreSQL error */
  exec(sql: string): Promise<PgliteResults<unknown>[]>;
}

/** A transaction of PgliteThread.transaction (PGlite's `Transaction`, as far as drizzle uses it). */
export interface PgliteTransaction extends PgliteQueryable {
  /** Rolls the transaction back now; later statements in it fail. */
  rollback(): Promise<void>;
  readonly closed: boolean;
}

/** A request to the database thread (pglite-worker.mjs documents each). */
type Request =
  | {
      op: 'query';
      sql: string;
      params: unknown[];
      rowMode: 'array' | 'object' | undefined;
      identityParsers: number[];
      tx: number | null;
    }
  | { op: 'exec'; sql: string; tx: number | null }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' };

/** A failure as the thread sends it: the error's name and message, and PostgreSQL's fields where it had them. */
interface ErrorData {
  name: string;
  message: string;
  [field: string]: string;
}

type Answer =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ErrorData };

/** Where the thread's file is: beside this module, as source (under jest) and as build output alike. */
const WORKER_URL = new URL('./pglite-worker.mjs', import.meta.url);

/** A text every identity parser returns unchanged (and a parsing one would not: it is no valid timestamp). */
const PARSER_PROBE = 'probe:identity';

/** The type OIDs of `parsers`. @throws Error for a parser that changes what it reads (it cannot cross threads) */
function identityParserOids(parsers: PgliteQueryOptions['parsers']): number[] {
  if (!parsers) return [];
  return Object.entries(parsers).map(([oid, parse]) => {
    if (parse(PARSER_PROBE, Number(oid)) !== PARSER_PROBE) {
      throw new Error(`type ${oid}: only identity parsers can be passed to the database thread`);
    }
    return Number(oid);
  });
}

/** A thrown PostgreSQL error rebuilt on this side, with the fields findPgError and translateError read. */
function toError(data: ErrorData): Error {
  const { name, message, ...fields } = data;
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, fields);
}

/**
 * PGlite on a thread of its own (a `worker_threads` Worker running pglite-worker.mjs), with the part of PGlite's
 * interface drizzle's pglite driver and this adapter use: `query`, `exec`, `transaction`, `close`.
 *
 * Why: PGlite is PostgreSQL compiled to WebAssembly; in the API's thread every statement runs between socket
 * events, so the database and the sockets shared one core. The load benchmark's profile at 300 msg/s had PGlite
 * (WebAssembly and its protocol code) at a third of the API thread's samples and half of its busy time
 * (docs/performance.md). On its own thread it runs on the second core while the API thread serves sockets.
 * The price: every statement and result is copied between threads (structured clone), tens of microseconds.
 *
 * Order and isolation are PGlite's: requests run in the order they were sent; while a transaction is open the
 * thread runs only that transaction's statements and the others wait, as PGlite itself does.
 *
 * The thread keeps the process alive only while a request is in flight (it is unref'd when idle), like the
 * in-thread instance, which holds no handle.
 */
export class PgliteThread implements PgliteQueryable {
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  /** Why the thread is gone (or going), once it is: later requests fail with it. */
  private stopped: Error | null = null;
  /** The close in progress or done (close() is idempotent). */
  private closing: Promise<void> | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (answer: Answer) => this.settle(answer));
    // An uncaught error of the thread (PGlite aborting, out of memory): the thread ends. The message names the
    // thread, so the failure reads as a database gone away (503) rather than a bug (500).
    worker.on('error', (error) => {
      logger.error(`PGlite thread failed: ${error.stack ?? error.message}`);
      this.stop(new Error(`PGlite thread exited: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => this.stop(new Error(`PGlite thread exited (${code})`)));
    worker.unref();
  }

  /**
   * Starts the thread and opens PGlite in it: in memory (`dataDir` null) or in that folder.
   * @throws the error that kept PGlite from opening (the thread has ended then)
   */
  static async open(dataDir: string | null): Promise<PgliteThread> {
    const worker = new Worker(WORKER_URL, { workerData: { dataDir } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (answer: Answer) => {
        if ('ready' in answer) {
          cleanup();
          resolve();
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`PGlite thread exited (${code}) while opening`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new PgliteThread(worker);
  }

  query<T>(sql: string, params: unknown[] = [], options: PgliteQueryOptions = {}) {
    return this.queryIn<T>(null, sql, params, options);
  }

  exec(sql: string): Promise<PgliteResults<unknown>[]> {
    return this.request({ op: 'exec', sql, tx: null }) as Promise<PgliteResults<unknown>[]>;
  }

  /**
   * Runs `callback` in a transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is rethrown).
   * @throws what BEGIN, the callback or COMMIT threw
   */
  async transaction<T>(callback: (tx: PgliteTransaction) => Promise<T>): Promise<T> {
    const id = (await this.request({ op: 'begin' })) as number;
    let closed = false;
    const end = async (commit: boolean) => {
      if (closed) return;
      closed = true;
      await this.request({ op: 'end', tx: id, commit });
    };
    const closedError = () => Promise.reject(new Error('transaction is closed'));
    const tx: PgliteTransaction = {
      query: <R>(sql: string, params: unknown[] = [], options: PgliteQueryOptions = {}) =>
        closed ? closedError() : this.queryIn<R>(id, sql, params, options),
      exec: (sql: string) =>
        closed
          ? closedError()
          : (this.request({ op: 'exec', sql, tx: id }) as Promise<PgliteResults<unknown>[]>),
      rollback: () => end(false),
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      await end(false).catch(() => undefined);
      throw error;
    }
    await end(true);
    return result;
  }

  /**
   * Closes PGlite (flushing a folder database) and ends the thread; requests sent from now on fail at once.
   * Safe to call more than once, also concurrently (every call waits for the one close).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped) return;
      const closed = this.request({ op: 'close' });
      // PGlite's own words for a closed instance, which isStorageUnavailable knows.
      this.stopped = new Error('PGlite is closed');
      await closed;
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private queryIn<T>(
    tx: number | null,
    sql: string,
    params: unknown[],
    options: PgliteQueryOptions,
  ): Promise<PgliteResults<T>> {
    let identityParsers: number[];
    try {
      identityParsers = identityParserOids(options.parsers);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.request({
      op: 'query',
      sql,
      params,
      rowMode: options.rowMode,
      identityParsers,
      tx,
    }) as Promise<PgliteResults<T>>;
  }

  private request(request: Request): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, ...request });
      } catch (error) {
        // A parameter that cannot be copied to the thread (a function, a symbol): nothing was sent.
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(error as Error);
      }
    });
  }

  private settle(answer: Answer): void {
    if ('ready' in answer) return;
    const waiter = this.pending.get(answer.id);
    if (!waiter) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    if (answer.ok) waiter.resolve(answer.value);
    else waiter.reject(toError(answer.error));
  }

  /** The thread is gone: every request in flight fails with `reason`, and so does every later one. */
  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiter of this.pending.values()) waiter.reject(reason);
    this.pending.clear();
  }
}
