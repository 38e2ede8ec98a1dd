import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type Ack, ErrorCode, type Message } from '@chat/shared';
import { SessionLiveness } from '../auth/session-liveness.js';
import { TokensService } from '../auth/tokens.service.js';
import { AppConfig } from '../config/app-config.js';
import { AppError } from '../common/app-error.js';
import { mapError } from '../common/error-mapping.js';
import { WriteRateLimiter } from '../common/write-rate-limiter.js';
import { validateInput } from '../common/validation.js';
import {
  DeleteMessagePayloadDto,
  EditMessagePayloadDto,
  ForwardMessagePayloadDto,
  ReactionPayloadDto,
} from '../messages/dto/message-actions.dto.js';
import { SendMessagePayloadDto } from '../messages/dto/send-message.dto.js';
import { MessageActionsService } from '../messages/message-actions.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { SessionRenewPayloadDto } from './dto/session-renew.dto.js';
import { RealtimePublisher, userRoom } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';
import type { ChatServer, ChatSocket } from './socket.types.js';

/** What `connect_error` carries on the client when the handshake is refused. */
interface HandshakeError extends Error {
  data?: unknown;
}

/**
 * The Socket.IO gateway (same port as REST, path /socket.io). It authenticates the handshake, puts each socket
 * in its user's room, and translates events into service calls; it holds no rules. Options (CORS, payload limit)
 * come from ChatIoAdapter. Idea from immich's websocket repository: typed events, auth at connection, a room per
 * user.
 */
@WebSocketGateway()
export class ChatGateway implements OnGatewayInit<ChatServer>, OnGatewayConnection<ChatSocket> {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly tokens: TokensService,
    private readonly messages: MessagesService,
    private readonly actions: MessageActionsService,
    private readonly publisher: RealtimePublisher,
    private readonly liveness: SessionLiveness,
    private readonly config: AppConfig,
    private readonly writeLimit: WriteRateLimiter,
  ) {}

  /**
   * Installs the handshake checks as Socket.IO middleware, so a refused client never becomes "connected" and never
   * joins a room. Refusals fail with `connect_error` whose message is the ErrorCode and whose `data` is the
   * ErrorPayload, in this order:
   * - ORIGIN_NOT_ALLOWED: the handshake request (websocket upgrade or first polling request alike) carries an
   *   `Origin` that is not one of WEB_ORIGIN. Browsers always send it on these requests and a page cannot forge
   *   it, so this stops another site from opening a socket with a person's token (cross-site WebSocket
   *   hijacking; WebSockets are not covered by CORS). A request without `Origin` is not a browser page (a native
   *   app, a bot, the tests) and is let through: it must still present a valid access token, which such a client
   *   can only have from its own sign-in, so the header would add nothing there.
   * - UNAUTHENTICATED / TOKEN_EXPIRED: a missing, invalid or expired `auth.token`.
   * - SESSION_REVOKED: a genuine token of a session that is gone (signed out, revoked by refresh-token reuse,
   *   expired or unknown), since an access token outlives its session by up to its TTL and the session record is
   *   the authority. (A revocation landing after this check is caught by LiveStateGateway, which re-checks once the
   *   socket is in its session room.) SERVICE_UNAVAILABLE when sessions cannot be read.
   * - TOO_MANY_CONNECTIONS: the person already holds SOCKETS_PER_USER_MAX sockets on this process.
   */
  afterInit(server: ChatServer): void {
    if (this.publisher instanceof SocketIoRealtimePublisher) this.publisher.attach(server);
    server.use((socket, next) => {
      const auth: unknown = socket.handshake.auth;
      const token =
        typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
      this.checkOrigin(socket.handshake.headers.origin)
        .then(() => this.authenticate(token))
        .then((verified) => {
          this.checkConnectionCap(server, verified.userId);
          socket.data.userId = verified.userId;
          socket.data.sessionId = verified.sessionId;
          socket.data.tokenExpiresAt = verified.expiresAt;
          next();
        })
        .catch((error: unknown) => {
          const { payload, unexpected } = mapError(error);
          if (unexpected) this.logger.error(error);
          const refusal: HandshakeError = new Error(payload.code);
          refusal.data = payload;
          next(refusal);
        });
    });
  }

  /**
   * @param origin the handshake's `Origin` header (undefined when the client is not a browser page)
   * @throws AppError ORIGIN_NOT_ALLOWED when present and not one of WEB_ORIGIN (exact match)
   */
  private async checkOrigin(origin: string | undefined): Promise<void> {
    if (origin === undefined || this.config.webOrigins.includes(origin)) return;
    throw new AppError(
      ErrorCode.ORIGIN_NOT_ALLOWED,
      'This page may not connect to the chat service.',
    );
  }

  /**
   * Counts the person's sockets by their user room on this process (rooms are the authority: a socket leaves on
   * disconnect). The check and the join in handleConnection run in the same turn of the event loop for the
   * in-memory adapter, so concurrent handshakes cannot slip past the cap together.
   * @throws AppError TOO_MANY_CONNECTIONS when the person already holds `socketsPerUserMax` sockets
   */
  private checkConnectionCap(server: ChatServer, userId: string): void {
    const held = server.sockets.adapter.rooms.get(userRoom(userId))?.size ?? 0;
    if (held < this.config.socketsPerUserMax) return;
    throw new AppError(
      ErrorCode.TOO_MANY_CONNECTIONS,
      `At most ${this.config.socketsPerUserMax} connections at once; close another tab or device.`,
    );
  }

  /**
   * The access token's claims if it verifies and its session is live now (SessionLiveness, read afresh).
   * @throws AppError UNAUTHENTICATED / TOKEN_EXPIRED (token), SESSION_REVOKED (session), SERVICE_UNAVAILABLE
   *   (the session store cannot be read: retry later)
   */
  private async authenticate(token: unknown) {
    const verified = await this.tokens.verifyAccessToken(token);
    await this.liveness.requireLive(verified);
    return verified;
  }

  /** Joins the user's room: the only room a client is ever in, chosen by the server. */
  async handleConnection(socket: ChatSocket): Promise<void> {
    await socket.join(userRoom(socket.data.userId));
  }

  /**
   * `message:send`: validated like a REST body (a non-object or malformed payload gets an error ack, never a
   * crash), acked with the stored message only after it is durable. Without an ack callback the result is
   * simply not reported (Nest's IoAdapter calls the ack only when the client passed one). Beyond the sender's write
   * limit: error ack RATE_LIMITED with `retryAfterMs`, checked first so a flood costs no validation or storage.
   */
  @SubscribeMessage('message:send')
  async onSend(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    try {
      await this.writeLimit.take(socket.data.userId);
      const input = await validateInput(SendMessagePayloadDto, payload);
      const { message } = await this.messages.send(socket.data.userId, input);
      return { ok: true, data: message };
    } catch (error) {
      const { payload: errorPayload, unexpected } = mapError(error);
      if (unexpected) this.logger.error(error);
      return { ok: false, error: errorPayload };
    }
  }

  /**
   * Message actions (`message:edit`, `message:delete`, `reaction:add`, `reaction:remove`, `message:forward`): each
   * counts one write against the limit (checked first), is validated like its REST twin, and is acked with the
   * message as it is now (for a forward: the new message in the target) once stored; MessageActionsService holds
   * the rules. Error acks carry the AppError code (docs/protocol.md, "Message actions").
   */
  @SubscribeMessage('message:edit')
  onEdit(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    return this.act(socket, async (userId) => {
      const input = await validateInput(EditMessagePayloadDto, payload);
      return this.actions.edit(userId, input, input.body);
    });
  }

  @SubscribeMessage('message:delete')
  onDelete(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    return this.act(socket, async (userId) => {
      const input = await validateInput(DeleteMessagePayloadDto, payload);
      return this.actions.delete(userId, input);
    });
  }

  @SubscribeMessage('reaction:add')
  onReactionAdd(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    return this.act(socket, async (userId) => {
      const input = await validateInput(ReactionPayloadDto, payload);
      return this.actions.addReaction(userId, input, input.emoji);
    });
  }

  @SubscribeMessage('reaction:remove')
  onReactionRemove(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    return this.act(socket, async (userId) => {
      const input = await validateInput(ReactionPayloadDto, payload);
      return this.actions.removeReaction(userId, input, input.emoji);
    });
  }

  @SubscribeMessage('message:forward')
  onForward(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<Message>> {
    return this.act(socket, async (userId) => {
      const input = await validateInput(ForwardMessagePayloadDto, payload);
      const { message } = await this.actions.forward(
        userId,
        { conversationId: input.conversationId, messageId: input.messageId },
        input.targetConversationId,
        input.clientMessageId,
      );
      return message;
    });
  }

  /** One write of the socket's user (the limit first), then `run`; any failure becomes an error ack. */
  private async act<T>(socket: ChatSocket, run: (userId: string) => Promise<T>): Promise<Ack<T>> {
    try {
      await this.writeLimit.take(socket.data.userId);
      return { ok: true, data: await run(socket.data.userId) };
    } catch (error) {
      const { payload: errorPayload, unexpected } = mapError(error);
      if (unexpected) this.logger.error(error);
      return { ok: false, error: errorPayload };
    }
  }

  /**
   * `session:renew` `{ token }`: a live socket takes the access token the client just got by refreshing, so it is
   * not cut when the token it connected with expires (LiveStateGateway's expiry timer re-arms when
   * `tokenExpiresAt` moved later). The token must verify, its session be live, and its user and session be the
   * socket's own; the socket's expiry only moves later.
   * @returns ack `{ expiresAt }` (ISO 8601): when the socket will now be cut unless renewed again; error acks
   *   VALIDATION_FAILED (payload), UNAUTHENTICATED / TOKEN_EXPIRED (token, or another user's or session's),
   *   SESSION_REVOKED, each changing nothing
   */
  @SubscribeMessage('session:renew')
  async onRenew(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<{ expiresAt: string }>> {
    try {
      const { token } = await validateInput(SessionRenewPayloadDto, payload);
      const verified = await this.authenticate(token);
      if (verified.userId !== socket.data.userId || verified.sessionId !== socket.data.sessionId) {
        throw new AppError(
          ErrorCode.UNAUTHENTICATED,
          'That access token belongs to another session.',
        );
      }
      socket.data.tokenExpiresAt = Math.max(socket.data.tokenExpiresAt, verified.expiresAt);
      return { ok: true, data: { expiresAt: new Date(socket.data.tokenExpiresAt).toISOString() } };
    } catch (error) {
      const { payload: errorPayload, unexpected } = mapError(error);
      if (unexpected) this.logger.error(error);
      return { ok: false, error: errorPayload };
    }
  }
}
