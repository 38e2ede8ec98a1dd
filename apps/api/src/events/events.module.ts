import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { DomainEvents } from './domain-events.js';

/**
 * The in-process domain event bus (global): EventEmitter2 through @nestjs/event-emitter, and the typed
 * DomainEvents publisher every service uses.
 */
@Global()
@Module({
  imports: [EventEmitterModule.forRoot()],
  providers: [DomainEvents],
  exports: [DomainEvents],
})
export class EventsModule {}
