import { Module } from '@nestjs/common';
import { FileStorageModule } from '../attachments/file-storage.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessageActionsController } from './message-actions.controller.js';
import { MessageActionsService } from './message-actions.service.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

/**
 * Sending, history, message actions (edit, delete, reactions, forward) and the changes feed; used by REST here and
 * by the Socket.IO gateway. FileStorage: deletion erases attachment files, forwarding copies them.
 */
@Module({
  imports: [ConversationsModule, FileStorageModule],
  controllers: [MessagesController, MessageActionsController],
  providers: [MessagesService, MessageActionsService],
  exports: [MessagesService, MessageActionsService],
})
export class MessagesModule {}
