import { Module } from '@nestjs/common';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { GroupsController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';

/** Conversations, groups and the access checks; RealtimePublisher comes from the global RealtimeCoreModule. */
@Module({
  controllers: [ConversationsController, GroupsController],
  providers: [ConversationsService, GroupsService],
  exports: [ConversationsService, GroupsService],
})
export class ConversationsModule {}
