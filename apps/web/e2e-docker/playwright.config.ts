import { defineConfig } from '@playwright/test';
import browserTests from '../playwright.config';

/**
 * The browser smoke against the Docker containers that scripts/docker-e2e.sh starts (it sets E2E_WEB_PORT and
 * E2E_API_PORT to the containers' host ports, which the shared config reads through e2e/env.ts). The browser
 * settings are the browser tests'; no server is started: the containers are the product under test, exactly as
 * built from the Dockerfiles, with NODE_ENV=production (real bcrypt cost and auth rate limits).
 */
export default defineConfig({
  ...browserTests,
  testDir: '.',
  webServer: undefined,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: '../test-results/e2e-docker',
});
