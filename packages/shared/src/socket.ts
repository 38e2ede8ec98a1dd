/**
 * Socket.IO contract: event maps typed on both `Server` and `Socket` (server) and on the `Socket` of
 * socket.io-client (web). Event names are `noun:verb`.
 *
 * Connecting: `io(url, { auth: { token: accessToken } })`. A missing, invalid or expired token fails the
 * connection with a `connect_error` whose `message` is an ErrorCode (UNAUTHENTICATED or TOKEN_EXPIRED) and whose
 * `data` is an ErrorPayload. The server joins each socket to its user's room itself; clients never choose rooms.
 */
import type { ErrorPayload } from './errors.js';
import type { ConversationSummary, Message, PresenceState, PublicUser } from './models.js';

/** Every acknowledgement has this shape. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

/** Callback the client passes as the last argument of an emit. */
export type AckCallback<T> = (response: Ack<T>) => void;

export interface SendMessagePayload {
  conversationId: string;
  /** UUID made by the client; resending with the same id returns the stored message. */
  clientMessageId: string;
  /** Trimmed 1..LIMITS.MESSAGE_BODY_MAX characters; may be empty (0) when attachmentIds is not empty. */
  body: string;
  /** Attachments the sender uploaded to this conversation and has not sent yet (0..LIMITS.ATTACHMENTS_PER_MESSAGE). */
  attachmentIds?: string[];
  /**
   * People mentioned (distinct user ids, 0..LIMITS.MENTIONS_PER_MESSAGE): each must be an active member of the
   * conversation at send time, else MENTION_NOT_MEMBER and nothing is stored. The text should carry `@username`.
   */
  mentions?: string[];
  /** `@all`: mentions every member. Groups only, and only by a group admin (else NOT_A_GROUP / ADMIN_REQUIRED). */
  mentionsAll?: boolean;
  /**
   * The message this one replies to: a message of the same conversation that the sender can read (a deleted one
   * is allowed; its quote shows as deleted). Unknown: MESSAGE_NOT_FOUND, nothing stored.
   */
  replyToId?: string;
}

/** Names one message of a conversation (the target of an action). */
export interface MessageRef {
  conversationId: string;
  messageId: string;
}

/** `message:edit`: the REST twin is `PATCH …/messages/:messageId` (EditMessageBody), same rules. */
export interface EditMessagePayload extends MessageRef {
  body: string;
}

/** `message:delete`: the REST twin is `DELETE …/messages/:messageId`. */
export type DeleteMessagePayload = MessageRef;

/** `reaction:add` / `reaction:remove`: the REST twins are `PUT` / `DELETE …/messages/:messageId/reactions/:emoji`. */
export interface ReactionPayload extends MessageRef {
  /** One emoji grapheme (validated by the server with an emoji library). */
  emoji: string;
}

/** `message:forward`: the REST twin is `POST …/messages/:messageId/forward` (ForwardMessageBody). */
export interface ForwardMessagePayload extends MessageRef {
  targetConversationId: string;
  /** UUID made by the client for the new message in the target (idempotency key, as for a send). */
  clientMessageId: string;
}

export interface TypingPayload {
  conversationId: string;
  /** true while typing (renewed every LIMITS.TYPING_THROTTLE_MS at most), false when stopped or sent. */
  typing: boolean;
}

/** Someone else's typing state in a conversation. Expires on its own after `expiresInMs` unless renewed. */
export interface TypingEvent {
  conversationId: string;
  userId: string;
  typing: boolean;
  expiresInMs: number;
}

/** Raise the caller's watermarks (never lowered; values above the conversation's lastSeq are capped). */
export interface ReceiptPayload {
  conversationId: string;
  /** A device of the caller received every message up to this seq. */
  deliveredSeq?: number;
  /** The caller read every message up to this seq (conversation on screen, window focused). */
  readSeq?: number;
}

/** A member's watermarks after a change; sent to every member, the reader's own devices included. */
export interface ReceiptEvent {
  conversationId: string;
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

/** Events a client emits. Each is acknowledged once the server has finished with it. */
export interface ClientToServerEvents {
  /** Acked only after the message is durably stored; then fanned out as `message:new`. */
  'message:send': (payload: SendMessagePayload, ack: AckCallback<Message>) => void;
  /**
   * Message actions. Each is acked with the message as it is now, after the change is durably stored (a retry
   * that changes nothing acks the same view and fans out nothing); then every active member's devices get
   * `message:updated`. Errors: CONVERSATION_NOT_FOUND, MEMBERSHIP_ENDED, MESSAGE_NOT_FOUND,
   * MESSAGE_NOT_MODIFIABLE (system message), MESSAGE_DELETED (edit/react on a tombstone), NOT_MESSAGE_AUTHOR,
   * ADMIN_REQUIRED (deleting another's message in a group as a non-admin), EDIT_WINDOW_CLOSED,
   * REACTION_LIMIT_EXCEEDED, VALIDATION_FAILED, RATE_LIMITED (they count as writes).
   */
  'message:edit': (payload: EditMessagePayload, ack: AckCallback<Message>) => void;
  'message:delete': (payload: DeleteMessagePayload, ack: AckCallback<Message>) => void;
  'reaction:add': (payload: ReactionPayload, ack: AckCallback<Message>) => void;
  'reaction:remove': (payload: ReactionPayload, ack: AckCallback<Message>) => void;
  /**
   * Acked with the new message in the target conversation (or the stored one for a retried clientMessageId); it
   * fans out as `message:new` there, like a send.
   */
  'message:forward': (payload: ForwardMessagePayload, ack: AckCallback<Message>) => void;
  /** Ephemeral: never stored, fanned out only to the other active members' rooms. The ack is optional. */
  'typing:update': (payload: TypingPayload, ack?: AckCallback<null>) => void;
  /** Acked with the caller's watermarks after the change; fanned out as `receipt:update`. */
  'receipt:update': (payload: ReceiptPayload, ack: AckCallback<ReceiptEvent>) => void;
  /**
   * Hands a live socket the access token just obtained by a refresh, so the server does not cut it when the token
   * it connected with expires. The token must verify and belong to the socket's own user and session; the ack
   * carries its expiry (ISO 8601). Otherwise an error ack (UNAUTHENTICATED, TOKEN_EXPIRED) and nothing changes.
   */
  'session:renew': (payload: SessionRenewPayload, ack: AckCallback<{ expiresAt: string }>) => void;
}

/** `session:renew` payload: a fresh access token of the socket's own session. */
export interface SessionRenewPayload {
  token: string;
}

/** Events the server emits to a user's room (every tab and device of that user). */
export interface ServerToClientEvents {
  /** A message was stored in a conversation the user is a member of (including their own, for other tabs). */
  'message:new': (message: Message) => void;
  /**
   * A message was edited, deleted or reacted to: its whole view now (same shape as history). Sent to every device
   * of every active member. Apply it only if its `changeSeq` is higher than the held copy's; replace the quote of
   * replies to it and the conversation's `lastMessage` when that is this message.
   */
  'message:updated': (message: Message) => void;
  /** A conversation the user belongs to appeared or changed (as that user sees it). */
  'conversation:updated': (conversation: ConversationSummary) => void;
  /**
   * The user is no longer in this conversation at all (they declined its request or invitation, on this or
   * another device): drop it from the list.
   */
  'conversation:removed': (payload: { conversationId: string }) => void;
  /**
   * Someone who shares a conversation with the user (or the user themself, on their other devices) changed their
   * public profile, e.g. their avatar. Clients update that person wherever they show them.
   */
  'user:updated': (user: PublicUser) => void;
  /**
   * Right after connecting, and again whenever the user's contacts change (a request accepted, a block, a privacy
   * setting): the presence of every contact (someone sharing an accepted conversation, no block either way). It
   * replaces the previous snapshot: someone absent from it is no longer visible. `lastSeenAt` is null when either
   * side chose "last seen: nobody".
   */
  'presence:snapshot': (states: PresenceState[]) => void;
  /** A contact (as in `presence:snapshot`) came online or went offline. */
  'presence:update': (state: PresenceState) => void;
  'typing:update': (event: TypingEvent) => void;
  'receipt:update': (event: ReceiptEvent) => void;
  /**
   * The server is about to disconnect this socket because its access token expired (TOKEN_EXPIRED) or its session
   * was revoked (SESSION_REVOKED: signed out, or the account deleted; ACCOUNT_DEACTIVATED: an instance
   * administrator switched the account off). The client refreshes (if it can) and reconnects, then resyncs; after
   * a revocation the refresh fails and the client is signed out.
   */
  'session:expired': (error: ErrorPayload) => void;
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
