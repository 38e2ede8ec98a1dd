import { Module } from '@nestjs/common';
import { ConversationAccess } from './conversation-access.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { GroupsController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';

/**
 * Conversations, groups and the access checks (ConversationAccess). Changes are published as domain events
 * (the global EventsModule); this module imports no transport.
 */
@Module({
  controllers: [ConversationsController, GroupsController],
  providers: [ConversationAccess, ConversationsService, GroupsService],
  exports: [ConversationAccess, ConversationsService, GroupsService],
})
export class ConversationsModule {}
