/**
 * Child processes of the load benchmark (the built API and the bare relay) and what /proc says about them.
 * Each runs in its own process so its CPU time and resident memory can be read apart from the generator's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** CPU time (user + system) and resident set of a process, from /proc (Linux only). */
export interface ProcessSample {
  /** CPU seconds used so far. */
  cpuSeconds: number;
  /** Resident set size in bytes. */
  rssBytes: number;
  /** When the sample was taken (performance.now(), ms). */
  at: number;
}

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/**
 * Reads utime + stime and VmRSS of `pid`.
 * @throws when /proc/<pid> does not exist (the process ended, or not Linux)
 */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { cpuSeconds: ticks / CLOCK_TICKS, rssBytes: rssKb * 1024, at: performance.now() };
}

/** Jiffies of the whole machine since boot (all cores), from the first line of /proc/stat. */
export interface MachineSample {
  busy: number;
  total: number;
}

/** Reads /proc/stat: busy = total - idle - iowait. @throws when /proc/stat is missing (not Linux) */
export function sampleMachine(): MachineSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of all cores the machine spent busy between two samples, in percent (100 = every core busy). */
export function machineBusyPercent(from: MachineSample, to: MachineSample): number {
  const total = to.total - from.total;
  return total > 0 ? ((to.busy - from.busy) / total) * 100 : NaN;
}

/** CPU clock ticks used so far by each process named `postgres` (the server and its backends), by pid. */
export type PostgresCpuSample = Map<number, number>;

/**
 * Reads the CPU time of every process named `postgres` (the server and its backends) that this user may read.
 * Where PostgreSQL runs on the same machine, postgresCpuSecondsBetween of two samples is what the database spent.
 */
export function postgresCpuSample(): PostgresCpuSample {
  const sample: PostgresCpuSample = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sample.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  return sample;
}

/**
 * CPU seconds the `postgres` processes spent between two samples, per process: a backend started in between counts
 * from zero, one that ended in between is left out (a pool closes only connections idle for a while, so what such
 * a backend spent in between is close to nothing). Summing whole lifetimes instead would subtract the history of
 * every backend that ended.
 */
export function postgresCpuSecondsBetween(from: PostgresCpuSample, to: PostgresCpuSample): number {
  let ticks = 0;
  for (const [pid, used] of to) ticks += used - (from.get(pid) ?? 0);
  return ticks / CLOCK_TICKS;
}

/** Average CPU between two samples as a percentage of one core. */
export function cpuPercent(from: ProcessSample, to: ProcessSample): number {
  const wallSeconds = (to.at - from.at) / 1000;
  return wallSeconds > 0 ? ((to.cpuSeconds - from.cpuSeconds) / wallSeconds) * 100 : NaN;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process the benchmark started, with its URL and a stop that waits for the exit. */
export interface Child {
  readonly pid: number;
  readonly baseUrl: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** The port of its inspector on 127.0.0.1 (profileWhile, heapAfterCollection). */
  readonly inspectPort?: number;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. @throws on timeout or when `child` exits first */
async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const API_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
/**
 * The V8 flags the API's start command passes (`pnpm start`, which the quick start runs, and the Docker image):
 * the young generation starts at 16 MB instead of 1 MB, so a process that meets load in its first seconds does not
 * spend them growing it (docs/performance.md, "A fresh process under load"). The relay gets the same, so both sides
 * of the comparison run with the same heap settings.
 */
const NODE_FLAGS = ['--min-semi-space-size=16'];
const RELAY_MAIN = fileURLToPath(new URL('./relay-server.mjs', import.meta.url));

export interface ApiOptions {
  databaseUrl: string;
  /** Extra variables (e.g. WRITE_RATE_PER_SECOND) on top of the benchmark's defaults. */
  env?: Record<string, string>;
}

/**
 * Starts the built API (`apps/api/dist/main.js`; run `pnpm turbo run build` first) on 127.0.0.1 and a free port
 * with cheap password hashing, generous auth limits (the benchmark registers everyone from one address) and
 * warnings-only logs, and waits for /api/health.
 * @throws when dist/main.js is missing, the process exits, or health does not answer within 60 s
 */
export async function startApi(options: ApiOptions): Promise<Child> {
  const port = await freePort();
  // The inspector (127.0.0.1 only) lets the benchmark collect garbage before reading memory and profile a phase.
  const inspectPort = await freePort();
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, `--inspect=127.0.0.1:${inspectPort}`, API_MAIN],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        BCRYPT_COST: '4',
        AUTH_RATE_LIMIT: '1000000',
        LOG_LEVEL: 'warn',
        WEB_ORIGIN: 'http://127.0.0.1:3000',
        JWT_SECRET: 'load-benchmark-secret-not-for-production-use',
        UPLOAD_DIR: `/tmp/relay-bench-uploads-${process.pid}`,
        ...options.env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitForHttp(`${baseUrl}/api/health`, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid ?? 0, baseUrl, stop, inspectPort };
}

/** A Chrome DevTools Protocol session on a child's inspector: `call` sends one command and resolves its result. */
interface InspectorSession {
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

/**
 * Opens a session on the inspector of `child` (started with an inspector) over its WebSocket
 * (https://chromedevtools.github.io/devtools-protocol/).
 * @throws when the child has no inspector or cannot be reached
 */
async function openInspector(child: Child): Promise<InspectorSession> {
  if (!child.inspectPort) throw new Error('the process was started without an inspector');
  const targets = (await (
    await fetch(`http://127.0.0.1:${child.inspectPort}/json/list`)
  ).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  return {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = (nextId += 1);
        const onMessage = (data: WebSocket.RawData) => {
          const reply = JSON.parse(data.toString()) as {
            id?: number;
            result?: Record<string, unknown>;
            error?: { message: string };
          };
          if (reply.id !== id) return;
          socket.off('message', onMessage);
          if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
          else resolve(reply.result ?? {});
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/**
 * Runs `task` while the V8 sampling profiler of `child` (started with an inspector) records, and writes the profile
 * to `file` (a .cpuprofile: Chrome DevTools, speedscope or `node --cpu-prof`'s readers open it). Unlike
 * `node --cpu-prof`, which covers the whole life of the process (start-up, registering everyone, connecting),
 * this covers one phase only: Profiler.enable, Profiler.setSamplingInterval, Profiler.start, then
 * Profiler.stop, whose result is the profile.
 * @throws when the child has no inspector or the protocol answers with an error
 */
export async function profileWhile<T>(
  child: Child,
  file: string,
  task: () => Promise<T>,
): Promise<T> {
  const session = await openInspector(child);
  try {
    await session.call('Profiler.enable');
    // Microseconds between samples: 1 ms, as `node --cpu-prof` samples by default.
    await session.call('Profiler.setSamplingInterval', { interval: 1000 });
    await session.call('Profiler.start');
    const result = await task();
    const { profile } = await session.call('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    return result;
  } finally {
    session.close();
  }
}

/**
 * A full garbage collection in `child` (HeapProfiler.collectGarbage), then its V8 heap in use (bytes, from
 * Runtime.getHeapUsage): taken before and after connecting everyone, it gives the memory a socket keeps, without
 * the garbage that happens to be uncollected at the moment RSS is read.
 * @throws when the child has no inspector
 */
export async function heapAfterCollection(child: Child): Promise<number> {
  const session = await openInspector(child);
  try {
    await session.call('HeapProfiler.collectGarbage');
    const { usedSize } = await session.call('Runtime.getHeapUsage');
    return Number(usedSize);
  } finally {
    session.close();
  }
}

/** Starts the bare relay (relay-server.mjs) on a free port and waits until it listens. */
export async function startRelay(): Promise<Child> {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, `--inspect=127.0.0.1:${inspectPort}`, RELAY_MAIN, String(port)],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const stop = stopper(child);
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the relay exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('relay listening')) resolve();
    });
  });
  return { pid: child.pid ?? 0, baseUrl: `http://127.0.0.1:${port}`, stop, inspectPort };
}
