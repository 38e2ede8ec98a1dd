/**
 * A tiny typed HTTP client over the real `fetch`, with the refresh cookie handled explicitly so tests can replay
 * old cookies on purpose.
 */
import { type ApiErrorBody, type AuthResponse, REFRESH_COOKIE_NAME } from '@chat/shared';

export interface HttpResult<T> {
  status: number;
  body: T;
  headers: Headers;
  /** Raw Set-Cookie headers. */
  setCookies: string[];
  /** The refresh token set by this response, if any (empty string when cleared). */
  refreshToken: string | undefined;
}

export interface RequestOptions {
  token?: string;
  refreshToken?: string;
  headers?: Record<string, string>;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
}

export async function http<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined || options.rawBody !== undefined)
    headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.refreshToken !== undefined)
    headers.cookie = `${REFRESH_COOKIE_NAME}=${options.refreshToken}`;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  const setCookies = res.headers.getSetCookie();
  const refreshCookie = setCookies.find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`));
  return {
    status: res.status,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
    headers: res.headers,
    setCookies,
    refreshToken: refreshCookie
      ? decodeURIComponent(refreshCookie.split(';')[0]!.split('=')[1] ?? '')
      : undefined,
  };
}

/** Asserts nothing; returns the error body typed for readability in tests. */
export function asError(result: HttpResult<unknown>): ApiErrorBody {
  return result.body as ApiErrorBody;
}

let counter = 0;

/** A username unique within the test run (3..32 characters of [a-z0-9_]). */
export function uniqueUsername(prefix = 'u'): string {
  counter += 1;
  return `${prefix}_${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${counter}`.slice(
    0,
    32,
  );
}

export interface SignedIn {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: AuthResponse;
}

/** Registers a new person and returns their tokens. */
export async function registerUser(
  baseUrl: string,
  prefix = 'u',
  extra: { displayName?: string } = {},
): Promise<SignedIn> {
  const username = uniqueUsername(prefix);
  const password = 'correct horse battery';
  const res = await http<AuthResponse>(baseUrl, 'POST', '/api/auth/register', {
    username,
    password,
    ...extra,
  });
  if (res.status !== 201 || !res.refreshToken) {
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return {
    id: res.body.user.id,
    username,
    password,
    accessToken: res.body.accessToken,
    refreshToken: res.refreshToken,
    auth: res.body,
  };
}
