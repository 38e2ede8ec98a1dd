/**
 * Starts the real application (createApp: the production wiring) on an ephemeral port with an in-memory PGlite
 * database. One app per test file; tests isolate themselves with unique usernames.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/common/create-app.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Test defaults: bcrypt at its minimum cost (4) to keep registration fast; a high auth rate limit.
 * TEST_DATABASE_URL runs the same suites on another database (e.g. an empty PostgreSQL database); TEST_LOG_LEVEL
 * shows the app's logs (default silent).
 */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'pglite://memory',
  JWT_SECRET: 'e2e-test-secret-that-is-long-enough-0123456789',
  BCRYPT_COST: '4',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  AUTH_RATE_LIMIT: '100000',
  WEB_ORIGIN: 'http://localhost:3000',
};

/** @param env overrides of TEST_ENV (strings, as the environment would give them) */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
