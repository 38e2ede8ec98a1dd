import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ConversationSummary, Page } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { ConversationPageQueryDto } from '../common/page-query.dto.js';
import { ConversationsService } from './conversations.service.js';
import { OpenDirectDto } from './dto/open-direct.dto.js';

/** /api/conversations: the caller's conversations (messages live in MessagesController). */
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** 201 when created, 200 when it already existed. */
  @Post('direct')
  async openDirect(
    @CurrentUser() caller: AuthUser,
    @Body() body: OpenDirectDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConversationSummary> {
    const { conversation, created } = await this.conversations.openDirect(
      caller.userId,
      body.userId,
    );
    res.status(created ? 201 : 200);
    return conversation;
  }

  /** 200 Page<ConversationSummary>, latest activity first. */
  @Get()
  list(
    @CurrentUser() caller: AuthUser,
    @Query() query: ConversationPageQueryDto,
  ): Promise<Page<ConversationSummary>> {
    return this.conversations.list(caller.userId, query);
  }

  /** 200 ConversationSummary; 404 CONVERSATION_NOT_FOUND when missing or not a member. */
  @Get(':id')
  get(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ConversationSummary> {
    return this.conversations.get(id, caller.userId);
  }
}
