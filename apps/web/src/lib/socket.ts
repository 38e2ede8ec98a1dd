import { io, type Socket } from 'socket.io-client';
import {
  ErrorCode,
  isErrorCode,
  type Ack,
  type ClientToServerEvents,
  type ErrorPayload,
  type Message,
  type SendMessagePayload,
  type ServerToClientEvents,
} from '@chat/shared';
import { ApiError, type ApiClient } from './api-client';

/** The typed Socket.IO client: events from `@chat/shared` (`socket.ts`). */
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Wait before retrying a refresh that failed because the API was unreachable (ms). */
const RETRY_REFRESH_AFTER_MS = 5_000;

/** How long a `message:send` may wait for its ack before the send is shown as failed (ms). */
export const SEND_ACK_TIMEOUT_MS = 10_000;

/** Sockets closed for good (sign-out, another person signed in): a pending refresh must not reconnect them. */
const closedSockets = new WeakSet<ChatSocket>();

/** Stops a socket's `session:renew` on token refresh (see createChatSocket), called when it is closed. */
const stopRenewing = new WeakMap<ChatSocket, () => void>();

/**
 * Closes a socket made by `createChatSocket` for good: its listeners go, it disconnects, and a refresh still in
 * flight (or waiting to retry) will not connect it again with whatever token the API client holds by then.
 */
export function closeChatSocket(socket: ChatSocket): void {
  closedSockets.add(socket);
  stopRenewing.get(socket)?.();
  socket.removeAllListeners();
  socket.disconnect();
}

/**
 * Creates the socket (not yet connected) for the API at `api.baseUrl`.
 *
 * - `auth` is a callback, so every (re)connection sends the access token current at that moment, not the
 *   one from when the socket was made (socket.io-client calls it before each handshake).
 * - A handshake refused with TOKEN_EXPIRED (or UNAUTHENTICATED while a refresh cookie may still work)
 *   refreshes the token once and connects again; Socket.IO does not retry middleware refusals by itself.
 *   If the refresh fails the session is gone and the ApiClient tells its listeners.
 * - A server-side disconnect (`io server disconnect`, e.g. the token expired on the server's clock) is
 *   handled the same way; Socket.IO would otherwise stay disconnected.
 * - A handshake refused with SESSION_REVOKED (the session was signed out or revoked for refresh-token reuse)
 *   is final: the session is dropped and the app shows sign-in, no retry. SERVICE_UNAVAILABLE (the API could not
 *   read the session) is retried after RETRY_REFRESH_AFTER_MS.
 * - After every successful token refresh the connected socket gets the new token (`session:renew`), so the
 *   server does not cut it when the token it connected with expires (no reconnect, no banner). If the renewal
 *   is refused, the server cuts the socket at the old expiry and the path above reconnects it.
 */
export function createChatSocket(api: ApiClient): ChatSocket {
  const socket: ChatSocket = io(api.baseUrl, {
    autoConnect: false,
    withCredentials: true,
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: api.getAccessToken() ?? '' }),
  });

  let refreshAttempts = 0;
  const refreshAndReconnect = (): void => {
    if (api.getAccessToken() === null || closedSockets.has(socket)) return; // signed out meanwhile: nothing to reconnect
    // Two failed refreshes in a row without a successful connect means something else is wrong: stop looping.
    if (refreshAttempts >= 2) return;
    refreshAttempts += 1;
    api
      .refresh()
      .then(() => {
        if (!closedSockets.has(socket)) socket.connect();
      })
      .catch((error: unknown) => {
        // A lost session is already handled (ApiClient tells its listeners, the app shows sign-in). An
        // unreachable API is not final: try again shortly, without counting it as a failed refresh.
        if (error instanceof ApiError && error.status === 0) {
          refreshAttempts -= 1;
          setTimeout(refreshAndReconnect, RETRY_REFRESH_AFTER_MS);
        }
      });
  };

  socket.on('connect', () => {
    refreshAttempts = 0;
  });
  stopRenewing.set(
    socket,
    api.onAuthChange((auth) => {
      if (auth && socket.connected)
        socket.emit('session:renew', { token: auth.accessToken }, () => undefined);
    }),
  );
  socket.on('connect_error', (error) => {
    if (socket.active) return; // a transport error: Socket.IO retries by itself
    if (error.message === ErrorCode.SESSION_REVOKED) {
      api.dropSession();
      return;
    }
    if (error.message === ErrorCode.SERVICE_UNAVAILABLE) {
      // The API could not check the session (its database is down): not final, try again shortly.
      setTimeout(() => {
        if (!closedSockets.has(socket) && !socket.connected) socket.connect();
      }, RETRY_REFRESH_AFTER_MS);
      return;
    }
    if (error.message === ErrorCode.TOKEN_EXPIRED || error.message === ErrorCode.UNAUTHENTICATED) {
      if (api.getAccessToken() !== null) refreshAndReconnect();
    }
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect' && api.getAccessToken() !== null) refreshAndReconnect();
  });
  return socket;
}

/**
 * Emits `message:send` and resolves with the stored message, or rejects with an ApiError (the ack's code,
 * or SERVICE_UNAVAILABLE after `SEND_ACK_TIMEOUT_MS` without an ack). Socket.IO buffers the emit while
 * disconnected, so a send made during a brief reconnect still goes out once connected.
 */
export function sendMessage(socket: ChatSocket, payload: SendMessagePayload): Promise<Message> {
  return new Promise<Message>((resolve, reject) => {
    socket
      .timeout(SEND_ACK_TIMEOUT_MS)
      .emit('message:send', payload, (timeoutError: Error | null, ack?: Ack<Message>) => {
        if (timeoutError || !ack) {
          reject(
            new ApiError(
              0,
              ErrorCode.SERVICE_UNAVAILABLE,
              'The server did not confirm the message in time.',
            ),
          );
          return;
        }
        if (ack.ok) resolve(ack.data);
        else reject(ackError(ack.error));
      });
  });
}

/** The socket events that act on a message and are acked with a Message (see `@chat/shared` socket.ts). */
export type MessageActionEvent =
  'message:edit' | 'message:delete' | 'reaction:add' | 'reaction:remove' | 'message:forward';

/**
 * Emits one message action and resolves with the message the ack carries (the changed message as it is now; for
 * `message:forward` the new copy), or rejects with an ApiError: the ack's code, or SERVICE_UNAVAILABLE after
 * SEND_ACK_TIMEOUT_MS without an ack.
 */
export function emitMessageAction<E extends MessageActionEvent>(
  socket: ChatSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
): Promise<Message> {
  return new Promise<Message>((resolve, reject) => {
    const done = (timeoutError: Error | null, ack?: Ack<Message>) => {
      if (timeoutError || !ack) {
        reject(
          new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'The server did not answer in time.'),
        );
        return;
      }
      if (ack.ok) resolve(ack.data);
      else reject(ackError(ack.error));
    };
    // One emit signature per event: the union of payload types is not assignable to each, hence the cast.
    const timed = socket.timeout(SEND_ACK_TIMEOUT_MS);
    (timed.emit as unknown as (e: E, p: unknown, cb: typeof done) => void).call(
      timed,
      event,
      payload,
      done,
    );
  });
}

function ackError(error: ErrorPayload): ApiError {
  const code = isErrorCode(error.code) ? error.code : ErrorCode.INTERNAL;
  return new ApiError(
    0,
    code,
    error.message,
    error.details,
    typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined,
  );
}
