import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { isStorageUnavailable } from '../storage.errors.js';
import { PgliteThread } from './pglite-thread.js';

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

describe('PgliteThread (PGlite on its own thread)', () => {
  let thread: PgliteThread;

  beforeAll(async () => {
    thread = await PgliteThread.open(null);
    await thread.exec(`
      CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL DEFAULT now());
      CREATE UNIQUE INDEX item_name_uq ON item (name);
    `);
  });

  afterAll(async () => {
    await thread.close();
  });

  beforeEach(async () => {
    await thread.exec('TRUNCATE item');
  });

  it('runs parameterised statements in object and array row modes', async () => {
    await thread.query('INSERT INTO item (id, name) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    const objects = await thread.query<{ id: number; name: string }>(
      'SELECT id, name FROM item ORDER BY id',
    );
    expect(objects.rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    const arrays = await thread.query<unknown[]>('SELECT id, name FROM item ORDER BY id', [], {
      rowMode: 'array',
    });
    expect(arrays.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('creates WAL segments without writing them full of zeros first, and writes across a new segment hold', async () => {
    const setting = await thread.query<{ wal_init_zero: string }>('SHOW wal_init_zero');
    expect(setting.rows).toEqual([{ wal_init_zero: 'off' }]);
    await thread.query('INSERT INTO item (id, name) VALUES (1, $1)', ['before']);
    await thread.query('SELECT pg_switch_wal()');
    await thread.query('INSERT INTO item (id, name) VALUES (2, $1)', ['after']);
    const rows = await thread.query<{ name: string }>('SELECT name FROM item ORDER BY id');
    expect(rows.rows).toEqual([{ name: 'before' }, { name: 'after' }]);
  });

  it("hands a type over as the server's text when asked with an identity parser, and parsed otherwise", async () => {
    await thread.query(`INSERT INTO item (id, name, at) VALUES (1, 'a', '2026-01-02T03:04:05Z')`);
    const parsed = await thread.query<{ at: unknown }>('SELECT at FROM item');
    // A Date of this process's realm (jest's sandbox has its own Date, so no instanceof).
    expect(Object.prototype.toString.call(parsed.rows[0]!.at)).toBe('[object Date]');
    const text = await thread.query<{ at: unknown }>('SELECT at FROM item', [], {
      parsers: { 1184: (value: string) => value },
    });
    expect(text.rows[0]!.at).toBe('2026-01-02 03:04:05+00');
  });

  it('refuses a parser that changes values: a function cannot cross to the thread', async () => {
    await expect(
      thread.query('SELECT 1', [], { parsers: { 23: (value: string) => Number(value) * 2 } }),
    ).rejects.toThrow(/identity parsers/);
  });

  it('keeps the PostgreSQL fields of an error (code, constraint, table)', async () => {
    await thread.query(`INSERT INTO item (id, name) VALUES (1, 'a')`);
    const failure = await thread.query(`INSERT INTO item (id, name) VALUES (2, 'a')`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: 'item_name_uq',
      table: 'item',
    });
  });

  it('commits a transaction whose callback resolves, and rolls back one that throws', async () => {
    const value = await thread.transaction(async (tx) => {
      await tx.query(`INSERT INTO item (id, name) VALUES (1, 'kept')`);
      return 'done';
    });
    expect(value).toBe('done');
    const boom = new Error('boom');
    await expect(
      thread.transaction(async (tx) => {
        await tx.query(`INSERT INTO item (id, name) VALUES (2, 'dropped')`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    const { rows } = await thread.query<{ name: string }>('SELECT name FROM item ORDER BY id');
    expect(rows).toEqual([{ name: 'kept' }]);
  });

  it('rolls back on tx.rollback() and refuses statements in the closed transaction', async () => {
    await thread.transaction(async (tx) => {
      await tx.query(`INSERT INTO item (id, name) VALUES (1, 'a')`);
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query('SELECT 1')).rejects.toThrow(/closed/);
    });
    const { rows } = await thread.query('SELECT * FROM item');
    expect(rows).toEqual([]);
  });

  it('runs statements from outside a transaction after it ends, not inside it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const transaction = thread.transaction(async (tx) => {
      await tx.query(`INSERT INTO item (id, name) VALUES (1, 'in')`);
      entered();
      await held;
      await tx.query(`INSERT INTO item (id, name) VALUES (2, 'still in')`);
    });
    await inside;
    // Sent while the transaction is open: it must wait, and then see both rows.
    const outside = thread.query<{ n: number }>('SELECT count(*)::integer AS n FROM item');
    let answered = false;
    void outside.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    await transaction;
    expect((await outside).rows).toEqual([{ n: 2 }]);
  });

  it('answers a statement error inside a transaction and rolls the transaction back', async () => {
    await expect(
      thread.transaction(async (tx) => {
        await tx.query(`INSERT INTO item (id, name) VALUES (1, 'a')`);
        await tx.query(`INSERT INTO item (id, name) VALUES (1, 'b')`);
      }),
    ).rejects.toMatchObject({ code: UNIQUE_VIOLATION });
    expect((await thread.query('SELECT * FROM item')).rows).toEqual([]);
  });
});

describe('PgliteThread lifecycle', () => {
  it('refuses statements once closed, and closing twice is harmless', async () => {
    const thread = await PgliteThread.open(null);
    expect((await thread.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await thread.close();
    await thread.close();
    const refused = await thread.query('SELECT 1').catch((error: unknown) => error);
    expect(refused).toMatchObject({ message: expect.stringMatching(/closed/) });
    // Answered as 503 SERVICE_UNAVAILABLE, like any database that went away.
    expect(isStorageUnavailable(refused)).toBe(true);
  });

  it('fails requests in flight and later ones when the thread dies', async () => {
    const thread = await PgliteThread.open(null);
    const slow = thread.query('SELECT pg_sleep(1)');
    // The thread's Worker, as a crash would end it.
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(slow).rejects.toThrow(/exited/);
    const refused = await thread.query('SELECT 1').catch((error: unknown) => error);
    expect(refused).toMatchObject({ message: expect.stringMatching(/exited/) });
    expect(isStorageUnavailable(refused)).toBe(true);
  });

  it('answers an uncaught error of the thread (PGlite aborting) as a database gone away', async () => {
    const thread = await PgliteThread.open(null);
    const worker = (thread as unknown as { worker: { emit(event: string, error: Error): void } })
      .worker;
    // What Node does when the thread throws past its handlers; the thread then ends.
    worker.emit('error', new Error('Aborted()'));
    const refused = await thread.query('SELECT 1').catch((error: unknown) => error);
    expect(refused).toMatchObject({ message: 'PGlite thread exited: Aborted()' });
    expect(isStorageUnavailable(refused)).toBe(true);
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  });

  it('refuses requests sent while closing, and two closes at once share one', async () => {
    const thread = await PgliteThread.open(null);
    const first = thread.close();
    const during = thread.query('SELECT 1').catch((error: unknown) => error);
    await Promise.all([first, thread.close()]);
    const refused = await during;
    expect(refused).toMatchObject({ message: 'PGlite is closed' });
    expect(isStorageUnavailable(refused)).toBe(true);
  });

  it('fails a request whose parameters cannot cross to the thread, and goes on', async () => {
    const thread = await PgliteThread.open(null);
    try {
      await expect(thread.query('SELECT $1::text', [() => 'no'])).rejects.toThrow(
        /could not be cloned/,
      );
      expect((await thread.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await thread.close();
    }
  });

  it('keeps a folder database across a close and a new thread', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'pglite-thread-'));
    try {
      const first = await PgliteThread.open(dataDir);
      await first.exec(`CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42);`);
      await first.close();
      const second = await PgliteThread.open(dataDir);
      expect((await second.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
