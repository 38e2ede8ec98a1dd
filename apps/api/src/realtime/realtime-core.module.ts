import { Global, Module } from '@nestjs/common';
import { RealtimePublisher } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';

/**
 * Provides RealtimePublisher to every module (global) without importing the gateway, which itself depends on
 * the services that publish: this split avoids a module cycle.
 */
@Global()
@Module({
  providers: [
    SocketIoRealtimePublisher,
    { provide: RealtimePublisher, useExisting: SocketIoRealtimePublisher },
  ],
  exports: [RealtimePublisher],
})
export class RealtimeCoreModule {}
