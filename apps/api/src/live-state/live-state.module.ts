import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { LiveStateGateway } from './live-state.gateway.js';
import { PresenceService } from './presence.service.js';
import { ReceiptsController } from './receipts.controller.js';
import { ReceiptsService } from './receipts.service.js';
import { TypingService } from './typing.service.js';

/**
 * Live state: presence (counts behind the PresenceTracker port, provided by RealtimeCoreModule), typing, receipts (socket and
 * REST) and cutting sockets whose token expired or session was revoked. Typing stops on a sent message and
 * presence snapshots refresh on new contacts by listening to domain events.
 */
@Module({
  imports: [AuthModule, ConversationsModule],
  controllers: [ReceiptsController],
  providers: [LiveStateGateway, PresenceService, TypingService, ReceiptsService],
})
export class LiveStateModule {}
