import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '@chat/shared';
import { ApiClient } from './api-client';
import { createSessionStore } from '@/stores/session-store';
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
