/**
 * Handshake hardening on the real app: the `Origin` check on both transports and the per-person cap on
 * simultaneous sockets (SOCKETS_PER_USER_MAX, here 3).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { ErrorCode, type ErrorPayload } from '@chat/shared';
import { registerUser } from './support/http.js';
import { type ClientSocket, connect, connectRefused } from './support/sockets.js';
import { useTestApp } from './support/suite.js';

const CAP = 3;
const t = useTestApp({ SOCKETS_PER_USER_MAX: String(CAP) });

/** What a handshake ended with: 'connected', or the connect_error's message and data. */
type Outcome = 'connected' | { message: string; data: ErrorPayload };

const opened: ClientSocket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.disconnect();
});

/** A handshake over one transport, with `Origin` set as a browser page would (or not at all). */
function handshake(
  token: string,
  transport: 'websocket' | 'polling',
  origin: string | undefined,
): Promise<Outcome> {
  const socket: ClientSocket = io(t.baseUrl, {
    auth: { token },
    transports: [transport],
    reconnection: false,
    forceNew: true,
    extraHeaders: origin === undefined ? {} : { origin },
  });
  opened.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => {
      resolve('connected');
      socket.disconnect();
    });
    socket.once('connect_error', (e: Error & { data?: ErrorPayload }) =>
      resolve({ message: e.message, data: e.data as ErrorPayload }),
    );
  });
}

describe('socket handshake Origin check', () => {
  it.each(['websocket', 'polling'] as const)(
    '%s: a foreign Origin is refused with ORIGIN_NOT_ALLOWED; WEB_ORIGIN and no Origin connect',
    async (transport) => {
      const me = await registerUser(t.baseUrl, 'or');
      expect(await handshake(me.accessToken, transport, 'https://evil.example')).toEqual({
        message: ErrorCode.ORIGIN_NOT_ALLOWED,
        data: { code: ErrorCode.ORIGIN_NOT_ALLOWED, message: expect.any(String) },
      });
      // A look-alike (same host, other port) is another origin.
      expect(await handshake(me.accessToken, transport, 'http://localhost:3001')).toMatchObject({
        message: ErrorCode.ORIGIN_NOT_ALLOWED,
      });
      expect(await handshake(me.accessToken, transport, t.config.webOrigins[0])).toBe('connected');
      expect(await handshake(me.accessToken, transport, undefined)).toBe('connected');
    },
  );

  it('checks the Origin before the token (a foreign page learns nothing about a token)', async () => {
    expect(await handshake('not-a-token', 'websocket', 'https://evil.example')).toMatchObject({
      message: ErrorCode.ORIGIN_NOT_ALLOWED,
    });
  });
});

describe('per-person socket cap', () => {
  it(`refuses socket ${CAP + 1} of one person with TOO_MANY_CONNECTIONS, others unaffected, and frees a slot on disconnect`, async () => {
    const me = await registerUser(t.baseUrl, 'cap');
    const other = await registerUser(t.baseUrl, 'cap');
    const mine: ClientSocket[] = [];
    for (let i = 0; i < CAP; i += 1) mine.push(await connect(t.baseUrl, me.accessToken));
    expect(await connectRefused(t.baseUrl, me.accessToken)).toEqual({
      message: ErrorCode.TOO_MANY_CONNECTIONS,
      data: { code: ErrorCode.TOO_MANY_CONNECTIONS, message: expect.stringMatching(/At most 3/) },
    });
    expect((await connect(t.baseUrl, other.accessToken)).connected).toBe(true);

    // The server sees the close a moment after the client: retry until the freed slot is taken (bounded).
    mine[0]!.disconnect();
    const deadline = Date.now() + 5000;
    let outcome: Outcome = await handshake(me.accessToken, 'websocket', undefined);
    while (outcome !== 'connected' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      outcome = await handshake(me.accessToken, 'websocket', undefined);
    }
    expect(outcome).toBe('connected');
  });
});
