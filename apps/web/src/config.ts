/**
 * Runtime configuration of the web app's server side. The only module that reads `process.env`.
 *
 * Read at request time (the root layout awaits `connection()` first), so one build serves any deployment:
 * `API_PUBLIC_URL` can change without rebuilding.
 */
export interface WebConfig {
  /**
   * The API's origin as the browser must reach it, e.g. `https://chat.example.com:3001`, without a trailing
   * slash. Null when unset: the browser then derives `${protocol}//${hostname}:3001` from its own location.
   */
  apiPublicUrl: string | null;
  /** NODE_ENV is `development` (`next dev`): the page policy then lets React's development tools evaluate code. */
  development: boolean;
}

/**
 * Reads and checks the web app's configuration.
 * @throws Error naming `API_PUBLIC_URL` when it is set but is not an absolute http(s) URL.
 */
export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  const development = env.NODE_ENV === 'development';
  const raw = env.API_PUBLIC_URL?.trim();
  if (!raw) return { apiPublicUrl: null, development };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`API_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`API_PUBLIC_URL must use http or https, got "${raw}"`);
  }
  return { apiPublicUrl: raw.replace(/\/+$/, ''), development };
}
