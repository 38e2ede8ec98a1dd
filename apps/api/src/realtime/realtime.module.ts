import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { ChatGateway } from './chat.gateway.js';

/** The Socket.IO gateway. */
@Module({
  imports: [AuthModule, MessagesModule],
  providers: [ChatGateway],
})
export class RealtimeModule {}
