import { DEFAULT_API_PORT } from '../src/lib/api-url';

/**
 * Test ports and origins shared by the Playwright config and the specs.
 * - `E2E_WEB_PORT` / `E2E_API_PORT` move the ports, so two checkouts on one machine can run their browser tests at
 *   once (outside CI an already running server on the port is reused, which must then be this checkout's own).
 * - `E2E_HOST` is the host both are reached by: `localhost` by default; `127.0.0.1` runs the app as someone who
 *   reaches a server by its IP address does (browsers treat IP hosts differently from names in places: cookies,
 *   Cross-Origin-Resource-Policy). The refresh cookie stays same-site either way (one host, two ports).
 * - `E2E_API_URL_FROM_PAGE=1` runs the web server as the quick start and the image do: listening on 0.0.0.0 with no
 *   `API_PUBLIC_URL`, so the page and its Content-Security-Policy derive the API's address from the host the
 *   browser asked for, on the API's default port (so `E2E_API_PORT` must be 3001).
 */
export const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 3100);
export const API_PORT = Number(process.env.E2E_API_PORT ?? 3101);
export const HOST = process.env.E2E_HOST ?? 'localhost';
export const WEB_URL = `http://${HOST}:${WEB_PORT}`;
export const API_URL = `http://${HOST}:${API_PORT}`;
export const API_URL_FROM_PAGE = process.env.E2E_API_URL_FROM_PAGE === '1';

if (API_URL_FROM_PAGE && API_PORT !== DEFAULT_API_PORT) {
  throw new Error(
    `E2E_API_URL_FROM_PAGE=1 needs the API on its default port: set E2E_API_PORT=${DEFAULT_API_PORT}`,
  );
}

/** The instance administrator of the browser-test API (INSTANCE_ADMINS in playwright.config.ts). */
export const ADMIN_USERNAME = 'relay_e2e_admin';
