import { ErrorCode, type OriginCheckResponse } from '@chat/shared';
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
 * the API says it refuses this page's origin: unreachableError); an abort rethrows the AbortError.
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

/** How long unreachableError waits for the API's answer about this page's origin, in ms. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The ApiError for a call that got no answer the page may read. The browser reports the same `TypeError` when the
 * API is down, when a connection broke, and when the API answered without allowing this page's origin (CORS), so
 * the API is asked which: `GET /api/health/origin`, which every origin may read. `allowed: false` means it is up
 * and refuses this origin (its WEB_ORIGIN); anything else (no answer, a proxy's error page without CORS headers,
 * `allowed: true` after a passing failure) means it cannot be reached now. Calls that fail together share one
 * question.
 * @param baseUrl the API origin
 * @returns OriginRefusedError when the API refuses this origin, else ApiError status 0 / SERVICE_UNAVAILABLE
 */
export async function unreachableError(baseUrl: string): Promise<ApiError> {
  const origin = typeof window === 'undefined' ? null : window.location.origin;
  if (origin !== null && origin !== new URL(baseUrl).origin) {
    let asking = originChecks.get(baseUrl);
    if (!asking) {
      asking = originRefused(baseUrl).finally(() => originChecks.delete(baseUrl));
      originChecks.set(baseUrl, asking);
    }
    if (await asking) return new OriginRefusedError(origin);
  }
  return new ApiError(
    0,
    ErrorCode.SERVICE_UNAVAILABLE,
    'Cannot reach the server. Check your connection and try again.',
  );
}

/** The origin checks in flight, by API origin (unreachableError). */
const originChecks = new Map<string, Promise<boolean>>();

/** True when the API at `baseUrl` answers that it refuses this page's origin; false on any other outcome. */
async function originRefused(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/api/health/origin`, {
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as Partial<OriginCheckResponse>;
    return body.allowed === false;
  } catch {
    return false;
  }
}
