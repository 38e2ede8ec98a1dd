/**
 * Starts the real application (createApp: the production wiring) on an ephemeral port with a fresh database on
 * the run's target adapter (see e2e-database.ts: in-memory PGlite unless TEST_DATABASE_TARGET says otherwise).
 * One app per test file; tests isolate themselves with unique usernames.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/common/create-app.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createE2eDatabase } from './e2e-database.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Test defaults: bcrypt at its minimum cost (4) to keep registration fast; auth and write rate limits no suite
 * reaches by accident (rate-limit.e2e-spec.ts sets small ones).
 * DATABASE_URL is filled in per app by startTestApp; TEST_LOG_LEVEL shows the app's logs (default silent).
 */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  JWT_SECRET: 'e2e-test-secret-that-is-long-enough-0123456789',
  BCRYPT_COST: '4',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  AUTH_RATE_LIMIT: '100000',
  WRITE_RATE_PER_SECOND: '10000',
  WRITE_RATE_BURST: '10000',
  WEB_ORIGIN: 'http://localhost:3000',
};

/**
 * @param env overrides of TEST_ENV (strings, as the environment would give them). Without UPLOAD_DIR the app gets
 *   a fresh temporary upload folder, removed on close: the default (./.data/uploads) is the developer's real one.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createE2eDatabase();
  const ownUploadDir =
    env.UPLOAD_DIR === undefined ? await mkdtemp(join(tmpdir(), 'chat-e2e-uploads-')) : null;
  const config = loadConfig({
    ...TEST_ENV,
    DATABASE_URL: database.url,
    ...(ownUploadDir ? { UPLOAD_DIR: ownUploadDir } : {}),
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await database.drop();
      if (ownUploadDir) await rm(ownUploadDir, { recursive: true, force: true });
    },
  };
}
