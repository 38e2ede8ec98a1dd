import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorCode, type HealthResponse } from '@chat/shared';
import { StorageHealth } from '../src/storage/storage.health.js';
import { http, registerUser, type SignedIn } from './support/http.js';
import {
  type ClientSocket,
  connect,
  connectRefused,
  disconnectAll,
  send,
} from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health and shutdown', () => {
  let t: TestApp;
  let closed = false;
  let me: SignedIn;
  /** Connected while the database is up: the handshake checks the session in storage. */
  let socket: ClientSocket;
  beforeAll(async () => {
    t = await startTestApp();
    me = await registerUser(t.baseUrl, 'hl');
    socket = await connect(t.baseUrl, me.accessToken);
    // A fresh database, an app and a bcrypt hash: past Jest's 30 s on a loaded shared machine (seen at load 15+).
  }, 60_000);
  afterAll(async () => {
    disconnectAll();
    if (!closed) await t?.close();
  });

  it('reports the database as ok without authentication', async () => {
    const res = await http<HealthResponse>(t.baseUrl, 'GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: {
        status: 'ok',
        driver: /^postgres(ql)?:/.test(t.config.databaseUrl ?? '') ? 'postgres' : 'pglite',
        latencyMs: expect.any(Number),
      },
      uptimeSeconds: expect.any(Number),
    });
  });

  it('tells any page whether its origin is accepted, readable cross-origin without credentials', async () => {
    const allowedOrigin = t.config.webOrigins[0]!;
    const allowed = await http<{ allowed: boolean }>(
      t.baseUrl,
      'GET',
      '/api/health/origin',
      undefined,
      {
        headers: { origin: allowedOrigin },
      },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ allowed: true });
    const refused = await http<{ allowed: boolean }>(
      t.baseUrl,
      'GET',
      '/api/health/origin',
      undefined,
      {
        headers: { origin: 'http://192.0.2.7:3000' },
      },
    );
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ allowed: false });
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
    // Any other route keeps CORS to WEB_ORIGIN: no header for the refused origin.
    const other = await http(t.baseUrl, 'GET', '/api/health', undefined, {
      headers: { origin: 'http://192.0.2.7:3000' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await http<{ allowed: boolean }>(t.baseUrl, 'GET', '/api/health/origin');
    expect(none.body).toEqual({ allowed: false });
  });

  it('answers 503 with status error when the database is gone', async () => {
    // The real database, really closed (what a crashed or unreachable server looks like to the API).
    await t.app.get(StorageHealth).close();
    const res = await http<HealthResponse>(t.baseUrl, 'GET', '/api/health');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.database).toMatchObject({ status: 'error', latencyMs: null });
  });

  it('answers REST calls with 503 SERVICE_UNAVAILABLE (retryable), not INTERNAL, and no internals', async () => {
    // The database is closed (previous test): any query now fails inside the adapter.
    const login = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: 'someone',
      password: 'whatever1',
    });
    expect(login.status).toBe(503);
    expect(login.body).toEqual({
      statusCode: 503,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      message: 'The service is temporarily unavailable.',
    });
    const search = await http(t.baseUrl, 'GET', '/api/users?q=someone', undefined, {
      token: me.accessToken,
    });
    expect(search.status).toBe(503);
    expect(search.body).toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
  });

  it('acks a socket send with SERVICE_UNAVAILABLE on a socket connected before the database went away', async () => {
    const ack = await send(socket, {
      conversationId: '0196b0c4-7a8e-7d2a-9d5e-3f1a2b3c4d5e',
      clientMessageId: randomUUID(),
      body: 'hello',
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.SERVICE_UNAVAILABLE, message: expect.any(String) },
    });
  });

  it('refuses new sockets with SERVICE_UNAVAILABLE (retryable) while sessions cannot be checked', async () => {
    // The database is closed (previous tests): the token verifies, its session cannot be read.
    expect(await connectRefused(t.baseUrl, me.accessToken)).toEqual({
      message: ErrorCode.SERVICE_UNAVAILABLE,
      data: { code: ErrorCode.SERVICE_UNAVAILABLE, message: expect.any(String) },
    });
  });

  it('on close, disconnects sockets and stops accepting connections', async () => {
    expect(socket.connected).toBe(true);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await t.close();
    closed = true;
    expect(await disconnected).toMatch(/transport close|io server disconnect/);
    await expect(fetch(`${t.baseUrl}/api/health`)).rejects.toThrow();
    // Test apps write uploads to a temporary folder of their own, gone after close (never ./.data/uploads).
    expect(t.config.uploadDir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(t.config.uploadDir)).toBe(false);
  });
});
