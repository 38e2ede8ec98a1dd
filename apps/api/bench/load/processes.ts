/**
 * Child processes of the load benchmark (the built API and the bare relay) and what /proc says about them.
 * Each runs in its own process so its CPU time and resident memory can be read apart from the generator's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
const RELAY_MAIN = fileURLToPath(new URL('./relay-server.mjs', import.meta.url));

export interface ApiOptions {
  databaseUrl: string;
  /** Extra variables (e.g. WRITE_RATE_PER_SECOND) on top of the benchmark's defaults. */
  env?: Record<string, string>;
  /** Node flags for the API process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeFlags?: readonly string[];
}

/**
 * Starts the built API (`apps/api/dist/main.js`; run `pnpm turbo run build` first) on 127.0.0.1 and a free port
 * with cheap password hashing, generous auth limits (the benchmark registers everyone from one address) and
 * warnings-only logs, and waits for /api/health.
 * @throws when dist/main.js is missing, the process exits, or health does not answer within 60 s
 */
export async function startApi(options: ApiOptions): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), API_MAIN], {
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
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitForHttp(`${baseUrl}/api/health`, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid ?? 0, baseUrl, stop };
}

/** Starts the bare relay (relay-server.mjs) on a free port and waits until it listens. */
export async function startRelay(): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [RELAY_MAIN, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = stopper(child);
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the relay exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('relay listening')) resolve();
    });
  });
  return { pid: child.pid ?? 0, baseUrl: `http://127.0.0.1:${port}`, stop };
}
