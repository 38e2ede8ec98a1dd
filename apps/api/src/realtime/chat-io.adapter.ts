import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
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
}
