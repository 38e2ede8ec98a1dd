import { Global, Module } from '@nestjs/common';
import { RealtimePublisher } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';

/**
 * Provides RealtimePublisher to every module (global) without importing the gateway, which itself depends on
 * the services: this split avoids a module cycle. Its users are the transport side only (the fan-out listener,
 * live state); services publish domain events instead.
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
