import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { type AuthResponse, ErrorCode, REFRESH_COOKIE_NAME, type SelfUser } from '@chat/shared';
import { asError, http, registerUser, uniqueUsername } from './support/http.js';
import { useTestApp } from './support/suite.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const t = useTestApp();

const post = <T = unknown>(path: string, body?: unknown, options?: Parameters<typeof http>[4]) =>
  http<T>(t.baseUrl, 'POST', path, body, options);
const get = <T = unknown>(path: string, options?: Parameters<typeof http>[4]) =>
  http<T>(t.baseUrl, 'GET', path, undefined, options);

describe('register', () => {
  it('creates the account, answers 201 with tokens and sets the refresh cookie with the agreed attributes', async () => {
    const username = uniqueUsername('Reg');
    const res = await post<AuthResponse>('/api/auth/register', {
      username,
      password: 'long enough',
      displayName: '  Ada Lovelace  ',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      username,
      displayName: 'Ada Lovelace',
      avatarUrl: null,
      createdAt: expect.any(String),
      // Whether this is the instance's first account depends on test order (admin.e2e-spec covers the rule).
      instanceAdmin: expect.any(Boolean),
    });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    const ttl = Date.parse(res.body.accessTokenExpiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    const cookie = res.setCookies.find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`)) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    expect(cookie).not.toMatch(/Secure/i);
    expect(res.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
  });

  it('uses the username as display name by default', async () => {
    const me = await registerUser(t.baseUrl, 'dflt');
    expect(me.auth.user.displayName).toBe(me.username);
  });

  it('refuses a username taken in another letter case with 409 USERNAME_TAKEN', async () => {
    const username = uniqueUsername('case');
    expect((await post('/api/auth/register', { username, password: 'long enough' })).status).toBe(
      201,
    );
    const res = await post('/api/auth/register', {
      username: username.toUpperCase(),
      password: 'long enough',
    });
    expect(res.status).toBe(409);
    expect(asError(res).code).toBe(ErrorCode.USERNAME_TAKEN);
  });

  it('refuses a 73-byte password instead of truncating it, and accepts 72 bytes', async () => {
    const tooLong = await post('/api/auth/register', {
      username: uniqueUsername('pw'),
      password: 'p'.repeat(73),
    });
    expect(tooLong.status).toBe(400);
    expect(asError(tooLong)).toMatchObject({
      statusCode: 400,
      code: ErrorCode.VALIDATION_FAILED,
      details: { password: [expect.stringMatching(/72 bytes/)] },
    });
    // 24 three-byte characters = 72 bytes although only 24 characters.
    const ok = await post('/api/auth/register', {
      username: uniqueUsername('pw'),
      password: '€'.repeat(24),
    });
    expect(ok.status).toBe(201);
    const multiTooLong = await post('/api/auth/register', {
      username: uniqueUsername('pw'),
      password: '€'.repeat(25),
    });
    expect(multiTooLong.status).toBe(400);
  });

  it('refuses a commonly used password with the reason, and signs nobody up', async () => {
    const username = uniqueUsername('cp');
    const res = await post('/api/auth/register', { username, password: 'Password123' });
    expect(res.status).toBe(400);
    expect(asError(res)).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      details: { password: [expect.stringMatching(/commonly used passwords/)] },
    });
    const login = await post('/api/auth/login', { username, password: 'Password123' });
    expect(login.status).toBe(401);
  });

  it('answers VALIDATION_FAILED with per-field details for bad input and unknown fields', async () => {
    const res = await post('/api/auth/register', {
      username: 'a b',
      password: 'short',
      isAdmin: true,
    });
    expect(res.status).toBe(400);
    const error = asError(res);
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(Object.keys(error.details ?? {}).sort()).toEqual(['isAdmin', 'password', 'username']);
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED, without parser internals', async () => {
    const res = await post('/api/auth/register', undefined, { rawBody: '{"username":' });
    expect(res.status).toBe(400);
    expect(asError(res)).toEqual({
      statusCode: 400,
      code: ErrorCode.VALIDATION_FAILED,
      message: expect.any(String),
    });
  });

  it('answers a body over 64 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post('/api/auth/register', {
      username: uniqueUsername('big'),
      password: 'long enough',
      displayName: 'x'.repeat(70_000),
    });
    expect(res.status).toBe(413);
    expect(asError(res).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
  });
});

describe('login', () => {
  it('signs in with the right password, whatever the letter case of the username', async () => {
    const me = await registerUser(t.baseUrl, 'login');
    const res = await post<AuthResponse>('/api/auth/login', {
      username: me.username.toUpperCase(),
      password: me.password,
    });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(me.id);
    expect(res.refreshToken).toBeTruthy();
    expect(res.refreshToken).not.toBe(me.refreshToken);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const me = await registerUser(t.baseUrl, 'login');
    const wrong = await post('/api/auth/login', {
      username: me.username,
      password: 'not the password',
    });
    const unknown = await post('/api/auth/login', {
      username: uniqueUsername('ghost'),
      password: me.password,
    });
    const overlong = await post('/api/auth/login', {
      username: me.username,
      password: me.password + 'x'.repeat(60),
    });
    for (const res of [wrong, unknown, overlong]) {
      expect(res.status).toBe(401);
      expect(res.refreshToken).toBeUndefined();
    }
    expect(wrong.body).toEqual(unknown.body);
    expect(overlong.body).toEqual(unknown.body);
    expect(asError(wrong).code).toBe(ErrorCode.INVALID_CREDENTIALS);
  });
});

describe('refresh', () => {
  it('rotates the refresh token on every use', async () => {
    const me = await registerUser(t.baseUrl, 'rot');
    const first = await post<AuthResponse>('/api/auth/refresh', undefined, {
      refreshToken: me.refreshToken,
    });
    expect(first.status).toBe(200);
    expect(first.body.user.id).toBe(me.id);
    expect(first.refreshToken).toBeTruthy();
    expect(first.refreshToken).not.toBe(me.refreshToken);
    const second = await post<AuthResponse>('/api/auth/refresh', undefined, {
      refreshToken: first.refreshToken,
    });
    expect(second.status).toBe(200);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    // The new access token works.
    expect((await get('/api/users/me', { token: second.body.accessToken })).status).toBe(200);
  });

  it('revokes the whole session when an old refresh token is reused', async () => {
    const me = await registerUser(t.baseUrl, 'reuse');
    const rotated = await post('/api/auth/refresh', undefined, { refreshToken: me.refreshToken });
    expect(rotated.status).toBe(200);
    const reuse = await post('/api/auth/refresh', undefined, { refreshToken: me.refreshToken });
    expect(reuse.status).toBe(401);
    expect(asError(reuse).code).toBe(ErrorCode.REFRESH_TOKEN_INVALID);
    expect(reuse.refreshToken).toBe(''); // cookie cleared
    // The thief's reuse also ends the legitimate holder's current token.
    const current = await post('/api/auth/refresh', undefined, {
      refreshToken: rotated.refreshToken,
    });
    expect(current.status).toBe(401);
    expect(asError(current).code).toBe(ErrorCode.REFRESH_TOKEN_INVALID);
  });

  it('refuses a missing or unknown refresh token', async () => {
    const missing = await post('/api/auth/refresh');
    expect(missing.status).toBe(401);
    expect(asError(missing).code).toBe(ErrorCode.REFRESH_TOKEN_INVALID);
    const unknown = await post('/api/auth/refresh', undefined, { refreshToken: 'A'.repeat(43) });
    expect(asError(unknown).code).toBe(ErrorCode.REFRESH_TOKEN_INVALID);
  });

  it('keeps other sessions of the same person alive when one is revoked', async () => {
    const me = await registerUser(t.baseUrl, 'multi');
    const other = await post<AuthResponse>('/api/auth/login', {
      username: me.username,
      password: me.password,
    });
    await post('/api/auth/logout', undefined, { refreshToken: me.refreshToken });
    expect(
      (await post('/api/auth/refresh', undefined, { refreshToken: other.refreshToken })).status,
    ).toBe(200);
  });
});

describe('logout', () => {
  it('revokes the session and clears the cookie', async () => {
    const me = await registerUser(t.baseUrl, 'out');
    const res = await post('/api/auth/logout', undefined, { refreshToken: me.refreshToken });
    expect(res.status).toBe(204);
    expect(res.refreshToken).toBe('');
    const after = await post('/api/auth/refresh', undefined, { refreshToken: me.refreshToken });
    expect(after.status).toBe(401);
    expect(asError(after).code).toBe(ErrorCode.REFRESH_TOKEN_INVALID);
  });

  it('answers 204 without a cookie', async () => {
    expect((await post('/api/auth/logout')).status).toBe(204);
  });
});

describe('access tokens on protected routes', () => {
  it('lets a valid token through', async () => {
    const me = await registerUser(t.baseUrl, 'prot');
    const res = await get<SelfUser>('/api/users/me', { token: me.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(me.id);
  });

  it('refuses a missing token with 401 UNAUTHENTICATED', async () => {
    const res = await get('/api/users/me');
    expect(res.status).toBe(401);
    expect(asError(res)).toEqual({
      statusCode: 401,
      code: ErrorCode.UNAUTHENTICATED,
      message: expect.any(String),
    });
  });

  it('refuses a badly signed, malformed or alg=none token with UNAUTHENTICATED', async () => {
    const me = await registerUser(t.baseUrl, 'prot');
    const forged = new JwtService({ secret: 'another-secret-another-secret-1234' }).sign({
      sub: me.id,
      sid: 'x',
    });
    const [, payload] = me.accessToken.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    for (const token of [forged, 'not-a-jwt', none]) {
      const res = await get('/api/users/me', { token });
      expect(res.status).toBe(401);
      expect(asError(res).code).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });

  it('refuses the access token of a signed-out session with 401 SESSION_REVOKED, other sessions unaffected', async () => {
    const me = await registerUser(t.baseUrl, 'gone');
    const other = await post<AuthResponse>('/api/auth/login', {
      username: me.username,
      password: me.password,
    });
    // A first request makes the session's "live" answer cached: signing out must drop it at once.
    expect((await get('/api/users/me', { token: me.accessToken })).status).toBe(200);
    expect(
      (await post('/api/auth/logout', undefined, { refreshToken: me.refreshToken })).status,
    ).toBe(204);
    for (const path of ['/api/users/me', '/api/conversations']) {
      const res = await get(path, { token: me.accessToken });
      expect(res.status).toBe(401);
      expect(asError(res).code).toBe(ErrorCode.SESSION_REVOKED);
    }
    expect((await get('/api/users/me', { token: other.body.accessToken })).status).toBe(200);
  });

  it('refuses the access token of a session revoked for refresh-token reuse, and of an unknown session', async () => {
    const me = await registerUser(t.baseUrl, 'stolen');
    const rotated = await post<AuthResponse>('/api/auth/refresh', undefined, {
      refreshToken: me.refreshToken,
    });
    expect((await get('/api/users/me', { token: rotated.body.accessToken })).status).toBe(200);
    await post('/api/auth/refresh', undefined, { refreshToken: me.refreshToken }); // the reuse
    for (const token of [me.accessToken, rotated.body.accessToken]) {
      const res = await get('/api/users/me', { token });
      expect(res.status).toBe(401);
      expect(asError(res).code).toBe(ErrorCode.SESSION_REVOKED);
    }
    const now = Math.floor(Date.now() / 1000);
    const unknownSession = new JwtService({ secret: t.config.jwtSecret }).sign(
      { sub: me.id, sid: 'no-such-session', iat: now, exp: now + 60 },
      { algorithm: 'HS256' },
    );
    const res = await get('/api/users/me', { token: unknownSession });
    expect(res.status).toBe(401);
    expect(asError(res).code).toBe(ErrorCode.SESSION_REVOKED);
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
    const me = await registerUser(t.baseUrl, 'exp');
    const now = Math.floor(Date.now() / 1000);
    const expired = new JwtService({ secret: t.config.jwtSecret }).sign(
      { sub: me.id, sid: 'whatever', iat: now - 1000, exp: now - 10 },
      { algorithm: 'HS256' },
    );
    const res = await get('/api/users/me', { token: expired });
    expect(res.status).toBe(401);
    expect(asError(res).code).toBe(ErrorCode.TOKEN_EXPIRED);
  });

  it('answers unknown routes with 404 NOT_FOUND in the same shape', async () => {
    const me = await registerUser(t.baseUrl, 'nf');
    const res = await get('/api/nothing-here', { token: me.accessToken });
    expect(res.status).toBe(404);
    expect(asError(res).code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe('HTTP hardening', () => {
  it('sends helmet headers and CORS with credentials for WEB_ORIGIN only', async () => {
    const allowed = await http(t.baseUrl, 'OPTIONS', '/api/auth/login', undefined, {
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const denied = await http(t.baseUrl, 'OPTIONS', '/api/auth/login', undefined, {
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const health = await get('/api/health');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-powered-by')).toBeNull();
  });
});

describe('rate limiting', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ AUTH_RATE_LIMIT: '3', AUTH_RATE_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 RATE_LIMITED after AUTH_RATE_LIMIT attempts in the window', async () => {
    const attempt = () =>
      http(limited.baseUrl, 'POST', '/api/auth/login', {
        username: 'nobody',
        password: 'whatever1',
      });
    for (let i = 0; i < 3; i += 1) expect((await attempt()).status).toBe(401);
    const res = await attempt();
    expect(res.status).toBe(429);
    expect(asError(res).code).toBe(ErrorCode.RATE_LIMITED);
    // When to come back, in whole seconds within the window.
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(limited.config.authRateWindowSeconds);
    // Only the auth routes are limited.
    expect((await http(limited.baseUrl, 'GET', '/api/health')).status).toBe(200);
  });
});
