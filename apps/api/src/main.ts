/**
 * Entry point: `node --min-semi-space-size=16 dist/main.js` (`pnpm start`; the flag makes V8's young generation start
 * at 16 MB rather than 1 MB, which a process meeting load in its first seconds pays for: docs/performance.md, "A
 * fresh process under load"; the process runs without it too). Validates the environment (a bad or missing
 * variable stops the process with a message naming it), starts the API (REST + Socket.IO) on HOST:PORT and shuts
 * down gracefully on SIGTERM/SIGINT: Nest stops accepting connections, closes the Socket.IO server (disconnecting
 * every socket) and the HTTP server, then the storage module closes the database.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './common/create-app.js';

/** Longest a graceful shutdown may take before the process exits anyway, in milliseconds. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const app = await createApp(config);
  // process.exit (not re-raising the signal) lets pino flush its last lines; exit code 0 after a clean shutdown.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // A connection that never closes must not keep the process alive forever.
      setTimeout(() => {
        console.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS).unref();
    });
  }
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(
    `API listening on http://${config.host}:${config.port} (${config.nodeEnv})`,
  );
}

bootstrap().catch((error: unknown) => {
  console.error('failed to start:', error);
  process.exit(1);
});
