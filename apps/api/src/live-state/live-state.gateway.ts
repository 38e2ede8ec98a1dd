import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type Ack, ErrorCode, type ErrorPayload, type ReceiptEvent } from '@chat/shared';
import { SessionLiveness } from '../auth/session-liveness.js';
import { AppError } from '../common/app-error.js';
import { mapError } from '../common/error-mapping.js';
import { WriteRateLimiter } from '../common/write-rate-limiter.js';
import { validateInput } from '../common/validation.js';
import { sessionRoom } from '../realtime/realtime.publisher.js';
import type { ChatSocket } from '../realtime/socket.types.js';
import { ReceiptPayloadDto } from './dto/receipt.dto.js';
import { TypingPayloadDto } from './dto/typing.dto.js';
import { PresenceService } from './presence.service.js';
import { ReceiptsService } from './receipts.service.js';
import { TypingService } from './typing.service.js';

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days); longer tokens are re-checked when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Live state on the same Socket.IO server as ChatGateway (Nest shares one server per port and namespace; the
 * handshake is authenticated there, so `socket.data` is set before any handler here runs):
 * - on connect: joins the socket to its session room (for revocation), re-checks the session with the one
 *   live-session rule, SessionLiveness (the handshake
 *   middleware in ChatGateway refuses a dead session before any room is joined; this closes the gap of a
 *   revocation landing between that check and the join), arms a timer that cuts it when its access token
 *   expires, tells presence (which may announce "online") and sends `presence:snapshot`;
 * - on disconnect: presence bookkeeping (the socket leaves the tracker's count, in every process's view);
 * - `typing:update` and `receipt:update` translated into service calls (no rules here), each taking one write of
 *   the person's WriteRateLimiter allowance first (error ack RATE_LIMITED with `retryAfterMs` beyond it).
 * Cutting a socket always sends `session:expired` with the reason first, then a server-side disconnect.
 */
@WebSocketGateway()
export class LiveStateGateway
  implements OnGatewayConnection<ChatSocket>, OnGatewayDisconnect<ChatSocket>
{
  private readonly logger = new Logger(LiveStateGateway.name);
  private readonly expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly presence: PresenceService,
    private readonly typing: TypingService,
    private readonly receipts: ReceiptsService,
    private readonly liveness: SessionLiveness,
    private readonly writeLimit: WriteRateLimiter,
  ) {}

  async handleConnection(socket: ChatSocket): Promise<void> {
    const { userId, sessionId } = socket.data;
    // A crafted client cannot get here without the handshake middleware having set these.
    if (!userId || !sessionId) return;
    this.armExpiry(socket);
    try {
      await socket.join(sessionRoom(sessionId));
      // Checked in the handshake too; a revocation published before this join was not heard here.
      try {
        await this.liveness.requireLive({ userId, sessionId });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== ErrorCode.SESSION_REVOKED) throw error;
        cut(socket, { code: ErrorCode.SESSION_REVOKED, message: 'This session was signed out.' });
        return;
      }
      // It may have gone while we awaited: counting it now would leave a socket that never disconnects.
      if (!socket.connected) return;
      const snapshot = await this.presence.connected(userId);
      socket.emit('presence:snapshot', snapshot);
    } catch (error) {
      this.logger.error(error);
    }
  }

  handleDisconnect(socket: ChatSocket): void {
    const timer = this.expiryTimers.get(socket.id);
    if (timer) clearTimeout(timer);
    this.expiryTimers.delete(socket.id);
    // Every accepted socket was counted by the handshake (PresenceTracker.reserve in ChatGateway).
    if (!socket.data.userId) return;
    this.presence
      .disconnected(socket.data.userId, socket.id)
      .catch((error: unknown) => this.logger.error(error));
  }

  /** `typing:update`: acked `{ ok: true, data: null }` (also when throttled away) or an error. */
  @SubscribeMessage('typing:update')
  async onTyping(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<null>> {
    try {
      await this.writeLimit.take(socket.data.userId);
      const input = await validateInput(TypingPayloadDto, payload);
      await this.typing.update(socket.data.userId, input);
      return { ok: true, data: null };
    } catch (error) {
      return this.fail(error);
    }
  }

  /** `receipt:update`: acked with the caller's watermarks after the change. */
  @SubscribeMessage('receipt:update')
  async onReceipt(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<ReceiptEvent>> {
    try {
      await this.writeLimit.take(socket.data.userId);
      const input = await validateInput(ReceiptPayloadDto, payload);
      return { ok: true, data: await this.receipts.update(socket.data.userId, input) };
    } catch (error) {
      return this.fail(error);
    }
  }

  private fail(error: unknown): { ok: false; error: ErrorPayload } {
    const { payload, unexpected } = mapError(error);
    if (unexpected) this.logger.error(error);
    return { ok: false, error: payload };
  }

  /** Cuts the socket when its access token expires (the server's clock), with TOKEN_EXPIRED. */
  private armExpiry(socket: ChatSocket): void {
    const remaining = socket.data.tokenExpiresAt - Date.now();
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(socket.id);
        if (socket.data.tokenExpiresAt > Date.now()) return this.armExpiry(socket);
        cut(socket, { code: ErrorCode.TOKEN_EXPIRED, message: 'The access token has expired.' });
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
  }
}

/** Tells the client why, then disconnects it from the server side (clients do not auto-retry that). */
function cut(socket: ChatSocket, error: ErrorPayload): void {
  socket.emit('session:expired', error);
  socket.disconnect();
}
