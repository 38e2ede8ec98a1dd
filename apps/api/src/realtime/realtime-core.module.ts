import { Global, Module } from '@nestjs/common';
import { WriteRateLimiter } from '../common/write-rate-limiter.js';
import { RealtimePublisher } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';

/**
 * Provides RealtimePublisher to every module (global) without importing the gateway, which itself depends on
 * the services: this split avoids a module cycle. Its users are the transport side only (the fan-out listener,
 * live state); services publish domain events instead. Also the per-person WriteRateLimiter, which the gateways
 * and the REST twins of their write events share.
 */
@Global()
@Module({
  providers: [
    SocketIoRealtimePublisher,
    { provide: RealtimePublisher, useExisting: SocketIoRealtimePublisher },
    WriteRateLimiter,
  ],
  exports: [RealtimePublisher, WriteRateLimiter],
})
export class RealtimeCoreModule {}
