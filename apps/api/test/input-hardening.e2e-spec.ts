/**
 * Text rules at the edge, on both transports: control characters (NUL above all, which PostgreSQL refuses in
 * text) are answered VALIDATION_FAILED, never INTERNAL; line feeds and tabs stay; CR LF becomes LF.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ErrorCode, type Message } from '@chat/shared';
import { asError, http, registerUser } from './support/http.js';
import { connect, send } from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';

const t = useTestApp();
const call = callAs(t);

/** Bodies each refused: NUL, another C0 control, DEL, a C1 control. */
const BAD_BODIES = ['a\u0000b', 'bell\u0007', 'del\u007f', 'c1\u0085x'];

describe('control characters in text input', () => {
  it.each(BAD_BODIES)('REST message body %j: 400 VALIDATION_FAILED naming body', async (body) => {
    const { a, conversation } = await directPair(t, 'nul');
    const res = await call(a, 'POST', `/api/conversations/${conversation.id}/messages`, {
      clientMessageId: randomUUID(),
      body,
    });
    expect(res.status).toBe(400);
    expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(asError(res).details).toHaveProperty('body');
  });

  it.each(BAD_BODIES)('socket message:send body %j: VALIDATION_FAILED ack', async (body) => {
    const { a, conversation } = await directPair(t, 'nus');
    const socket = await connect(t.baseUrl, a.accessToken);
    const ack = await send(socket, {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      body,
    });
    expect(ack).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: ErrorCode.VALIDATION_FAILED,
        details: { body: [expect.stringMatching(/control characters/)] },
      }),
    });
  });

  it('keeps line feeds and tabs and stores CR LF as LF', async () => {
    const { a, conversation } = await directPair(t, 'nlf');
    const res = await call<Message>(a, 'POST', `/api/conversations/${conversation.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'one\r\ntwo\rthree\n\tfour',
    });
    expect(res.status).toBe(201);
    expect(res.body.body).toBe('one\ntwo\nthree\n\tfour');
  });

  it('a NUL in a directory search is 400, not a database error', async () => {
    const me = await registerUser(t.baseUrl, 'nq');
    const res = await call(me, 'GET', `/api/users?q=${encodeURIComponent('ab\u0000c')}`);
    expect(res.status).toBe(400);
    expect(asError(res).details).toHaveProperty('q');
  });

  it('a NUL in a sign-in name is 400, not a database error', async () => {
    const res = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: 'x\u0000y',
      password: 'whatever-long',
    });
    expect(res.status).toBe(400);
    expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it.each([
    ['PATCH', '/api/users/me', { displayName: 'Ann\u0000' }, 'displayName'],
    ['POST', '/api/conversations/group', { title: 'g\u0000', memberIds: [] }, 'title'],
  ] as const)('%s %s with a NUL in a name is refused', async (method, path, body, field) => {
    const me = await registerUser(t.baseUrl, 'nn');
    const res = await call(me, method, path, body);
    expect(res.status).toBe(400);
    expect(asError(res).details).toHaveProperty(field);
  });
});
