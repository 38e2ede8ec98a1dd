import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type ConversationSummary, type Page, ErrorCode } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { ConversationPageQueryDto } from '../common/page-query.dto.js';
import { ConversationsService } from './conversations.service.js';
import { NotificationLevelDto } from './dto/notification-level.dto.js';
import { OpenDirectDto } from './dto/open-direct.dto.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** /api/conversations: the caller's conversations (messages live in MessagesController). */
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @ApiRoute({
    summary: 'Open the direct conversation with someone',
    description:
      'One per pair: opening it twice returns the same conversation. With someone who shares no accepted conversation with the caller it arrives as a message request.',
    auth: 'bearer',
    success: { status: 201, description: 'ConversationSummary, created now' },
    alsoSuccess: [{ status: 200, description: 'ConversationSummary, which already existed' }],
    errors: [
      ErrorCode.CANNOT_MESSAGE_SELF,
      ErrorCode.USER_NOT_FOUND,
      ErrorCode.CONTACT_UNAVAILABLE,
    ],
    validates: true,
  })
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

  @ApiRoute({
    summary: 'My conversations, latest activity first',
    auth: 'bearer',
    success: { status: 200, description: 'Page<ConversationSummary>' },
    validates: true,
  })
  @Get()
  list(
    @CurrentUser() caller: AuthUser,
    @Query() query: ConversationPageQueryDto,
  ): Promise<Page<ConversationSummary>> {
    return this.conversations.list(caller.userId, query);
  }

  @ApiRoute({
    summary: 'One conversation',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Get(':id')
  get(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ConversationSummary> {
    return this.conversations.get(id, caller.userId);
  }

  @ApiRoute({
    summary: 'Accept my message request or group invitation',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary, no longer pending' },
    errors: [
      ErrorCode.CONVERSATION_NOT_FOUND,
      ErrorCode.MEMBERSHIP_ENDED,
      ErrorCode.NO_PENDING_REQUEST,
    ],
    validates: true,
  })
  @Post(':id/accept')
  @HttpCode(200)
  accept(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ConversationSummary> {
    return this.conversations.accept(id, caller.userId);
  }

  @ApiRoute({
    summary: 'Decline my message request or group invitation',
    description: 'Removes it for me (I am no member afterwards); the sender is not told.',
    auth: 'bearer',
    success: { status: 204, description: 'no body' },
    errors: [
      ErrorCode.CONVERSATION_NOT_FOUND,
      ErrorCode.MEMBERSHIP_ENDED,
      ErrorCode.NO_PENDING_REQUEST,
    ],
    validates: true,
  })
  @Post(':id/decline')
  @HttpCode(204)
  async decline(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.conversations.decline(id, caller.userId);
  }

  @ApiRoute({
    summary: 'Set my notification level for a conversation',
    description:
      'all / mentions / none (muted). Stored per member, so it follows the person to every device: their other tabs and devices get conversation:updated with the new level.',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary with the new level' },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Put(':id/notification-level')
  setNotificationLevel(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: NotificationLevelDto,
  ): Promise<ConversationSummary> {
    return this.conversations.setNotificationLevel(id, caller.userId, body.level);
  }
}
