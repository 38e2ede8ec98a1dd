/**
 * Socket.IO contract: event maps typed on both `Server` and `Socket` (server) and on the `Socket` of
 * socket.io-client (web). Event names are `noun:verb`.
 *
 * Connecting: `io(url, { auth: { token: accessToken } })`. A missing, invalid or expired token fails the
 * connection with a `connect_error` whose `message` is an ErrorCode (UNAUTHENTICATED or TOKEN_EXPIRED) and whose
 * `data` is an ErrorPayload. The server joins each socket to its user's room itself; clients never choose rooms.
 */
import type { ErrorPayload } from './errors.js';
import type { ConversationSummary, Message } from './models.js';

/** Every acknowledgement has this shape. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

/** Callback the client passes as the last argument of an emit. */
export type AckCallback<T> = (response: Ack<T>) => void;

export interface SendMessagePayload {
  conversationId: string;
  /** UUID made by the client; resending with the same id returns the stored message. */
  clientMessageId: string;
  body: string;
}

/** Events a client emits. Each is acknowledged once the server has finished with it. */
export interface ClientToServerEvents {
  /** Acked only after the message is durably stored; then fanned out as `message:new`. */
  'message:send': (payload: SendMessagePayload, ack: AckCallback<Message>) => void;
}

/** Events the server emits to a user's room (every tab and device of that user). */
export interface ServerToClientEvents {
  /** A message was stored in a conversation the user is a member of (including their own, for other tabs). */
  'message:new': (message: Message) => void;
  /** A conversation the user belongs to appeared or changed (as that user sees it). */
  'conversation:updated': (conversation: ConversationSummary) => void;
}

export type InterServerEvents = Record<string, never>;

/** What the server keeps on each socket after authenticating the handshake. */
export interface SocketData {
  userId: string;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
  /** Access token expiry, in milliseconds since the epoch. */
  tokenExpiresAt: number;
}
