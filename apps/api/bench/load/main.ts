/**
 * Load benchmark of the chat API: prints figures, asserts nothing about time (docs/performance.md explains the
 * figures and records past runs).
 *
 * What it does, per database: starts the built API in a child process (`apps/api/dist/main.js`; build first), on a
 * fresh database, registers N people through REST (cheap bcrypt), makes groups of R (the invitees accept), connects one socket each
 * (the API's RSS and V8 heap before and after, each after a full garbage collection, give the memory of an idle
 * authenticated socket), then for each rate of the
 * ladder sends `message:send` at that total rate for the duration and prints p50/p95/p99 send -> receive and
 * send -> ack, the achieved rate, deliveries per second, messages missing at the end and the API's CPU. The same
 * generator first drives a bare Socket.IO relay (join a room, re-emit: relay-server.mjs) with as many clients, and
 * each API row shows the ratio of its p99 to the relay's at that rate. On PostgreSQL a row also shows a bare durable
 * commit's latency on the same server during the phase (commitProbe: the disk's flush, the database's baseline), and
 * every row the generator's own event-loop delay (a stalled generator reports its stall as latency). Last, a flood:
 * one person sends at the flood rate while the others send at a normal rate; their p95 is printed beside their p95
 * without the flood.
 *
 * Traffic goes to 127.0.0.1 only; every phase is bounded in time; the run stops by itself.
 *
 * Run from the repository root: `pnpm bench:load [options]` (or `pnpm --filter @chat/api bench:load`):
 *   --db pglite,pglite-disk,postgres,postgres-2p,mongodb
 *                                              databases (default pglite-disk,postgres,mongodb; pglite-disk is PGlite
 *                                              in a folder, as the quick start runs it; pglite is in memory, as the
 *                                              tests run it, where a growing table's file is copied each time it
 *                                              grows (Emscripten's in-memory file system), so its tail grows with the
 *                                              database; postgres needs the server
 *                                              at TEST_POSTGRES_URL or 127.0.0.1:5432, mongodb needs MONGODB_URI,
 *                                              otherwise they are reported as skipped). postgres-2p: TWO API
 *                                              processes on one PostgreSQL database sharing Redis (TEST_REDIS_URL,
 *                                              default redis://127.0.0.1:6379/0, keys under a prefix of the run,
 *                                              deleted after); person i connects to process i mod 2, so every
 *                                              message fans out across them; CPU and RSS are the two summed
 *   --clients 1000 --group 10                  people and group size
 *   --rates 150,300,500,1000,1500,2000         total messages per second, one phase each
 *   --duration 10                              seconds per phase
 *   --warmup 5                                 seconds at the ladder's first rate before it, not counted (0 skips):
 *                                              a server that has been up a while has its code optimised by V8, its
 *                                              pools connected and its statements prepared; the first seconds of a
 *                                              fresh process have not (p50 around 100 ms in the first second)
 *   --timeline                                 also print p50/p99 send -> receive for each second of each phase
 *   --stop-p99 1000                            stop a ladder once p99 send -> receive passes this many ms
 *   --flood-rate 120 --normal-rate 100         the flood phase (0 skips it)
 *   --no-relay                                 skip the bare relay
 *   --cpu-prof <dir>                           profile the API during each rate of the ladder (through its inspector,
 *                                              so start-up and setup are left out): <dir>/<db>-<rate>.cpuprofile
 *   --env KEY=VALUE                            extra API environment (repeatable), e.g.
 *                                              --env WRITE_RATE_PER_SECOND=1000: the per-person write limit
 *                                              applies (10/s by default), so rate / clients must stay below it
 *   --smoke                                    a few seconds, 50 people on in-memory PGlite (CI); exits 1 if a
 *                                              message is lost or a send fails unexpectedly
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { probePostgres, testEnvironment } from '../../src/storage/contract/probe-postgres.mjs';
import {
  autovacuumPass,
  scheduleAutovacuumPasses,
} from '../../src/storage/sql/pglite-maintenance.js';
import { createE2eDatabase } from '../../test/support/e2e-database.js';
import {
  connectApiClients,
  connectRelayClients,
  type LoadClient,
  latencyBySecond,
  LoadGenerator,
  percentile,
  type PhaseResult,
  populateApi,
  type SendFigures,
} from './generator.js';
import {
  type Child,
  cpuPercent,
  machineBusyPercent,
  postgresCpuSample,
  postgresCpuSecondsBetween,
  heapAfterCollection,
  profileWhile,
  sampleMachine,
  sampleProcess,
  startApi,
  startRelay,
} from './processes.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite-disk,postgres,mongodb' },
    clients: { type: 'string', default: '1000' },
    group: { type: 'string', default: '10' },
    rates: { type: 'string', default: '150,300,500,1000,1500,2000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    timeline: { type: 'boolean', default: false },
    'stop-p99': { type: 'string', default: '1000' },
    'flood-rate': { type: 'string', default: '120' },
    'normal-rate': { type: 'string', default: '100' },
    'no-relay': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    smoke: { type: 'boolean', default: false },
  },
});

const smoke = values.smoke;
const settings = {
  databases: (smoke ? 'pglite' : values.db).split(',').map((d) => d.trim()),
  clients: smoke ? 50 : positive(values.clients, 'clients'),
  group: smoke ? 10 : positive(values.group, 'group'),
  rates: (smoke ? '50' : values.rates).split(',').map((r) => positive(r, 'rates')),
  durationMs: (smoke ? 3 : positive(values.duration, 'duration')) * 1000,
  warmupMs: (smoke ? 1 : nonNegative(values.warmup, 'warmup')) * 1000,
  timeline: values.timeline,
  stopP99: positive(values['stop-p99'], 'stop-p99'),
  floodRate: smoke ? 100 : Number(values['flood-rate']),
  normalRate: smoke ? 30 : positive(values['normal-rate'], 'normal-rate'),
  relay: !values['no-relay'],
  apiEnv: Object.fromEntries(
    values.env.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--env wants KEY=VALUE, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
  profileDir: values['cpu-prof'] ?? null,
};
if (settings.profileDir) mkdirSync(settings.profileDir, { recursive: true });

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

function nonNegative(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be 0 or more`);
  return n;
}

/** Problems a smoke run fails on (lost messages, unexpected error acks). */
const problems: string[] = [];

const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : n.toFixed(0)) : '-');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function latency(samples: readonly number[]): string {
  return `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 95))} / ${ms(percentile(samples, 99))}`;
}

/** With --timeline, the phase's p50/p99 send -> receive for each second, as one indented line. */
function timeline(result: PhaseResult): string {
  if (!settings.timeline) return '';
  const seconds = latencyBySecond(result.normal).map(
    ({ p50, p99 }, i) => `${i}s ${ms(p50)}/${ms(p99)}`,
  );
  return `\n  by second sent, p50/p99 ms: ${seconds.join(', ')}`;
}

function errors(figures: SendFigures): string {
  const entries = Object.entries(figures.errors);
  return entries.length === 0 ? '0' : entries.map(([code, n]) => `${code} ${n}`).join(', ');
}

const HEADER =
  'rate in | achieved | p50/p95/p99 send->receive ms | p50/p95/p99 ack ms | deliveries/s | missing | error acks | CPU | CPU ms/msg | machine busy';

/** CPU figures of one phase besides the server's own. */
interface PhaseCpu {
  /** The server process(es), percent of one core. */
  server: number;
  /** The whole machine (generator, server, database), percent of all cores. */
  machineBusy: number;
  /** PostgreSQL's processes, CPU ms per stored message (null: not PostgreSQL). */
  databaseMsPerMessage: number | null;
}

function row(rate: number, result: PhaseResult, cpuFigures: PhaseCpu, relayP99?: number): string {
  const cpu = cpuFigures.server;
  const n = result.normal;
  const p99 = percentile(n.deliveryMs, 99);
  const ratio =
    relayP99 === undefined
      ? ''
      : ` | relay p99 ${ms(relayP99)} ms, x${(p99 / relayP99).toFixed(1)}`;
  return (
    [
      `${rate} msg/s`,
      `${(n.acked / result.durationSeconds).toFixed(0)} msg/s`,
      latency(n.deliveryMs),
      latency(n.ackMs),
      `${(n.deliveries / result.durationSeconds).toFixed(0)}`,
      `${n.missingMessages} msgs (${n.missingDeliveries} deliveries)`,
      errors(n),
      `${cpu.toFixed(0)}%`,
      // CPU time per stored message: unlike latency, it barely moves when other work shares the machine.
      (((cpu / 100) * result.durationSeconds * 1000) / Math.max(1, n.acked)).toFixed(2),
      `${cpuFigures.machineBusy.toFixed(0)}%`,
    ].join(' | ') +
    ratio +
    (cpuFigures.databaseMsPerMessage === null
      ? ''
      : ` | PostgreSQL ${cpuFigures.databaseMsPerMessage.toFixed(2)} CPU ms/msg`)
  );
}

/**
 * Connects the clients, measuring what an idle socket keeps on the server: RSS and V8 heap in use, each read after
 * a full garbage collection (through the inspector) before and after connecting, per socket.
 */
async function connectMeasured(
  servers: Child | readonly Child[],
  connect: () => Promise<LoadClient[]>,
): Promise<{ clients: LoadClient[]; perSocket: number; heapPerSocket: number }> {
  const all = toList(servers);
  const measure = async () => {
    let heap = 0;
    for (const server of all) heap += await heapAfterCollection(server);
    return { heap, rss: all.reduce((sum, s) => sum + sampleProcess(s.pid).rssBytes, 0) };
  };
  const before = await measure();
  const clients = await connect();
  await new Promise((r) => setTimeout(r, 2000));
  const after = await measure();
  return {
    clients,
    perSocket: (after.rss - before.rss) / clients.length,
    heapPerSocket: (after.heap - before.heap) / clients.length,
  };
}

function toList(servers: Child | readonly Child[]): readonly Child[] {
  return 'pid' in servers ? [servers as Child] : (servers as readonly Child[]);
}

/**
 * PostgreSQL's side of a phase: the database's counters (databaseCounters) to report transactions per message and
 * connections opened, and the bare commit probe (commitProbe) to print beside the API's latency. Null on the other
 * databases.
 */
interface PostgresSide {
  counts: () => Promise<DatabaseCounts>;
  probe: CommitProbe;
}

/** Runs the rate ladder; returns p99 send -> receive per rate. */
async function ladder(
  servers: Child | readonly Child[],
  generator: LoadGenerator,
  clients: readonly LoadClient[],
  relayP99: Map<number, number> | null,
  postgres: PostgresSide | null = null,
  profileAs: string | null = null,
): Promise<Map<number, number>> {
  const p99s = new Map<number, number>();
  console.log(HEADER);
  for (const rate of settings.rates) {
    const countsBefore = await postgres?.counts();
    const all = toList(servers);
    const from = all.map((s) => sampleProcess(s.pid));
    const machineFrom = sampleMachine();
    const databaseFrom = postgres ? postgresCpuSample() : null;
    const run = () => generator.run({ senders: clients, rate, durationMs: settings.durationMs });
    const commitMs: number[] = [];
    // The instrument's own health: a generator whose event loop stalled reports that stall as everyone's latency.
    const generatorDelay = monitorEventLoopDelay({ resolution: 10 });
    generatorDelay.enable();
    const phase = postgres ? () => postgres.probe.during(run, commitMs) : run;
    const profiled = profileAs && settings.profileDir ? toList(servers)[0] : undefined;
    const result = profiled
      ? await profileWhile(
          profiled,
          join(settings.profileDir!, `${profileAs}-${rate}.cpuprofile`),
          phase,
        )
      : await phase();
    generatorDelay.disable();
    // Summed over the API processes (two at 60% each print 120%).
    const cpu = all.reduce((sum, s, i) => sum + cpuPercent(from[i]!, sampleProcess(s.pid)), 0);
    const machineBusy = machineBusyPercent(machineFrom, sampleMachine());
    const databaseMsPerMessage =
      databaseFrom === null
        ? null
        : (postgresCpuSecondsBetween(databaseFrom, postgresCpuSample()) * 1000) /
          Math.max(1, result.normal.acked);
    const countsAfter = await postgres?.counts();
    const perMessage =
      countsBefore === undefined || countsAfter === undefined
        ? ''
        : ` | ${((countsAfter.commits - countsBefore.commits) / Math.max(1, result.normal.acked)).toFixed(2)} transactions/msg` +
          ` | rolled back ${countsAfter.rollbacks - countsBefore.rollbacks}` +
          ` | connections opened ${countsAfter.sessions - countsBefore.sessions}` +
          ` | bare commit p99/max ${ms(percentile(commitMs, 99))} / ${ms(Math.max(...commitMs))} ms`;
    console.log(
      row(rate, result, { server: cpu, machineBusy, databaseMsPerMessage }, relayP99?.get(rate)) +
        perMessage +
        ` | generator loop delay max ${ms(generatorDelay.max / 1e6)} ms` +
        timeline(result),
    );
    const p99 = percentile(result.normal.deliveryMs, 99);
    p99s.set(rate, p99);
    if (result.normal.missingMessages > 0)
      problems.push(`${result.normal.missingMessages} messages missing at ${rate} msg/s`);
    const unexpected = Object.keys(result.normal.errors);
    if (unexpected.length > 0)
      problems.push(`error acks at ${rate} msg/s: ${errors(result.normal)}`);
    if (!(p99 <= settings.stopP99)) {
      console.log(`(stopping this ladder: p99 above ${settings.stopP99} ms)`);
      break;
    }
  }
  return p99s;
}

/**
 * The ladder's first rate for settings.warmupMs, printed as a warm-up and not as a figure. Why: the first second of
 * a fresh API process runs at p50 around 100 ms (V8 has not optimised the send path yet, the pool's connections
 * prepare their statements), which is a start-up cost and not the steady state the ladder measures; the relay gets
 * the same warm-up. A message lost here is still a problem.
 */
async function warmUp(generator: LoadGenerator, clients: readonly LoadClient[]): Promise<void> {
  if (!(settings.warmupMs > 0)) return;
  const rate = settings.rates[0]!;
  const result = await generator.run({ senders: clients, rate, durationMs: settings.warmupMs });
  const n = result.normal;
  console.log(
    `warm-up, not counted: ${settings.warmupMs / 1000} s at ${rate} msg/s, p50/p95/p99 send->receive ` +
      `${latency(n.deliveryMs)} ms${timeline(result)}`,
  );
  if (n.missingMessages > 0 || Object.keys(n.errors).length > 0)
    problems.push(`warm-up: ${n.missingMessages} missing, errors ${errors(n)}`);
}

/** One person floods while the others send at the normal rate; prints the others' p95 against a baseline. */
async function flood(generator: LoadGenerator, clients: readonly LoadClient[]): Promise<void> {
  if (!(settings.floodRate > 0) || clients.length < 2) return;
  const [flooder, ...others] = clients;
  const durationMs = settings.durationMs;
  const baseline = await generator.run({ senders: others, rate: settings.normalRate, durationMs });
  const flooded = await generator.run({
    senders: others,
    rate: settings.normalRate,
    durationMs,
    flood: { client: flooder!, rate: settings.floodRate },
  });
  const before = percentile(baseline.normal.deliveryMs, 95);
  const during = percentile(flooded.normal.deliveryMs, 95);
  const f = flooded.flood!;
  console.log(
    `flood: others at ${settings.normalRate} msg/s, p95 send->receive ${ms(before)} ms without the flood, ` +
      `${ms(during)} ms with one person sending ${settings.floodRate} msg/s (x${(during / before).toFixed(1)}); ` +
      `the flooder: ${f.acked} stored, error acks ${errors(f)}`,
  );
  for (const [name, result] of [
    ['flood baseline', baseline],
    ['flood', flooded],
  ] as const) {
    if (result.normal.missingMessages > 0 || Object.keys(result.normal.errors).length > 0)
      problems.push(
        `${name}: ${result.normal.missingMessages} missing, errors ${errors(result.normal)}`,
      );
  }
  if (f.missingMessages > 0)
    problems.push(`flood: ${f.missingMessages} of the flooder's stored messages missing`);
}

async function benchRelay(): Promise<Map<number, number> | null> {
  if (!settings.relay) return null;
  console.log(
    `\n== bare Socket.IO relay (join a room, re-emit), ${settings.clients} clients in rooms of ${settings.group}`,
  );
  const relay = await startRelay();
  try {
    const { clients, perSocket, heapPerSocket } = await connectMeasured(relay, () =>
      connectRelayClients(relay.baseUrl, settings.clients, settings.group),
    );
    console.log(`relay per idle socket: RSS ${kb(perSocket)}, V8 heap ${kb(heapPerSocket)}`);
    const generator = new LoadGenerator(clients);
    try {
      await warmUp(generator, clients);
      return await ladder(relay, generator, clients, null);
    } finally {
      generator.close();
    }
  } finally {
    await relay.stop();
  }
}

/** DATABASE_URL for a target, and how to remove it afterwards; null with a reason when it cannot run here. */
async function databaseFor(
  target: string,
): Promise<{ url: string; drop: () => Promise<void> } | { skipped: string }> {
  if (target === 'pglite') return { url: 'pglite://memory', drop: async () => {} };
  if (target === 'pglite-disk') {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'relay-bench-pglite-'));
    return { url: `pglite://${dir}`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  if (target === 'postgres' || target === 'postgres-2p') {
    const why = await probePostgres(testEnvironment().postgresUrl);
    if (why) return { skipped: `no PostgreSQL server (${why})` };
    return createE2eDatabase('postgres');
  }
  if (target === 'mongodb') {
    if (!process.env.MONGODB_URI) return { skipped: 'MONGODB_URI is not set' };
    return createE2eDatabase('mongodb');
  }
  return {
    skipped: `unknown database ${target} (pglite, pglite-disk, postgres, postgres-2p, mongodb)`,
  };
}

/** A bare commit every COMMIT_PROBE_INTERVAL_MS while a phase runs (commitProbe). */
interface CommitProbe {
  /** Runs `work`, probing meanwhile; each probe's latency in ms is pushed to `commitMs`. */
  during<T>(work: () => Promise<T>, commitMs: number[]): Promise<T>;
  close(): Promise<void>;
}

/** How often the commit probe commits: 20 a second, next to the API's hundreds. */
const COMMIT_PROBE_INTERVAL_MS = 50;

/**
 * The database's baseline, as the bare relay is the sockets': while a phase runs, a bare durable commit every
 * COMMIT_PROBE_INTERVAL_MS on a connection of its own, timed from here. `SELECT txid_current()` takes a transaction
 * id, so its commit writes a commit record and waits for the WAL flush (with the server's default
 * synchronous_commit): its latency is what any commit on that server costs at that moment, the disk's flush
 * (fdatasync) and the server's scheduling, without the API's work. A send is acknowledged only once its batch has
 * committed, so a phase in which the disk took hundreds of ms to flush once shows that tail in the API's p99 too,
 * whatever the API does (docs/performance.md, "Where the rest of the tail comes from").
 * @param url the server's own database (TEST_POSTGRES_URL), not the benchmark's: the WAL, and so the flush, is the
 *   whole server's, and the benchmark database's transaction count stays the API's own
 */
async function commitProbe(url: string): Promise<CommitProbe> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    during: async (work, commitMs) => {
      let running = true;
      const probing = (async () => {
        while (running) {
          const start = performance.now();
          await client.query('SELECT txid_current()');
          const took = performance.now() - start;
          commitMs.push(took);
          await new Promise((r) => setTimeout(r, Math.max(0, COMMIT_PROBE_INTERVAL_MS - took)));
        }
      })();
      try {
        return await work();
      } finally {
        running = false;
        await probing;
      }
    },
    close: () => client.end(),
  };
}

/** Counters of the benchmark's database at one moment (DatabaseCounters). */
interface DatabaseCounts {
  /** Committed transactions (pg_stat_database.xact_commit). */
  commits: number;
  /**
   * Transactions rolled back (pg_stat_database.xact_rollback). In the benchmark's traffic every one is a failed
   * statement: an append batch that failed as a whole, which the API then splits and runs again in halves.
   */
  rollbacks: number;
  /**
   * Sessions established so far, the API's pool connections included (pg_stat_database.sessions, PostgreSQL 14 and
   * later; the benchmark's PostgreSQL targets are measured on 15).
   */
  sessions: number;
}

/**
 * PostgreSQL's counters of the benchmark's database, read with a fresh statistics snapshot: the committed
 * transactions, to say how many a send costs (each read adds one of its own), the rolled back ones, to say whether
 * batches failed and were split (a split runs the batch's appends again), and the sessions established, to say
 * whether the API's pool opened connections during a phase (a new backend's first statements are slow: its caches
 * are cold and each prepared statement and PL/pgSQL function is planned on first use).
 */
async function databaseCounters(url: string): Promise<{
  read: () => Promise<DatabaseCounts>;
  close: () => Promise<void>;
}> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    read: async () => {
      // Backends flush their statistics about once a second: let the phase's land first.
      await new Promise((r) => setTimeout(r, 1500));
      await client.query('SELECT pg_stat_clear_snapshot()');
      const result = await client.query<{ commits: string; rollbacks: string; sessions: string }>(
        'SELECT xact_commit AS commits, xact_rollback AS rollbacks, sessions FROM pg_stat_database ' +
          'WHERE datname = current_database()',
      );
      const row = result.rows[0];
      return {
        commits: Number(row?.commits ?? NaN),
        rollbacks: Number(row?.rollbacks ?? NaN),
        sessions: Number(row?.sessions ?? NaN),
      };
    },
    close: () => client.end(),
  };
}

/**
 * Autovacuum's passes (autovacuumPass: ANALYZE, VACUUM by autovacuum's default thresholds) on the benchmark's
 * PostgreSQL database, now and every AUTOVACUUM_NAPTIME_MS (autovacuum's default naptime, 1 min) on a connection of
 * its own, until `stop`.
 *
 * Why: the phases should measure the plans of a server that keeps its planner statistics. Some machines run their
 * PostgreSQL with `autovacuum = off`; there the statistics of the freshly populated database (one message per
 * conversation) stayed for the whole run, and the plan PostgreSQL caches for the append's resend lookup then
 * walked every message of the conversation through `messages_conversation_seq_uq` instead of one entry of
 * `messages_client_id_uq` (an append cost more the longer the run). The first pass runs after the warm-up, when
 * conversations hold several messages each, so the plans are a running server's from the first phase on; after
 * it, autovacuum's own naptime (a pass every 10 s, tried before, analysed `messages` six times as often as a
 * server would, and its passes lined up with some of the phases' slowest seconds).
 */
async function autovacuumStandIn(url: string): Promise<{ stop: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const maintenance = {
    query: <T>(sql: string) => client.query(sql) as unknown as Promise<{ rows: T[] }>,
    exec: (sql: string) => client.query(sql),
  };
  await autovacuumPass(maintenance);
  const schedule = scheduleAutovacuumPasses(maintenance);
  return {
    stop: async () => {
      await schedule.stop();
      await client.end();
    },
  };
}

/** Redis for the several-process target: its URL, this run's key prefix, and a cleanup; or why it cannot run. */
async function redisFor(): Promise<
  { url: string; prefix: string; clean: () => Promise<void> } | { skipped: string }
> {
  const url = testEnvironment().redisUrl;
  const prefix = `relay-bench-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    return {
      skipped: `no Redis at ${url} (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  return {
    url,
    prefix,
    clean: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

async function benchApi(target: string, relayP99: Map<number, number> | null): Promise<void> {
  const database = await databaseFor(target);
  if ('skipped' in database) {
    console.log(`\n== API on ${target}: skipped, ${database.skipped}`);
    return;
  }
  const several = target === 'postgres-2p';
  const redis = several ? await redisFor() : null;
  if (redis && 'skipped' in redis) {
    console.log(`\n== API on ${target}: skipped, ${redis.skipped}`);
    await database.drop();
    return;
  }
  console.log(
    several
      ? `\n== TWO API processes on postgres + Redis, ${settings.clients} people in groups of ${settings.group} (alternating processes)`
      : `\n== API on ${target}, ${settings.clients} people in groups of ${settings.group}`,
  );
  const apis: Child[] = [];
  try {
    const env = redis
      ? { ...settings.apiEnv, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }
      : settings.apiEnv;
    // One after the other: the first migrates the fresh database.
    for (let i = 0; i < (several ? 2 : 1); i += 1) {
      apis.push(await startApi({ databaseUrl: database.url, env }));
    }
    const api = apis[0]!;
    const setupStart = performance.now();
    const population = await populateApi(api.baseUrl, settings.clients, settings.group);
    console.log(
      `registered ${settings.clients} people and made their groups in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`,
    );
    const { clients, perSocket, heapPerSocket } = await connectMeasured(apis, () =>
      connectApiClients(
        apis.map((a) => a.baseUrl),
        population,
      ),
    );
    console.log(
      `API per idle authenticated socket: RSS ${kb(perSocket)}, V8 heap ${kb(heapPerSocket)}`,
    );
    const generator = new LoadGenerator(clients);
    const postgres = target.startsWith('postgres');
    const counter = postgres ? await databaseCounters(database.url) : null;
    const probe = postgres ? await commitProbe(testEnvironment().postgresUrl) : null;
    let autovacuum: { stop: () => Promise<void> } | null = null;
    try {
      await warmUp(generator, clients);
      // After the warm-up, so the statistics know conversations of several messages (see autovacuumStandIn).
      autovacuum = postgres ? await autovacuumStandIn(database.url) : null;
      const side = counter && probe ? { counts: counter.read, probe } : null;
      await ladder(apis, generator, clients, relayP99, side, target);
      await flood(generator, clients);
    } finally {
      generator.close();
      await autovacuum?.stop();
      await counter?.close();
      await probe?.close();
    }
  } finally {
    for (const a of apis) await a.stop();
    await database.drop();
    if (redis && !('skipped' in redis)) await redis.clean();
  }
}

async function main(): Promise<void> {
  console.log(
    `load benchmark: node ${process.version}, ${settings.clients} clients, groups of ${settings.group}, ` +
      `${settings.durationMs / 1000} s per rate${smoke ? ' (smoke)' : ''}. Figures, not assertions: the machine ` +
      'may be shared, so compare with the bare relay of the same run.',
  );
  const relayP99 = await benchRelay();
  for (const target of settings.databases) await benchApi(target, relayP99);
  if (problems.length > 0) {
    console.log(`\nproblems:\n- ${problems.join('\n- ')}`);
    if (smoke) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
