import type { INestApplicationContext, WsMessageHandler } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Observable, Subscription } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { LIMITS } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';
import type { RedisConnection } from '../redis/redis.connection.js';

/**
 * IoAdapter with the options that depend on configuration (a gateway decorator is evaluated at import time, before
 * config exists): CORS for WEB_ORIGIN with credentials, and `maxHttpBufferSize` = LIMITS.SOCKET_MAX_PAYLOAD_BYTES
 * (Socket.IO closes a connection that sends a bigger frame; its default is 1 MB).
 *
 * With REDIS_URL, the official Socket.IO Redis adapter (classic pub/sub, channels under REDIS_KEY_PREFIX): every
 * broadcast (`to(rooms).emit`, `in(room).disconnectSockets()`) reaches the sockets of every API process. Classic
 * rather than sharded pub/sub: one Redis (not a cluster) is the deployment, where sharded channels buy nothing, and
 * it works with ioredis, which the rest of the API uses (docs/scaling.md).
 *
 * Event handlers are bound with one plain listener per event (bindMessageHandlers), not IoAdapter's RxJS pipeline
 * per event per socket.
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisConnection | null = null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    // Socket.IO itself takes a Partial<ServerOptions>; Nest's signature names the full type.
    const merged = {
      ...options,
      cors: { origin: [...this.config.webOrigins], credentials: true },
      maxHttpBufferSize: LIMITS.SOCKET_MAX_PAYLOAD_BYTES,
    } as ServerOptions;
    const server = super.createIOServer(port, merged) as Server;
    if (this.redis?.client) {
      server.adapter(
        createAdapter(this.redis.publisher(), this.redis.subscriber(), {
          key: this.redis.key('socket.io'),
          // Answers to cross-process requests (fetchSockets, serverSideEmit acks) go to the asking process only.
          publishOnSpecificResponseChannel: true,
        }),
      );
    }
    return server;
  }

  /**
   * One plain listener per subscribed event on each socket, instead of IoAdapter's RxJS pipeline per event per socket
   * (`fromEvent` + `mergeMap` + `takeUntil(disconnect)` and their subscribers: about 40 KB of heap for an idle
   * socket of this API's nine events, measured with the load benchmark's V8 heap figure, docs/performance.md).
   * Same behaviour as IoAdapter: the payload and ack are split the same way (`mapPayload`); the handler's result,
   * which Nest's `transform` turns into an Observable, is sent as the ack unless the handler acks by itself, or
   * emitted when it is `{ event, data }`; nothing is sent for null or undefined; a handler that throws is logged
   * and the event keeps working. Concurrent events on one socket run concurrently, as with `mergeMap`. Results
   * still pending when the socket closes are unsubscribed (as IoAdapter's `takeUntil(disconnect)` did); an ack
   * after the socket closed would be dropped by Socket.IO anyway.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: WsMessageHandler[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    // What handlers still produce when the socket closes is unsubscribed then (IoAdapter's takeUntil(disconnect)).
    const running = new Set<Subscription>();
    socket.once('disconnect', () => {
      for (const subscription of running) subscription.unsubscribe();
      running.clear();
    });
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message, (...args: unknown[]) => {
        // As rxjs `fromEvent` hands a listener's arguments on: one argument as is, several as an array.
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        const reply = (response: unknown) => {
          if (response === null || response === undefined) return;
          if (typeof response === 'object' && 'event' in response && response.event) {
            socket.emit(String(response.event), (response as { data?: unknown }).data);
            return;
          }
          if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        try {
          const subscription = transform(callback(data, ack)).subscribe({
            next: reply,
            error: (error: unknown) => this.logger.error(error),
          });
          // Still running (an asynchronous result): keep it until it finishes or the socket closes.
          if (!subscription.closed && socket.connected) {
            running.add(subscription);
            subscription.add(() => running.delete(subscription));
          } else if (!socket.connected) {
            subscription.unsubscribe();
          }
        } catch (error) {
          this.logger.error(error);
        }
      });
    }
  }
}
