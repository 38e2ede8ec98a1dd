import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '@chat/shared';
import { ApiError, OriginRefusedError } from './api-error';
import { RequestCore, unreachableError, type AccessTokens } from './request-core';

/** A fetch stand-in answering from a queue of [status, body] (body undefined: no body). */
function fakeFetch(...answers: Array<[number, unknown?]>) {
  const fetch = vi.fn(async (_url: URL, _init: RequestInit) => {
    const [status, body] = answers.shift() ?? [500];
    return new Response(
      body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
      { status },
    );
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

function tokens(initial: string | null = 'old'): AccessTokens & { current: string | null } {
  const t = {
    current: initial,
    token: () => t.current,
    settled: async () => undefined,
    refresh: vi.fn(async () => {
      t.current = 'new';
    }),
    clear: vi.fn(() => {
      t.current = null;
    }),
  };
  return t;
}

const headersOf = (init: RequestInit | undefined): Record<string, string> =>
  (init?.headers ?? {}) as Record<string, string>;

afterEach(() => vi.unstubAllGlobals());

describe('RequestCore', () => {
  it('sends JSON with the Bearer token and the cookie, and builds the query from defined values', async () => {
    const fetch = fakeFetch([200, { ok: 1 }]);
    const core = new RequestCore('http://api.test', tokens());
    const body = await core.request<{ ok: number }>('/api/things', {
      method: 'POST',
      body: { a: 1 },
      query: { q: 'x y', cursor: undefined, empty: '', limit: 5 },
    });
    expect(body).toEqual({ ok: 1 });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url.toString()).toBe('http://api.test/api/things?q=x+y&limit=5');
    expect(init).toMatchObject({ method: 'POST', credentials: 'include', body: '{"a":1}' });
    expect(headersOf(init)).toMatchObject({
      Authorization: 'Bearer old',
      'Content-Type': 'application/json',
    });
  });

  it('sends no token on unauthenticated calls and resolves 204 as undefined', async () => {
    const fetch = fakeFetch([204]);
    const core = new RequestCore('http://api.test', tokens());
    await expect(
      core.request('/api/auth/logout', { method: 'POST', authenticated: false }),
    ).resolves.toBeUndefined();
    expect(headersOf(fetch.mock.calls[0]![1]).Authorization).toBeUndefined();
  });

  it('refreshes once on TOKEN_EXPIRED and retries once with the new token', async () => {
    const expired = { statusCode: 401, code: ErrorCode.TOKEN_EXPIRED, message: 'expired' };
    const fetch = fakeFetch([401, expired], [200, { ok: true }]);
    const t = tokens();
    const core = new RequestCore('http://api.test', t);
    await expect(core.request('/api/users/me')).resolves.toEqual({ ok: true });
    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(headersOf(fetch.mock.calls[1]![1]).Authorization).toBe('Bearer new');

    fakeFetch([401, expired], [401, expired]);
    await expect(core.request('/api/users/me')).rejects.toMatchObject({
      status: 401,
      code: ErrorCode.TOKEN_EXPIRED,
    });
    expect(t.refresh).toHaveBeenCalledTimes(2);
  });

  it('ends the session on SESSION_REVOKED (no refresh: the refresh token went with it)', async () => {
    const revoked = { statusCode: 401, code: ErrorCode.SESSION_REVOKED, message: 'signed out' };
    fakeFetch([401, revoked]);
    const t = tokens();
    const core = new RequestCore('http://api.test', t);
    await expect(core.request('/api/users/me')).rejects.toMatchObject({
      code: ErrorCode.SESSION_REVOKED,
    });
    expect(t.refresh).not.toHaveBeenCalled();
    expect(t.clear).toHaveBeenCalledTimes(1);
    expect(t.current).toBeNull();
  });

  it('keeps a session that was renewed while a call with the old token was answered SESSION_REVOKED', async () => {
    const revoked = { statusCode: 401, code: ErrorCode.SESSION_REVOKED, message: 'signed out' };
    const t = tokens();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        t.current = 'of a new sign-in';
        return new Response(JSON.stringify(revoked), { status: 401 });
      }),
    );
    await expect(new RequestCore('http://api.test', t).request('/api/users/me')).rejects.toThrow();
    expect(t.clear).not.toHaveBeenCalled();
  });

  it("parses the API's error body, and guesses a code from the status without one", async () => {
    fakeFetch(
      [409, { statusCode: 409, code: ErrorCode.USERNAME_TAKEN, message: 'taken' }],
      [404, '<html>not json</html>'],
      [429],
      [502, { code: 'NOT_A_CODE' }],
    );
    const core = new RequestCore('http://api.test', tokens());
    const codes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const error = await core.request('/api/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      codes.push((error as ApiError).code);
    }
    expect(codes).toEqual([
      ErrorCode.USERNAME_TAKEN,
      ErrorCode.NOT_FOUND,
      ErrorCode.RATE_LIMITED,
      ErrorCode.INTERNAL,
    ]);
  });

  it('turns a network failure into SERVICE_UNAVAILABLE and lets an abort through', async () => {
    const core = new RequestCore('http://api.test', tokens());
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(core.request('/api/x')).rejects.toMatchObject({
      status: 0,
      code: ErrorCode.SERVICE_UNAVAILABLE,
    });
    vi.stubGlobal(
      'fetch',
      vi.fn().mockRejectedValue(new DOMException('The operation was aborted.', 'AbortError')),
    );
    await expect(core.request('/api/x')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('waits for a refresh in flight before an authenticated call made without a token', async () => {
    fakeFetch([200, {}]);
    const t = tokens(null);
    let release: () => void = () => {};
    t.settled = () =>
      new Promise<void>((resolve) => {
        release = () => {
          t.current = 'fresh';
          resolve();
        };
      });
    const core = new RequestCore('http://api.test', t);
    const call = core.request('/api/users/me');
    await Promise.resolve();
    expect(vi.mocked(fetch)).not.toHaveBeenCalled();
    release();
    await call;
    expect(headersOf(vi.mocked(fetch).mock.calls[0]![1]).Authorization).toBe('Bearer fresh');
  });
});

describe('unreachableError', () => {
  const page = 'http://192.168.1.5:3000';
  const api = 'http://192.168.1.5:3001';

  /** The call itself fails; the origin check answers `check` (a Response), or fails too when it is undefined. */
  function network(check?: () => Response) {
    const fetch = vi.fn(async (url: string | URL, _init?: RequestInit) => {
      if (String(url).endsWith('/api/health/origin') && check) return check();
      throw new TypeError('Failed to fetch');
    });
    vi.stubGlobal('window', { location: { origin: page } });
    vi.stubGlobal('fetch', fetch);
    return fetch;
  }

  it('names the page origin when the API answers that it refuses it', async () => {
    const fetch = network(() => Response.json({ allowed: false }));
    const error = await new RequestCore(api, tokens())
      .request('/api/auth/login', { method: 'POST', authenticated: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OriginRefusedError);
    expect(error).toMatchObject({ status: 0, code: ErrorCode.SERVICE_UNAVAILABLE, origin: page });
    expect((error as Error).message).toContain(`add ${page} to the server's WEB_ORIGIN`);
    const [url, init] = fetch.mock.calls[1]!;
    expect(String(url)).toBe(`${api}/api/health/origin`);
    expect(init).toMatchObject({ credentials: 'omit' });
  });

  it('says the server cannot be reached when the check gets no answer, an error page, or "allowed"', async () => {
    for (const check of [
      undefined,
      () => new Response('<html>502 Bad Gateway</html>', { status: 502 }),
      () => Response.json({ allowed: true }),
    ]) {
      network(check);
      const error = await unreachableError(api);
      expect(error).not.toBeInstanceOf(OriginRefusedError);
      expect(error).toMatchObject({ status: 0, code: ErrorCode.SERVICE_UNAVAILABLE });
      expect(error.message).toMatch(/^Cannot reach the server/);
    }
  });

  it('asks once for calls that fail together', async () => {
    const fetch = network(() => Response.json({ allowed: false }));
    const errors = await Promise.all([unreachableError(api), unreachableError(api)]);
    expect(errors.every((e) => e instanceof OriginRefusedError)).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
