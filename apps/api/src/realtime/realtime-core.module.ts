import { Global, Module } from '@nestjs/common';
import { ContactsEvents } from './contacts-events.js';
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
    ContactsEvents,
  ],
  exports: [RealtimePublisher, ContactsEvents],
})
export class RealtimeCoreModule {}
