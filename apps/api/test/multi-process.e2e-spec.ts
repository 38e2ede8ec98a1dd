/**
 * Two real API processes (child processes, ephemeral ports) share one PostgreSQL database and one Redis, as a scaled
 * deployment does (docs/scaling.md): people on different processes chat live; presence (snapshot and updates) and
 * typing cross processes; the socket cap and the write-rate limit are counted across them; concurrent group changes
 * sent to both are serialised; a revoked session's sockets are cut on both; and after SIGKILL of one process its
 * clients reconnect to the other and resync with nothing lost or duplicated, while the killed process's presence
 * expires.
 *
 * Needs PostgreSQL (TEST_POSTGRES_URL, default the local server) and Redis (TEST_REDIS_URL, default
 * redis://127.0.0.1:6379/0; keys and channels under a prefix unique to the run, deleted afterwards). Without either
 * it prints why and skips, except under CI=true, where it fails. It runs in the default (PGlite) e2e run only: the
 * processes use PostgreSQL whatever TEST_DATABASE_TARGET says, so the PostgreSQL and MongoDB runs skip it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import type {
  Ack,
  ConversationSummary,
  HealthResponse,
  Message,
  MessagePage,
  PresenceState,
  TypingEvent,
} from '@chat/shared';
import { probePostgres, testEnvironment } from '../src/storage/contract/probe-postgres.mjs';
import { createE2eDatabase, type E2eDatabase, e2eTarget } from './support/e2e-database.js';
import { http, registerUser, type SignedIn } from './support/http.js';
import type { ClientSocket } from './support/sockets.js';
import { TEST_ENV } from './support/test-app.js';

const apiRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { postgresUrl, redisUrl, inCi } = testEnvironment();
/** Keys and channels of this run only. */
const prefix = `relay-e2e-${randomBytes(5).toString('hex')}:`;
/** Short enough for the test to wait it out, long enough to prove a reload does not flap. */
const GRACE_MS = 500;
const WRITE_RATE = 5;
const WRITE_BURST = 10;
const SOCKETS_MAX = 3;
/** Attempts per address per window on each auth route (the suite registers about 15 people). */
const AUTH_LIMIT = 30;

/** Why the suite cannot run here, or null. */
async function missingParts(): Promise<string | null> {
  if (e2eTarget() !== 'pglite') {
    return `it runs in the default e2e run (its processes always use PostgreSQL), not the ${e2eTarget()} run`;
  }
  const pgWhy = await probePostgres(postgresUrl);
  if (pgWhy) return `PostgreSQL unreachable at ${new URL(postgresUrl).host} (${pgWhy})`;
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (error) {
    return `Redis unreachable at ${redisUrl} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    probe.disconnect();
  }
}

const missing = await missingParts();
if (missing) {
  if (inCi && e2eTarget() === 'pglite') {
    throw new Error(`multi-process e2e: ${missing}; CI must provide PostgreSQL and Redis`);
  }
  console.log(`SKIPPED multi-process e2e: ${missing}`);
}
const describeIfReady = missing ? describe.skip : describe;

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

interface ApiProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output: string;
}

let database: E2eDatabase | null = null;
let uploadDir: string | null = null;
const processes: ApiProcess[] = [];

async function startApi(name: string, databaseUrl: string): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', './test/support/ts-loader.mjs', 'src/main.ts'],
    {
      cwd: apiRoot,
      env: {
        ...process.env,
        ...TEST_ENV,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        PRESENCE_GRACE_MS: String(GRACE_MS),
        WRITE_RATE_PER_SECOND: String(WRITE_RATE),
        WRITE_RATE_BURST: String(WRITE_BURST),
        SOCKETS_PER_USER_MAX: String(SOCKETS_MAX),
        AUTH_RATE_LIMIT: String(AUTH_LIMIT),
        AUTH_RATE_WINDOW_SECONDS: '600',
        UPLOAD_DIR: uploadDir ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const api: ApiProcess = { name, url: `http://127.0.0.1:${port}`, child, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (api.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (api.output += chunk.toString()));
  processes.push(api);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`API ${name} exited (${child.exitCode}):\n${api.output}`);
    try {
      if ((await fetch(`${api.url}/api/health`)).status === 200) return api;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`API ${name} did not start within 90 s:\n${api.output}`);
}

async function kill(api: ApiProcess, signal: NodeJS.Signals): Promise<void> {
  if (api.child.exitCode !== null || api.child.signalCode !== null) return;
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill(signal);
  await exited;
}

/** Deletes every key of this run (SCAN, never KEYS). */
async function cleanRedis(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const sockets: ClientSocket[] = [];

/** A socket to one process (websocket only, no automatic reconnection), resolved once connected. */
function connectTo(api: ApiProcess, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(api.url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** The next `event` on `socket` that satisfies `match`. */
function nextEvent<T>(
  socket: ClientSocket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as {
      on(e: string, f: (p: T) => void): void;
      off(e: string, f: (p: T) => void): void;
    };
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`no matching ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    function handler(payload: T): void {
      if (!match(payload)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(payload);
    }
    s.on(event, handler);
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Opens a direct conversation as `me` and accepts it as `other`. @returns the conversation id */
async function openDirect(api: ApiProcess, me: SignedIn, other: SignedIn): Promise<string> {
  const res = await http<ConversationSummary>(
    api.url,
    'POST',
    '/api/conversations/direct',
    { userId: other.id },
    { token: me.accessToken },
  );
  expect(res.status).toBe(201);
  // A first conversation between strangers is a message request: the other accepts, so the two are contacts
  // (presence and typing flow between contacts only; 409 NO_PENDING_REQUEST when they already were).
  const accepted = await http<ConversationSummary>(
    api.url,
    'POST',
    `/api/conversations/${res.body.id}/accept`,
    undefined,
    { token: other.accessToken },
  );
  expect([200, 409]).toContain(accepted.status);
  return res.body.id;
}

function sendOn(socket: ClientSocket, conversationId: string, body: string): Promise<Ack<Message>> {
  return socket.timeout(5000).emitWithAck('message:send', {
    conversationId,
    clientMessageId: randomUUID(),
    body,
  }) as Promise<Ack<Message>>;
}

describeIfReady('two API processes on one PostgreSQL database and one Redis', () => {
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    uploadDir = mkdtempSync(join(tmpdir(), 'chat-multi-uploads-'));
    database = await createE2eDatabase('postgres');
    // One after the other: the first migrates the fresh database (the second would wait on the migration lock).
    a = await startApi('A', database.url);
    b = await startApi('B', database.url);
  }, 200_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const api of processes) await kill(api, 'SIGTERM');
    await database?.drop();
    await cleanRedis();
    if (uploadDir) rmSync(uploadDir, { recursive: true, force: true });
  }, 60_000);

  it('reports Redis in /health on both processes', async () => {
    for (const api of [a, b]) {
      const res = await http<HealthResponse>(api.url, 'GET', '/api/health');
      expect(res.status).toBe(200);
      expect(res.body.redis).toMatchObject({ status: 'ok' });
      expect(res.body.database.driver).toBe('postgres');
    }
  });

  it('delivers messages live between people connected to different processes', async () => {
    const ana = await registerUser(a.url, 'mpA');
    const ben = await registerUser(b.url, 'mpB');
    const conversationId = await openDirect(a, ana, ben);
    const anaSocket = await connectTo(a, ana.accessToken);
    const benSocket = await connectTo(b, ben.accessToken);

    const atBen = nextEvent<Message>(benSocket, 'message:new', (m) => m.body === 'from A');
    const sent = await sendOn(anaSocket, conversationId, 'from A');
    expect(sent.ok).toBe(true);
    expect((await atBen).conversationId).toBe(conversationId);

    const atAna = nextEvent<Message>(anaSocket, 'message:new', (m) => m.body === 'from B');
    expect((await sendOn(benSocket, conversationId, 'from B')).ok).toBe(true);
    const got = await atAna;
    expect(got.senderId).toBe(ben.id);
    anaSocket.disconnect();
    benSocket.disconnect();
  });

  it('shares presence (snapshot and updates, with the grace period) and typing across processes', async () => {
    const ana = await registerUser(a.url, 'mpPa');
    const ben = await registerUser(b.url, 'mpPb');
    const conversationId = await openDirect(a, ana, ben);

    const benSocket = await connectTo(b, ben.accessToken);
    // Ana connects to A: the snapshot A sends her says Ben, connected to B only, is online.
    const anaSocket = io(a.url, {
      auth: { token: ana.accessToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    }) as ClientSocket;
    sockets.push(anaSocket);
    const snapshot = await nextEvent<PresenceState[]>(anaSocket, 'presence:snapshot');
    expect(snapshot).toEqual([{ userId: ben.id, online: true, lastSeenAt: null }]);

    // Typing on A reaches Ben on B.
    const typing = nextEvent<TypingEvent>(benSocket, 'typing:update', (t) => t.userId === ana.id);
    const ack = (await anaSocket
      .timeout(5000)
      .emitWithAck('typing:update', { conversationId, typing: true })) as Ack<null>;
    expect(ack.ok).toBe(true);
    expect(await typing).toMatchObject({ conversationId, typing: true });

    // A reload onto the other process within the grace period: no "offline" is told.
    const offlines: PresenceState[] = [];
    anaSocket.on('presence:update', (p) => {
      if (p.userId === ben.id && !p.online) offlines.push(p);
    });
    benSocket.disconnect();
    const benAgain = await connectTo(a, ben.accessToken);
    await sleep(GRACE_MS * 3);
    expect(offlines).toEqual([]);

    // Gone for good: after the grace period Ana hears Ben is offline, with his last-seen time.
    const offline = nextEvent<PresenceState>(
      anaSocket,
      'presence:update',
      (p) => p.userId === ben.id && !p.online,
    );
    benAgain.disconnect();
    const told = await offline;
    expect(told.lastSeenAt).not.toBeNull();
    anaSocket.disconnect();
  });

  it("counts one person's sockets across processes against SOCKETS_PER_USER_MAX", async () => {
    const cy = await registerUser(a.url, 'mpCap');
    const held = [
      await connectTo(a, cy.accessToken),
      await connectTo(b, cy.accessToken),
      await connectTo(a, cy.accessToken),
    ];
    expect(held).toHaveLength(SOCKETS_MAX);
    await expect(connectTo(b, cy.accessToken)).rejects.toMatchObject({
      message: 'TOO_MANY_CONNECTIONS',
    });
    held[1]!.disconnect();
    await sleep(300);
    const again = await connectTo(b, cy.accessToken);
    expect(again.connected).toBe(true);
    for (const s of [...held, again]) s.disconnect();
  });

  it("shares each person's write-rate allowance between processes", async () => {
    const dee = await registerUser(a.url, 'mpRate');
    const onA = await connectTo(a, dee.accessToken);
    const onB = await connectTo(b, dee.accessToken);
    // The limiter runs before validation: an empty typing payload spends one write and is answered
    // VALIDATION_FAILED when it passed, RATE_LIMITED when it did not.
    const spend = async (socket: ClientSocket, n: number) => {
      const codes: string[] = [];
      for (let i = 0; i < n; i += 1) {
        const ack = (await socket.timeout(5000).emitWithAck('typing:update', {})) as Ack<null>;
        codes.push(ack.ok ? 'ok' : ack.error.code);
      }
      return codes;
    };
    const first = await spend(onA, WRITE_BURST);
    expect(first.every((c) => c === 'VALIDATION_FAILED')).toBe(true);
    // The allowance is spent, in Redis: B refuses at once (each process alone would have the full burst).
    // (At most one per-second refill may land meanwhile: WRITE_RATE more.)
    const second = await spend(onB, WRITE_BURST);
    expect(second.filter((c) => c === 'VALIDATION_FAILED').length).toBeLessThanOrEqual(WRITE_RATE);
    expect(second.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(
      WRITE_BURST - WRITE_RATE,
    );
    onA.disconnect();
    onB.disconnect();
  });

  it('counts the auth rate limit per address across processes', async () => {
    const attempt = (api: ApiProcess) =>
      http(api.url, 'POST', '/api/auth/login', {
        username: 'nobody_here',
        password: 'not the password at all',
      });
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_LIMIT; i += 1)
      statuses.push((await attempt(i % 2 === 0 ? a : b)).status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    // The address's attempts are spent on both processes together: each alone would allow AUTH_LIMIT.
    expect((await attempt(a)).status).toBe(429);
    expect((await attempt(b)).status).toBe(429);
  });

  it('serialises concurrent changes of one group sent to both processes', async () => {
    const admin = await registerUser(a.url, 'mpAdm');
    const member = await registerUser(a.url, 'mpMem');
    const joiner = await registerUser(b.url, 'mpJoin');
    const created = await http<ConversationSummary>(
      a.url,
      'POST',
      '/api/conversations/group',
      { title: 'Start', memberIds: [member.id] },
      { token: admin.accessToken },
    );
    expect(created.status).toBe(201);
    const groupId = created.body.id;

    // The same person added through both processes at once: exactly one add wins.
    const adds = await Promise.all(
      [a, b, a, b].map((api) =>
        http(
          api.url,
          'POST',
          `/api/conversations/${groupId}/members`,
          { userIds: [joiner.id] },
          {
            token: admin.accessToken,
          },
        ),
      ),
    );
    expect(adds.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);

    // Renames through both processes at once: the title left is the one the timeline records last.
    const titles = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'];
    const renames = await Promise.all(
      titles.map((title, i) =>
        http(
          (i % 2 === 0 ? a : b).url,
          'PATCH',
          `/api/conversations/${groupId}`,
          { title },
          {
            token: admin.accessToken,
          },
        ),
      ),
    );
    expect(renames.every((r) => r.status === 200)).toBe(true);
    const history = await http<MessagePage>(
      b.url,
      'GET',
      `/api/conversations/${groupId}/messages?after=0&limit=100`,
      undefined,
      { token: admin.accessToken },
    );
    const system = history.body.items.filter((m) => m.kind === 'system');
    expect(system.filter((m) => m.system?.type === 'members_added')).toHaveLength(1);
    const renamed = system.filter((m) => m.system?.type === 'group_renamed');
    expect(renamed).toHaveLength(titles.length);
    const lastRecorded = renamed[renamed.length - 1]!.system as { title: string };
    const now = await http<ConversationSummary>(
      a.url,
      'GET',
      `/api/conversations/${groupId}`,
      undefined,
      { token: admin.accessToken },
    );
    expect(now.body.title).toBe(lastRecorded.title);
    // Each rename answered the title as of its own change: they ran one at a time.
    expect(new Set(renames.map((r) => (r.body as ConversationSummary).title)).size).toBe(
      titles.length,
    );
  });

  it("cuts a signed-out session's sockets on every process", async () => {
    const eve = await registerUser(a.url, 'mpOut');
    const onA = await connectTo(a, eve.accessToken);
    const onB = await connectTo(b, eve.accessToken);
    const cut = [onA, onB].map((s) =>
      Promise.all([
        nextEvent<{ code: string }>(s, 'session:expired'),
        new Promise<string>((resolve) => s.once('disconnect', resolve)),
      ]),
    );
    const out = await http(a.url, 'POST', '/api/auth/logout', undefined, {
      refreshToken: eve.refreshToken,
    });
    expect(out.status).toBe(204);
    for (const [expired, reason] of await Promise.all(cut)) {
      expect(expired.code).toBe('SESSION_REVOKED');
      expect(reason).toBe('io server disconnect');
    }
  });

  it('after SIGKILL of one process, its clients resync on the other with nothing lost or duplicated, and its presence expires', async () => {
    const ana = await registerUser(b.url, 'mpKa');
    const ben = await registerUser(b.url, 'mpKb');
    const lone = await registerUser(b.url, 'mpKl');
    const conversationId = await openDirect(b, ana, ben);
    await openDirect(b, lone, ben);

    /** A device that fails over to the next process when its own goes away, then resyncs by seq. */
    class Device {
      socket!: ClientSocket;
      readonly bySeq = new Map<number, Message>();
      readonly outbox = new Map<string, string>();
      readonly written: string[] = [];
      connects = 0;
      resyncing: Promise<void> = Promise.resolve();

      constructor(
        readonly me: SignedIn,
        private readonly targets: ApiProcess[],
      ) {
        this.open(0);
      }

      private open(index: number): void {
        const api = this.targets[index]!;
        const socket = io(api.url, {
          auth: { token: this.me.accessToken },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        }) as ClientSocket;
        sockets.push(socket);
        this.socket = socket;
        socket.on('message:new', (m) => this.merge([m]));
        socket.on('connect', () => {
          this.connects += 1;
          this.resyncing = this.resync(api);
        });
        socket.on('disconnect', (reason) => {
          if (reason === 'io client disconnect') return;
          setTimeout(() => this.open(Math.min(index + 1, this.targets.length - 1)), 100);
        });
      }

      merge(messages: Message[]): void {
        for (const m of messages) {
          if (m.conversationId === conversationId) this.bySeq.set(m.seq, m);
        }
      }

      /**
       * Fetches what follows the last seq held without a gap, as the web client does when a live message reveals
       * one: a message committed by the killed process just before it died was never fanned out, so the devices
       * learn of it only from the seqs after it.
       */
      async resync(api: ApiProcess): Promise<void> {
        for (;;) {
          let newest = 0;
          while (this.bySeq.has(newest + 1)) newest += 1;
          const res = await http<MessagePage>(
            api.url,
            'GET',
            `/api/conversations/${conversationId}/messages?after=${newest}&limit=100`,
            undefined,
            { token: this.me.accessToken },
          );
          if (res.status !== 200) throw new Error(`resync failed: ${res.status}`);
          this.merge(res.body.items);
          if (!res.body.hasMore) return;
        }
      }

      write(body: string, timeoutMs = 3000): Promise<boolean> {
        const clientMessageId = randomUUID();
        this.outbox.set(clientMessageId, body);
        this.written.push(clientMessageId);
        return this.attempt(clientMessageId, body, timeoutMs);
      }

      async flush(): Promise<void> {
        for (const [clientMessageId, body] of [...this.outbox]) {
          if (!(await this.attempt(clientMessageId, body, 5000)))
            throw new Error('resend not acked');
        }
      }

      private async attempt(clientMessageId: string, body: string, timeoutMs: number) {
        if (!this.socket.connected) return false;
        try {
          const ack = (await this.socket.timeout(timeoutMs).emitWithAck('message:send', {
            conversationId,
            clientMessageId,
            body,
          })) as Ack<Message>;
          if (!ack.ok) return false;
          this.outbox.delete(clientMessageId);
          this.merge([ack.data]);
          return true;
        } catch {
          return false;
        }
      }
    }

    // Ana on A (the one to die), Ben on B; Lone on A only, never reconnecting; Ben watches her presence.
    const devA = new Device(ana, [a, b]);
    const devB = new Device(ben, [b]);
    const benSnapshot = nextEvent<PresenceState[]>(devB.socket, 'presence:snapshot');
    await waitFor(() => devA.socket.connected && devB.socket.connected, 'both connected');
    await benSnapshot;
    await connectTo(a, lone.accessToken);
    await sleep(300);
    expect((await devA.write('a1')) && (await devB.write('b1')) && (await devA.write('a2'))).toBe(
      true,
    );
    await waitFor(() => devA.bySeq.size === 3 && devB.bySeq.size === 3, 'live delivery across');

    const loneOffline = nextEvent<PresenceState>(
      devB.socket,
      'presence:update',
      (p) => p.userId === lone.id && !p.online,
      30_000,
    );
    const inFlight = devA.write('a3', 1500);
    const killedAt = Date.now();
    await kill(a, 'SIGKILL');
    await inFlight;
    await waitFor(() => devA.connects >= 2, 'Ana reconnected to B');
    await devA.resyncing;
    await devA.flush();
    expect(await devA.write('a4')).toBe(true);
    expect(await devB.write('b2')).toBe(true);
    await Promise.all([devA.resync(b), devB.resync(b)]);

    const server = await http<MessagePage>(
      b.url,
      'GET',
      `/api/conversations/${conversationId}/messages?after=0&limit=100`,
      undefined,
      { token: ben.accessToken },
    );
    const history = server.body.items;
    const ids = (d: Device) => [...d.bySeq.values()].sort((x, y) => x.seq - y.seq).map((m) => m.id);
    expect(ids(devA)).toEqual(history.map((m) => m.id));
    expect(ids(devB)).toEqual(history.map((m) => m.id));
    expect(history.map((m) => m.clientMessageId).sort()).toEqual(
      [...devA.written, ...devB.written].sort(),
    );
    expect(history.map((m) => m.body).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2']);

    // Lone's only socket died with A: B sweeps A's sockets once its heartbeat is stale, then the grace period.
    const told = await loneOffline;
    expect(told.lastSeenAt).not.toBeNull();
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(25_000);
    console.log(`presence of the killed process's socket expired after ${tookMs} ms`);
    devA.socket.disconnect();
    devB.socket.disconnect();
  }, 90_000);
});
