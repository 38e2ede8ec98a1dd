import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Message, MessagePage } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { WriteRateLimitGuard } from '../common/write-rate-limiter.js';
import { HistoryQueryDto } from './dto/history.query.js';
import { SendMessageDto } from './dto/send-message.dto.js';
import { MessagesService } from './messages.service.js';

/** /api/conversations/:id/messages: history pages and the REST twin of `message:send`. */
@Controller('conversations/:id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** 200 MessagePage in ascending seq; 404 CONVERSATION_NOT_FOUND for non-members. */
  @Get()
  history(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Query() query: HistoryQueryDto,
  ): Promise<MessagePage> {
    return this.messages.history(conversationId, caller.userId, query);
  }

  /**
   * 201 when stored now, 200 when the client message id was already stored (idempotent retry); 429 RATE_LIMITED
   * beyond the caller's write limit.
   */
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
