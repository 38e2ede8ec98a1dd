import { ErrorCode } from '@chat/shared';
import { ApiError, OriginRefusedError, parseErrorBody } from './api-error';

/** Query string values; undefined and '' are left out. */
export type Query = Record<string, string | number | undefined>;

/** One call of `RequestCore.request`. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Send the Bearer token and retry once after refreshing on TOKEN_EXPIRED. Default true. */
  authenticated?: boolean;
  signal?: AbortSignal;
  /** `blob`: a successful answer is returned as a Blob (a download), not parsed as JSON. Default `json`. */
  responseType?: 'json' | 'blob';
}

/** Where the request core gets the access token, and how it renews it (an `AuthSession`). */
export interface AccessTokens {
  /** The current access token, or null when signed out. */
  token(): string | null;
  /** Settles when a refresh in flight has (so a call made meanwhile carries the new token). */
  settled(): Promise<void>;
  /** Gets a new access token; rejects with ApiError when the session is gone or the API unreachable. */
  refresh(): Promise<unknown>;
  /** The API says the session behind the token is over (signed out elsewhere, revoked): forget it. */
  clear(): void;
}

/**
 * The one place that talks HTTP to the API: JSON in and out, `credentials: 'include'` (the refresh cookie), no
 * caching, the Bearer token on authenticated calls. On `401 TOKEN_EXPIRED` it refreshes once and retries the call
 * once; on `401 SESSION_REVOKED` it ends the tab's session (the refresh token was revoked with it). Every failure is thrown as `ApiError`; a network failure becomes status 0 / SERVICE_UNAVAILABLE (OriginRefusedError when
 * the API is up but refuses this page's origin: unreachableError); an abort rethrows the AbortError.
 */
export class RequestCore {
  /** @param baseUrl the API origin, e.g. `http://localhost:3001` (no trailing slash, no `/api`). */
  constructor(
    readonly baseUrl: string,
    private readonly tokens: AccessTokens,
  ) {}

  /**
   * Calls `path` (starting with `/api/`) and resolves with the parsed JSON body (undefined for 204 or no body).
   * @throws ApiError (see the class comment) or the AbortError of `options.signal`
   */
  async request<T>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
    const authenticated = options.authenticated ?? true;
    if (authenticated && !this.tokens.token()) await this.tokens.settled();

    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const token = authenticated ? this.tokens.token() : null;
    if (token) headers.Authorization = `Bearer ${token}`;

    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers,
        credentials: 'include',
        cache: 'no-store',
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw await unreachableError(this.baseUrl);
    }

    if (response.status === 204) return undefined as T;
    if (response.ok && options.responseType === 'blob') return (await response.blob()) as T;
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
    }
    if (response.ok) return body as T;

    const error = parseErrorBody(response.status, body);
    if (authenticated && !retried && error.code === ErrorCode.TOKEN_EXPIRED) {
      await this.tokens.refresh();
      return this.request<T>(path, options, true);
    }
    // The token is genuine but its session was signed out or revoked: refreshing cannot help (the refresh token
    // went with it), so the tab signs out, as when the socket handshake is refused for the same reason.
    if (
      authenticated &&
      error.code === ErrorCode.SESSION_REVOKED &&
      token === this.tokens.token()
    ) {
      this.tokens.clear();
    }
    throw error;
  }
}

/** How long the reachability probe of unreachableError waits for the API, in ms. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The ApiError for a call that got no answer the page may read. The browser reports the same `TypeError` when the
 * API is down, when a connection broke, and when the API answered without allowing this page's origin (CORS), so
 * two requests of `/api/health` tell them apart: an ordinary (CORS) one succeeds when the API is up and allows the
 * origin (the failure was passing); if it fails, a `no-cors` one, which the API lets any origin load as an opaque
 * response (`Cross-Origin-Resource-Policy: cross-origin`), succeeds only when the API is up, so it refuses the origin.
 * @param baseUrl the API origin
 * @returns OriginRefusedError when the API is up and refuses this origin, else ApiError status 0 / SERVICE_UNAVAILABLE
 */
export async function unreachableError(baseUrl: string): Promise<ApiError> {
  const origin = typeof window === 'undefined' ? null : window.location.origin;
  if (origin !== null && origin !== new URL(baseUrl).origin) {
    const answers = (mode: RequestMode) =>
      fetch(`${baseUrl}/api/health`, {
        mode,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      }).then(
        () => true,
        () => false,
      );
    if (!(await answers('cors')) && (await answers('no-cors')))
      return new OriginRefusedError(origin);
  }
  return new ApiError(
    0,
    ErrorCode.SERVICE_UNAVAILABLE,
    'Cannot reach the server. Check your connection and try again.',
  );
}
