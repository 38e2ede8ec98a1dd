#!/usr/bin/env node
/**
 * The README's two commands, runnable with nothing but Node.js 20.19+:
 *
 *   npm start   -> install, build, then run the API (http://localhost:3001) and the web app
 *                  (http://localhost:3000) on the embedded database (PGlite, data in apps/api/.data/).
 *   npm test    -> install, build, then lint, typecheck, unit + storage-contract + API e2e tests, a smoke run
 *                  of the load benchmark, and the browser tests in Chromium.
 *
 * pnpm is taken from PATH when it is there; otherwise the pinned version (the `packageManager` field) is
 * installed once into ./.tools with npm, so no global install or root access is needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');
const command = process.argv[2];

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' };

/** Runs a command to completion, inheriting stdio; exits this process with its code when it fails. */
function run(cmd, args, options = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function onPath(bin) {
  return spawnSync(bin, ['--version'], { env, stdio: 'ignore' }).status === 0;
}

function ensurePnpm() {
  if (onPath('pnpm')) return;
  const tools = join(root, '.tools');
  const bin = join(tools, 'node_modules', '.bin');
  if (!existsSync(join(bin, 'pnpm'))) {
    mkdirSync(tools, { recursive: true });
    run('npm', ['install', '--prefix', tools, '--no-audit', '--no-fund', `pnpm@${pnpmVersion}`]);
  }
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
}

/** A JWT secret made once per checkout, so local sessions survive restarts without a sample secret. */
function localSecret() {
  const file = join(root, 'apps', 'api', '.data', 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function install() {
  ensurePnpm();
  run('pnpm', ['install', '--frozen-lockfile']);
}

function start() {
  install();
  run('pnpm', ['turbo', 'run', 'build', '--filter=@chat/api', '--filter=@chat/web']);
  const children = [
    // `pnpm start`, like the web app: the API's start command and its flags live in apps/api/package.json.
    spawn('pnpm', ['start'], {
      cwd: join(root, 'apps', 'api'),
      stdio: 'inherit',
      env: { NODE_ENV: 'development', JWT_SECRET: localSecret(), ...env },
    }),
    spawn('pnpm', ['start'], { cwd: join(root, 'apps', 'web'), stdio: 'inherit', env }),
  ];
  console.log(
    '\nAPI on http://localhost:3001, web app on http://localhost:3000 (Ctrl+C stops both)\n',
  );
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 5000).unref();
  };
  for (const child of children) child.on('exit', (code) => stop(code ?? 0));
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

function chromiumPath() {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path) => path && existsSync(path));
}

function test() {
  install();
  run('pnpm', ['run', 'lint:root']);
  run('pnpm', ['turbo', 'run', 'build', 'lint', 'typecheck']);
  // The chat page's first-load JavaScript, gzipped, from the build just made; fails above its budget.
  run('pnpm', ['--filter', '@chat/web', 'run', 'bundle-size']);
  run('pnpm', ['turbo', 'run', 'test', '--concurrency=1']);
  // A few seconds of the load benchmark on in-memory PGlite: fails on lost messages, never on a time.
  run('pnpm', ['bench:load', '--smoke']);
  const chromium = chromiumPath();
  if (!chromium) {
    const why =
      'no Chromium at $CHROMIUM_PATH or /usr/bin/chromium (Debian: apt-get install chromium)';
    if (env.CI === 'true') {
      console.error(`browser tests cannot run: ${why}`);
      process.exit(1);
    }
    console.log(`\nSKIPPED browser tests: ${why}`);
    return;
  }
  env.CHROMIUM_PATH = chromium;
  run('pnpm', ['turbo', 'run', 'e2e', '--concurrency=1']);
}

if (command === 'start') start();
else if (command === 'test') test();
else {
  console.error('usage: node scripts/quickstart.mjs start|test');
  process.exit(2);
}
