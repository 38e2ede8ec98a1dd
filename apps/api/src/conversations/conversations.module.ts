import { Module } from '@nestjs/common';
import { ConversationAccess } from './conversation-access.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { GroupsController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';
import { LiveAudience } from './live-audience.js';

/**
 * Conversations, groups and the access checks (ConversationAccess). Changes are published as domain events
 * (the global EventsModule); this module imports no transport.
 */
@Module({
  controllers: [ConversationsController, GroupsController],
  providers: [ConversationAccess, ConversationsService, GroupsService, LiveAudience],
  exports: [ConversationAccess, ConversationsService, GroupsService, LiveAudience],
})
export class ConversationsModule {}
