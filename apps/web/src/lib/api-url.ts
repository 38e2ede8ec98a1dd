/** The API's default port (team agreement: api 3001, web 3000). */
export const DEFAULT_API_PORT = 3001;

/**
 * The API origin the browser should call.
 * @param configured `API_PUBLIC_URL` handed down by the root layout, or null when unset.
 * @returns `configured` when set; otherwise `${protocol}//${hostname}:3001` of the current page, so opening
 *   the app as localhost or 127.0.0.1 (or a LAN address) reaches the API on the same host and the refresh
 *   cookie stays same-site. On the server (no `location`) it returns `http://localhost:3001`, which is never
 *   called there: all API traffic starts in browser effects.
 */
export function resolveApiUrl(configured: string | null): string {
  if (configured) return configured;
  if (typeof window === 'undefined') return `http://localhost:${DEFAULT_API_PORT}`;
  return `${window.location.protocol}//${window.location.hostname}:${DEFAULT_API_PORT}`;
}
