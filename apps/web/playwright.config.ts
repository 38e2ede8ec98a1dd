import { defineConfig, devices } from '@playwright/test';
import { ADMIN_USERNAME, API_URL, API_URL_FROM_PAGE, WEB_URL, API_PORT, WEB_PORT } from './e2e/env';

/**
 * Browser tests against the real built apps: the API from `../api/dist` on an in-memory PGlite database and
 * the production web build (the standalone server), in Debian's Chromium (Playwright downloads no browser here).
 * Build first: `pnpm turbo run build --filter=@chat/api --filter=@chat/web`.
 * Ports 3100 (web) and 3101 (api) leave a dev instance on 3000/3001 alone.
 */
const isCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: './e2e',
  // One worker: 2 cores, and each test already drives two browser contexts plus two servers.
  workers: 1,
  fullyParallel: false,
  forbidOnly: isCI,
  // On CI a failed test runs once more and is reported as flaky (Playwright's default advice for CI); a test that
  // fails twice fails the run. Locally every failure shows at once.
  retries: isCI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: isCI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: WEB_URL,
    // Recording a trace (DOM snapshots and screencast frames of every step) costs about a third of the browser
    // tests' CPU, so CI records one only when a failed test runs again (Playwright's advice for CI); locally every
    // test records and a failure keeps its trace.
    trace: isCI ? 'on-first-retry' : 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: [
    {
      command: 'node ../api/dist/main.js',
      url: `${API_URL}/api/health`,
      reuseExistingServer: !isCI,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        NODE_ENV: 'test',
        PORT: String(API_PORT),
        DATABASE_URL: 'pglite://memory',
        WEB_ORIGIN: WEB_URL,
        LOG_LEVEL: 'warn',
        // Every test signs people up and in from one address: lift the per-IP auth limit for the run.
        AUTH_RATE_LIMIT: '1000',
        // Specs seed long histories over REST in a burst; the per-person write limit has its own API e2e.
        WRITE_RATE_PER_SECOND: '10000',
        WRITE_RATE_BURST: '10000',
        // Cost 12 takes ~250 ms per hash on this machine; the rule (>= 12) is enforced in production only.
        BCRYPT_COST: '8',
        // The administrator of the run is named (admin.spec.ts signs in as it), so which spec registers first does
        // not matter; the other specs never use the admin page.
        INSTANCE_ADMINS: ADMIN_USERNAME,
      },
    },
    {
      // The standalone server, exactly what the Docker image runs (`pnpm build` copies its static assets).
      command: 'node .next/standalone/apps/web/server.js',
      url: `${WEB_URL}/login`,
      reuseExistingServer: !isCI,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(WEB_PORT),
        // Set explicitly: shells export HOSTNAME as the machine name, which the standalone server would bind.
        HOSTNAME: '0.0.0.0',
        // Unset, as in the quick start: the page derives the API's address from its own host (E2E_API_URL_FROM_PAGE).
        ...(API_URL_FROM_PAGE ? {} : { API_PUBLIC_URL: API_URL }),
      },
    },
  ],
});
