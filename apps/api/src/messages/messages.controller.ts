import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import {
  type Message,
  type MessagePage,
  type MessageSearchHit,
  type MessageWindow,
  type Page,
  ErrorCode,
} from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { WriteRateLimitGuard } from '../common/write-rate-limiter.js';
import { HistoryAroundQueryDto } from './dto/history-around.query.js';
import { HistoryQueryDto } from './dto/history.query.js';
import { MessageSearchQueryDto } from './dto/message-search.query.js';
import { SendMessageDto } from './dto/send-message.dto.js';
import { MessagesService } from './messages.service.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** /api/conversations/:id/messages: history pages and the REST twin of `message:send`. */
@Controller('conversations/:id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @ApiRoute({
    summary: 'A page of history, ascending by seq',
    description:
      'Give at most one of `before` / `after`; neither means the newest page. A former member reads up to their departure.',
    auth: 'bearer',
    success: { status: 200, description: 'MessagePage' },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Get()
  history(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Query() query: HistoryQueryDto,
  ): Promise<MessagePage> {
    return this.messages.history(conversationId, caller.userId, query);
  }

  @ApiRoute({
    summary: 'A window of history around one seq, ascending',
    description:
      'Up to `limit` messages with seq <= `seq` and up to `limit` above it (for jumping to a search result). A former member reads up to their departure.',
    auth: 'bearer',
    success: { status: 200, description: 'MessageWindow' },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Get('around')
  around(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Query() query: HistoryAroundQueryDto,
  ): Promise<MessageWindow> {
    return this.messages.around(conversationId, caller.userId, query);
  }

  @ApiRoute({
    summary: 'Send a message (REST twin of message:send)',
    auth: 'bearer',
    success: { status: 201, description: 'Message, stored now' },
    alsoSuccess: [
      {
        status: 200,
        description: 'Message, already stored under this clientMessageId (idempotent retry)',
      },
    ],
    errors: [
      ErrorCode.CONVERSATION_NOT_FOUND,
      ErrorCode.MEMBERSHIP_ENDED,
      ErrorCode.TOO_MANY_ATTACHMENTS,
      ErrorCode.ATTACHMENT_NOT_FOUND,
      ErrorCode.ATTACHMENT_IN_USE,
      ErrorCode.MENTION_NOT_MEMBER,
      ErrorCode.NOT_A_GROUP,
      ErrorCode.ADMIN_REQUIRED,
      ErrorCode.RATE_LIMITED,
    ],
    validates: true,
  })
  @Post()
  @UseGuards(WriteRateLimitGuard)
  async send(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Body() body: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Message> {
    const { message, created } = await this.messages.send(caller.userId, {
      conversationId,
      ...body,
    });
    res.status(created ? 201 : 200);
    return message;
  }
}

/** /api/search: full-text search over the messages the caller may read. */
@Controller('search')
export class SearchController {
  constructor(private readonly messages: MessagesService) {}

  @ApiRoute({
    summary: 'Search my messages',
    description:
      "Every word must match (case and accents ignored; the last word also as a prefix); best match first, ties newest first. Only conversations the caller is in, and a former member's history up to their departure. Keyset pages.",
    auth: 'bearer',
    success: { status: 200, description: 'Page<MessageSearchHit>' },
    validates: true,
  })
  @Get('messages')
  search(
    @CurrentUser() caller: AuthUser,
    @Query() query: MessageSearchQueryDto,
  ): Promise<Page<MessageSearchHit>> {
    return this.messages.search(caller.userId, query);
  }
}
