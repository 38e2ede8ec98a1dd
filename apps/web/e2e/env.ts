/** Test ports and origins shared by the Playwright config and the specs. */
export const WEB_PORT = 3100;
export const API_PORT = 3101;
/** `localhost` for both, so the API's refresh cookie is same-site with the page (SameSite=Lax). */
export const WEB_URL = `http://localhost:${WEB_PORT}`;
export const API_URL = `http://localhost:${API_PORT}`;
