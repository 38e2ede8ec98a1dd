import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesController, SearchController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

/** Sending and history; used by REST here and by the Socket.IO gateway. */
@Module({
  imports: [ConversationsModule],
  controllers: [MessagesController, SearchController],
  providers: [MessagesService],
  exports: [MessagesService],
})
export class MessagesModule {}
