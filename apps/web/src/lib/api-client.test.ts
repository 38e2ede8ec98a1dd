import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '@chat/shared';
import { ApiClient } from './api-client';
import { createSessionStore } from '@/stores/session-store';
import { SESSION_HINT_KEY, storedSessionHint } from './session-hint';
import { authResponse } from '@/testing/factories';

const AUTH = authResponse();

/** Answers fetch calls by path with [status, body]; records the calls. */
function serve(routes: Record<string, [number, unknown?] | (() => never)>) {
  const fetch = vi.fn(async (url: URL, init?: RequestInit) => {
    const route = routes[`${init?.method ?? 'GET'} ${url.pathname}`];
    if (!route) return new Response(null, { status: 404 });
    if (typeof route === 'function') return route();
    const [status, body] = route;
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

/** A session hint kept in a Map (what localStorage would hold), and that Map. */
function memoryHint() {
  const saved = new Map<string, string>();
  const storage = {
    getItem: (key: string) => saved.get(key) ?? null,
    setItem: (key: string, value: string) => void saved.set(key, value),
    removeItem: (key: string) => void saved.delete(key),
  } as unknown as Storage;
  return { hint: storedSessionHint(() => storage), saved };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('ApiClient with the session store', () => {
  it('signs in: the store shows the person and later calls carry the token', async () => {
    const fetch = serve({
      'POST /api/auth/login': [200, AUTH],
      'GET /api/users/me': [200, AUTH.user],
    });
    const api = new ApiClient('http://api.test/', undefined);
    const session = createSessionStore(api);
    await session.getState().login({ username: 'alice', password: 'secret-password' });
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { id: 'alice' } });
    expect(api.getAccessToken()).toBe('a1');
    await api.me();
    const [url, init] = fetch.mock.calls[1]!;
    expect(url.toString()).toBe('http://api.test/api/users/me');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer a1');
    api.dispose();
  });

  it('restores a session with the refresh cookie, or says signed out or unreachable', async () => {
    serve({ 'POST /api/auth/refresh': [200, AUTH] });
    const restored = createSessionStore(new ApiClient('http://api.test', undefined));
    await restored.getState().restore();
    expect(restored.getState().status).toBe('signedIn');

    serve({
      'POST /api/auth/refresh': [
        401,
        { statusCode: 401, code: ErrorCode.REFRESH_TOKEN_INVALID, message: 'no' },
      ],
    });
    const none = createSessionStore(new ApiClient('http://api.test', undefined));
    await none.getState().restore();
    expect(none.getState()).toMatchObject({ status: 'signedOut', user: null });

    serve({
      'POST /api/auth/refresh': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const down = createSessionStore(new ApiClient('http://api.test', undefined));
    await down.getState().restore();
    expect(down.getState().status).toBe('unreachable');
  });

  it('asks for no session on load once this browser knows its session ended; a sign-in asks again', async () => {
    const { hint, saved } = memoryHint();
    const refused = serve({
      'POST /api/auth/refresh': [
        401,
        { statusCode: 401, code: ErrorCode.REFRESH_TOKEN_INVALID, message: 'no' },
      ],
      'POST /api/auth/login': [200, AUTH],
    });
    // A first visit asks; the refusal is remembered.
    const first = createSessionStore(new ApiClient('http://api.test', undefined), hint);
    await first.getState().restore();
    expect(first.getState().status).toBe('signedOut');
    expect(saved.get(SESSION_HINT_KEY)).toBe('ended');
    expect(refused).toHaveBeenCalledTimes(1);

    // The next page load knows: signed out without a request.
    const api = new ApiClient('http://api.test', undefined);
    const next = createSessionStore(api, hint);
    await next.getState().restore();
    expect(next.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(refused).toHaveBeenCalledTimes(1);

    // Signing in forgets the end, so the load after it restores the session with the cookie.
    await next.getState().login({ username: 'alice', password: 'secret-password' });
    expect(saved.has(SESSION_HINT_KEY)).toBe(false);
    // A tab losing its session without a word from the API about the cookie (a revoked or older session seen on
    // its socket) does not mark the browser's session ended: the cookie may be another sign-in's by now.
    api.dropSession();
    expect(next.getState().status).toBe('signedOut');
    expect(saved.has(SESSION_HINT_KEY)).toBe(false);
    // A bare 401 (a proxy's) on a page load is not the API refusing the cookie either.
    serve({ 'POST /api/auth/refresh': [401] });
    const proxied = createSessionStore(new ApiClient('http://api.test', undefined), hint);
    await proxied.getState().restore();
    expect(proxied.getState().status).toBe('signedOut');
    expect(saved.has(SESSION_HINT_KEY)).toBe(false);
    serve({ 'POST /api/auth/refresh': [200, AUTH] });
    const later = createSessionStore(new ApiClient('http://api.test', undefined), hint);
    await later.getState().restore();
    expect(later.getState().status).toBe('signedIn');
    api.dispose();
  });

  it('asks for a session on every load when storage is refused (private mode)', async () => {
    const refused = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    const hint = storedSessionHint(refused);
    hint.remember(false);
    expect(hint.ended()).toBe(false);
  });

  it('remembers a sign-out as the end even when the API does not answer it', async () => {
    const { hint, saved } = memoryHint();
    serve({
      'POST /api/auth/login': [200, AUTH],
      'POST /api/auth/logout': [503, { statusCode: 503, code: ErrorCode.SERVICE_UNAVAILABLE }],
    });
    const api = new ApiClient('http://api.test', undefined);
    const session = createSessionStore(api, hint);
    await session.getState().login({ username: 'alice', password: 'secret-password' });
    await expect(session.getState().logout()).rejects.toMatchObject({ status: 503 });
    expect(saved.get(SESSION_HINT_KEY)).toBe('ended');
  });

  it('signs out locally even when the API does not answer the logout', async () => {
    serve({
      'POST /api/auth/login': [200, AUTH],
      'POST /api/auth/logout': [503, { statusCode: 503, code: ErrorCode.SERVICE_UNAVAILABLE }],
    });
    const api = new ApiClient('http://api.test', undefined);
    const session = createSessionStore(api);
    await session.getState().login({ username: 'alice', password: 'secret-password' });
    await expect(session.getState().logout()).rejects.toMatchObject({ status: 503 });
    expect(session.getState().status).toBe('signedOut');
    expect(api.getAccessToken()).toBeNull();
  });

  it('drops a session the server ended without calling the API', async () => {
    const fetch = serve({ 'POST /api/auth/register': [201, AUTH] });
    const api = new ApiClient('http://api.test', undefined);
    const session = createSessionStore(api);
    await session.getState().register({
      username: 'alice',
      displayName: 'Alice',
      password: 'secret-password',
    });
    api.dropSession();
    expect(session.getState().status).toBe('signedOut');
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
