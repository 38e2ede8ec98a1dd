import { Global, Module } from '@nestjs/common';
import { WriteRateLimiter } from '../common/write-rate-limiter.js';
import { ContactsEvents } from './contacts-events.js';
import { RealtimePublisher } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';

/**
 * Provides RealtimePublisher to every module (global) without importing the gateway, which itself depends on
 * the services that publish: this split avoids a module cycle. Also the per-person WriteRateLimiter, which the
 * gateways and the REST twins of their write events share.
 */
@Global()
@Module({
  providers: [
    SocketIoRealtimePublisher,
    { provide: RealtimePublisher, useExisting: SocketIoRealtimePublisher },
    ContactsEvents,
    WriteRateLimiter,
  ],
  exports: [RealtimePublisher, ContactsEvents, WriteRateLimiter],
})
export class RealtimeCoreModule {}
