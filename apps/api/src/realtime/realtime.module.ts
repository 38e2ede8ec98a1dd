import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { ChatGateway } from './chat.gateway.js';
import { RealtimeFanOut } from './fan-out.listener.js';

/** The Socket.IO chat gateway and the fan-out listener (domain events -> socket events). */
@Module({
  imports: [AuthModule, ConversationsModule, MessagesModule],
  providers: [ChatGateway, RealtimeFanOut],
})
export class RealtimeModule {}
