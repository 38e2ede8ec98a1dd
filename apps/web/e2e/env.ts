/**
 * Test ports and origins shared by the Playwright config and the specs.
 * `E2E_WEB_PORT` / `E2E_API_PORT` move them, so two checkouts on one machine can run their browser tests at once
 * (outside CI an already running server on the port is reused, which must then be this checkout's own).
 */
export const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 3100);
export const API_PORT = Number(process.env.E2E_API_PORT ?? 3101);
/** `localhost` for both, so the API's refresh cookie is same-site with the page (SameSite=Lax). */
export const WEB_URL = `http://localhost:${WEB_PORT}`;
export const API_URL = `http://localhost:${API_PORT}`;
