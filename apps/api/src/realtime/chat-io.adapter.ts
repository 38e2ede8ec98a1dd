import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { LIMITS } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';

/**
 * IoAdapter with the options that depend on configuration (a gateway decorator is evaluated at import time, before
 * config exists): CORS for WEB_ORIGIN with credentials, and `maxHttpBufferSize` = LIMITS.SOCKET_MAX_PAYLOAD_BYTES
 * (Socket.IO closes a connection that sends a bigger frame; its default is 1 MB).
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
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
    return super.createIOServer(port, merged);
  }
}
