/**
 * The API process is killed (SIGKILL: no graceful shutdown) mid-conversation and started again on the same data;
 * two clients that follow the documented resync protocol (docs/protocol.md, "Resync") end with identical histories:
 * no gap, no duplicate, every message they wrote stored exactly once (resent with the same clientMessageId).
 *
 * The API runs as a child process straight from src/ (test/support/ts-loader.mjs), on a PGlite data folder in a temp
 * dir (or a fresh PostgreSQL/MongoDB database when TEST_DATABASE_TARGET says so), on a fixed free port so the
 * clients' automatic reconnection finds it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import type { Ack, ConversationSummary, Message, MessagePage } from '@chat/shared';
import { createE2eDatabase, type E2eDatabase, e2eTarget } from './support/e2e-database.js';
import { http, registerUser, type SignedIn } from './support/http.js';
import type { ClientSocket } from './support/sockets.js';
import { TEST_ENV } from './support/test-app.js';

const apiRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

let port = 0;
let baseUrl = '';
let databaseUrl = '';
let dataDir: string | null = null;
/** The child's UPLOAD_DIR: its own temporary folder, not the developer's ./.data/uploads. */
let uploadDir: string | null = null;
let database: E2eDatabase | null = null;
let child: ChildProcess | null = null;
let output = '';

/** Starts the API as a child process and waits until /api/health answers 200. */
async function startApi(): Promise<void> {
  const proc = spawn(
    process.execPath,
    ['--import', './test/support/ts-loader.mjs', 'src/main.ts'],
    {
      cwd: apiRoot,
      env: {
        ...process.env,
        ...TEST_ENV,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        PRESENCE_GRACE_MS: '0',
        ...(uploadDir ? { UPLOAD_DIR: uploadDir } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child = proc;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the API exited (${proc.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the API did not start within 60 s:\n${output}`);
}

/** SIGKILL: no shutdown hooks, sockets are dropped as by a crash. */
async function killApi(): Promise<void> {
  const proc = child;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
  child = null;
}

beforeAll(async () => {
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  uploadDir = mkdtempSync(join(tmpdir(), 'chat-restart-uploads-'));
  if (e2eTarget() === 'pglite') {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-restart-'));
    databaseUrl = `pglite://${dataDir}`;
  } else {
    database = await createE2eDatabase();
    databaseUrl = database.url;
  }
  await startApi();
}, 90_000);

afterAll(async () => {
  await killApi();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (uploadDir) rmSync(uploadDir, { recursive: true, force: true });
  await database?.drop();
});

/**
 * A client device that follows the resync protocol: it keeps messages by seq (merging without duplicates), keeps
 * unacknowledged sends in an outbox and resends them with the same clientMessageId, and after every reconnect
 * fetches `GET messages?after=<newest seq it holds>` page by page.
 */
class Device {
  readonly socket: ClientSocket;
  readonly bySeq = new Map<number, Message>();
  readonly outbox = new Map<string, string>();
  readonly written: string[] = [];
  private connects = 0;
  private resyncing: Promise<void> = Promise.resolve();

  constructor(
    readonly me: SignedIn,
    private readonly conversationId: string,
  ) {
    this.socket = io(baseUrl, {
      auth: { token: me.accessToken },
      transports: ['websocket'],
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      forceNew: true,
    });
    this.socket.on('message:new', (m) => this.merge([m]));
    this.socket.on('connect', () => {
      this.connects += 1;
      this.resyncing = this.resync();
    });
  }

  get connectCount(): number {
    return this.connects;
  }

  merge(messages: Message[]): void {
    for (const m of messages)
      if (m.conversationId === this.conversationId) this.bySeq.set(m.seq, m);
  }

  newestSeq(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  async resync(): Promise<void> {
    for (;;) {
      const res = await http<MessagePage>(
        baseUrl,
        'GET',
        `/api/conversations/${this.conversationId}/messages?after=${this.newestSeq()}&limit=100`,
        undefined,
        { token: this.me.accessToken },
      );
      if (res.status !== 200) throw new Error(`resync failed: ${res.status}`);
      this.merge(res.body.items);
      if (!res.body.hasMore) return;
    }
  }

  /** Writes a message: it stays in the outbox until acked. Resolves with whether this attempt was acked. */
  write(body: string, ackTimeoutMs = 3000): Promise<boolean> {
    const clientMessageId = randomUUID();
    this.outbox.set(clientMessageId, body);
    this.written.push(clientMessageId);
    return this.attempt(clientMessageId, body, ackTimeoutMs);
  }

  /** Resends everything in the outbox (after reconnecting), with the same client ids. */
  async flush(): Promise<void> {
    for (const [clientMessageId, body] of [...this.outbox]) {
      if (!(await this.attempt(clientMessageId, body, 5000))) throw new Error('resend not acked');
    }
  }

  async settled(): Promise<void> {
    await this.resyncing;
  }

  private async attempt(
    clientMessageId: string,
    body: string,
    timeoutMs: number,
  ): Promise<boolean> {
    if (!this.socket.connected) return false;
    try {
      const ack = (await this.socket.timeout(timeoutMs).emitWithAck('message:send', {
        conversationId: this.conversationId,
        clientMessageId,
        body,
      })) as Ack<Message>;
      if (!ack.ok) return false;
      this.outbox.delete(clientMessageId);
      this.merge([ack.data]);
      return true;
    } catch {
      return false; // no ack (the server died): stays in the outbox
    }
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

it('after SIGKILL and restart, both sides hold identical histories: no gap, no duplicate, nothing lost', async () => {
  const ana = await registerUser(baseUrl, 'rsA');
  const ben = await registerUser(baseUrl, 'rsB');
  const opened = await http<ConversationSummary>(
    baseUrl,
    'POST',
    '/api/conversations/direct',
    { userId: ben.id },
    {
      token: ana.accessToken,
    },
  );
  const conversationId = opened.body.id;
  const a = new Device(ana, conversationId);
  const b = new Device(ben, conversationId);
  await waitFor(() => a.socket.connected && b.socket.connected, 'both connected');

  expect(await a.write('a1')).toBe(true);
  expect(await b.write('b1')).toBe(true);
  expect(await a.write('a2')).toBe(true);
  await waitFor(() => a.bySeq.size === 3 && b.bySeq.size === 3, 'live delivery before the crash');

  // In flight at the moment of the crash: each may or may not have been stored; neither is acked.
  const inFlight = [a.write('a3', 1500), b.write('b2', 1500)];
  await killApi();
  expect(await Promise.all(inFlight)).toEqual([false, false]);
  // Written while the server is down: never reaches it now.
  expect(await a.write('a4')).toBe(false);
  expect(a.outbox.size).toBe(2);
  expect(b.outbox.size).toBe(1);

  const connectsBefore = [a.connectCount, b.connectCount];
  await startApi();
  await waitFor(
    () => a.connectCount > connectsBefore[0]! && b.connectCount > connectsBefore[1]!,
    'both reconnected to the restarted API',
  );
  await Promise.all([a.settled(), b.settled()]);
  await Promise.all([a.flush(), b.flush()]);
  // Messages the other side sent after this one's resync arrive live; one more resync covers any in between.
  await Promise.all([a.resync(), b.resync()]);

  const server = await http<MessagePage>(
    baseUrl,
    'GET',
    `/api/conversations/${conversationId}/messages?after=0&limit=100`,
    undefined,
    { token: ana.accessToken },
  );
  const history = server.body.items;
  const summary = (d: Device) =>
    [...d.bySeq.values()].sort((x, y) => x.seq - y.seq).map((m) => m.id);
  expect(summary(a)).toEqual(history.map((m) => m.id));
  expect(summary(b)).toEqual(history.map((m) => m.id));
  // Every message written is stored exactly once, in a strictly increasing seq order.
  const written = [...a.written, ...b.written];
  expect(history.map((m) => m.clientMessageId).sort()).toEqual([...written].sort());
  expect(history.map((m) => m.body)).toEqual(
    expect.arrayContaining(['a1', 'b1', 'a2', 'a3', 'b2', 'a4']),
  );
  expect(history).toHaveLength(6);
  for (let i = 1; i < history.length; i += 1)
    expect(history[i]!.seq).toBeGreaterThan(history[i - 1]!.seq);
  expect(history.slice(0, 3).map((m) => m.body)).toEqual(['a1', 'b1', 'a2']);

  a.socket.disconnect();
  b.socket.disconnect();
}, 120_000);
