import { Injectable, Logger } from '@nestjs/common';
import type { ErrorPayload, ServerToClientEvents } from '@chat/shared';
import { RealtimePublisher, sessionRoom, userRoom } from './realtime.publisher.js';
import type { ChatServer } from './socket.types.js';

/**
 * RealtimePublisher over the Socket.IO server. The gateway hands the server over in `afterInit`; until then (and
 * after shutdown) events are dropped with a debug log, because clients resync by history anyway.
 */
@Injectable()
export class SocketIoRealtimePublisher extends RealtimePublisher {
  private readonly logger = new Logger(SocketIoRealtimePublisher.name);
  private server: ChatServer | null = null;

  /** Called by the gateway once the server exists. */
  attach(server: ChatServer): void {
    this.server = server;
  }

  toUsers<E extends keyof ServerToClientEvents>(
    userIds: readonly string[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    if (!this.server) {
      this.logger.debug(`dropped ${event}: no socket server`);
      return;
    }
    if (userIds.length === 0) return;
    // One emit to the union of rooms: Socket.IO delivers once per socket even if it is in several of them.
    this.server.to([...new Set(userIds)].map(userRoom)).emit(event, ...args);
  }

  endSession(sessionId: string, error: ErrorPayload): void {
    if (!this.server) return;
    const room = sessionRoom(sessionId);
    // Packets to one socket are written in order, so `session:expired` reaches the client before the disconnect.
    this.server.to(room).emit('session:expired', error);
    this.server.in(room).disconnectSockets(false);
  }
}
