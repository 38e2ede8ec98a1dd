/**
 * TRUST_PROXY with the real app: the auth rate limit counts per client IP, which behind a reverse proxy is only
 * right when Express trusts the proxy's X-Forwarded-For (and only then: by default the header is ignored, or any
 * client could pick its own counter).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const LIMIT = 2;

/** LIMIT + 1 failed logins from `forwardedFor`; @returns the statuses. */
async function logins(app: TestApp, forwardedFor: string, count = LIMIT + 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const res = await http(
      app.baseUrl,
      'POST',
      '/api/auth/login',
      { username: 'nobody_here', password: 'wrong-password-1' },
      { headers: { 'x-forwarded-for': forwardedFor } },
    );
    statuses.push(res.status);
  }
  return statuses;
}

describe('TRUST_PROXY', () => {
  let behindProxy: TestApp;
  let direct: TestApp;
  // Two apps start here (each an in-memory database and its migrations): twice the one-app budget, which a
  // loaded machine can otherwise exceed.
  beforeAll(async () => {
    const env = { AUTH_RATE_LIMIT: String(LIMIT), AUTH_RATE_WINDOW_SECONDS: '600' };
    behindProxy = await startTestApp({ ...env, TRUST_PROXY: '1' });
    direct = await startTestApp(env);
  }, 60_000);
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  it('one trusted hop: each forwarded client has its own counter', async () => {
    expect(await logins(behindProxy, '203.0.113.1')).toEqual([401, 401, 429]);
    // Another client behind the same proxy is not limited by the first one's attempts.
    expect(await logins(behindProxy, '203.0.113.2', 1)).toEqual([401]);
  });

  it('by default X-Forwarded-For is ignored: a client cannot pick a fresh counter', async () => {
    expect(await logins(direct, '198.51.100.1')).toEqual([401, 401, 429]);
    expect(await logins(direct, '198.51.100.2', 1)).toEqual([429]);
  });
});
