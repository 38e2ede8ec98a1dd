import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { ErrorCode, type HealthResponse } from '@chat/shared';
import { StorageHealth } from '../src/storage/storage.health.js';
import { http } from './support/http.js';
import { connect, disconnectAll } from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health and shutdown', () => {
  let t: TestApp;
  let closed = false;
  beforeAll(async () => {
    t = await startTestApp();
  });
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

  it('answers 503 with status error when the database is gone', async () => {
    // The real database, really closed (what a crashed or unreachable server looks like to the API).
    await t.app.get(StorageHealth).close();
    const res = await http<HealthResponse>(t.baseUrl, 'GET', '/api/health');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.database).toMatchObject({ status: 'error', latencyMs: null });
  });

  it('answers an unexpected failure with 500 INTERNAL and no internals', async () => {
    // The database is closed (previous test): any query now fails inside the adapter.
    const res = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: 'someone',
      password: 'whatever1',
    });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      code: ErrorCode.INTERNAL,
      message: 'Something went wrong on our side.',
    });
  });

  it('on close, disconnects sockets and stops accepting connections', async () => {
    // The database is closed by now; the handshake needs only a validly signed token.
    const now = Math.floor(Date.now() / 1000);
    const token = new JwtService({ secret: t.config.jwtSecret }).sign(
      { sub: randomUUID(), sid: randomUUID(), iat: now, exp: now + 60 },
      { algorithm: 'HS256' },
    );
    const socket = await connect(t.baseUrl, token);
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
