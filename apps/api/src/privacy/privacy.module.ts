import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { PrivacyController } from './privacy.controller.js';
import { PrivacyService } from './privacy.service.js';

/** Privacy settings and blocks (docs/privacy.md); the rules they feed live in ConversationAccess and LiveAudience. */
@Module({
  imports: [ConversationsModule],
  controllers: [PrivacyController],
  providers: [PrivacyService],
})
export class PrivacyModule {}
