import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { LiveStateGateway } from './live-state.gateway.js';
import { PresenceService } from './presence.service.js';
import { InMemoryPresenceTracker, PresenceTracker } from './presence.tracker.js';
import { ReceiptsController } from './receipts.controller.js';
import { ReceiptsService } from './receipts.service.js';
import { TypingService } from './typing.service.js';

/**
 * Live state: presence (single-process tracker behind the PresenceTracker port), typing, receipts (socket and
 * REST) and cutting sockets whose token expired or session was revoked. Exports TypingService so a sent message
 * can stop its sender's typing indicator.
 */
@Module({
  imports: [ConversationsModule],
  controllers: [ReceiptsController],
  providers: [
    LiveStateGateway,
    PresenceService,
    TypingService,
    ReceiptsService,
    InMemoryPresenceTracker,
    { provide: PresenceTracker, useExisting: InMemoryPresenceTracker },
  ],
  exports: [TypingService, PresenceService],
})
export class LiveStateModule {}
