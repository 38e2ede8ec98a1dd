import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, type Message, type MessageChangesPage } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { validateInput } from '../common/validation.js';
import { WriteRateLimitGuard } from '../common/write-rate-limiter.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';
import {
  ChangesQueryDto,
  EditMessageDto,
  ForwardMessageDto,
  ReactionParamDto,
} from './dto/message-actions.dto.js';
import { MessageActionsService } from './message-actions.service.js';

/** Errors every action on one message may answer (besides its own). */
const ACTION_ERRORS = [
  ErrorCode.CONVERSATION_NOT_FOUND,
  ErrorCode.MEMBERSHIP_ENDED,
  ErrorCode.MESSAGE_NOT_FOUND,
  ErrorCode.MESSAGE_NOT_MODIFIABLE,
  ErrorCode.RATE_LIMITED,
];

/**
 * REST twins of the message-action socket events, under /api/conversations/:id/messages/:messageId (same rules,
 * same idempotency; each answers the message as it is now), and the changes feed /api/conversations/:id/changes.
 */
@Controller('conversations/:id')
export class MessageActionsController {
  constructor(private readonly actions: MessageActionsService) {}

  @ApiRoute({
    summary: 'Messages changed after a change value (the changes feed)',
    description:
      "Ascending by changeSeq, each message once, as the caller sees it now; page on with the last item's changeSeq while hasMore. A former member gets changes up to their departure.",
    auth: 'bearer',
    success: { status: 200, description: 'MessageChangesPage' },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Get('changes')
  changes(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Query() query: ChangesQueryDto,
  ): Promise<MessageChangesPage> {
    return this.actions.changes(conversationId, caller.userId, query);
  }

  @ApiRoute({
    summary: 'Edit a message (REST twin of message:edit)',
    description: 'The author only, text messages, within MESSAGE_EDIT_WINDOW_MINUTES when set.',
    auth: 'bearer',
    success: { status: 200, description: 'Message as it is now' },
    errors: [
      ...ACTION_ERRORS,
      ErrorCode.NOT_MESSAGE_AUTHOR,
      ErrorCode.MESSAGE_DELETED,
      ErrorCode.EDIT_WINDOW_CLOSED,
    ],
    validates: true,
  })
  @Patch('messages/:messageId')
  @UseGuards(WriteRateLimitGuard)
  edit(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Param('messageId', ParseIdPipe) messageId: string,
    @Body() body: EditMessageDto,
  ): Promise<Message> {
    return this.actions.edit(caller.userId, { conversationId, messageId }, body.body);
  }

  @ApiRoute({
    summary: 'Delete a message (REST twin of message:delete)',
    description:
      'The author, or in a group an admin. Erases body, reactions and attachments; answers the tombstone.',
    auth: 'bearer',
    success: { status: 200, description: 'Message (the tombstone)' },
    errors: [...ACTION_ERRORS, ErrorCode.NOT_MESSAGE_AUTHOR, ErrorCode.ADMIN_REQUIRED],
    validates: true,
  })
  @Delete('messages/:messageId')
  @HttpCode(200)
  @UseGuards(WriteRateLimitGuard)
  delete(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Param('messageId', ParseIdPipe) messageId: string,
  ): Promise<Message> {
    return this.actions.delete(caller.userId, { conversationId, messageId });
  }

  @ApiRoute({
    summary: 'Add my reaction (REST twin of reaction:add)',
    description:
      'The emoji is one emoji grapheme, URL-encoded. Adding one I already have changes nothing.',
    auth: 'bearer',
    success: { status: 200, description: 'Message as it is now' },
    errors: [...ACTION_ERRORS, ErrorCode.MESSAGE_DELETED, ErrorCode.REACTION_LIMIT_EXCEEDED],
    validates: true,
  })
  @Put('messages/:messageId/reactions/:emoji')
  @UseGuards(WriteRateLimitGuard)
  async addReaction(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Param('messageId', ParseIdPipe) messageId: string,
    @Param('emoji') emoji: string,
  ): Promise<Message> {
    const param = await validateInput(ReactionParamDto, { emoji });
    return this.actions.addReaction(caller.userId, { conversationId, messageId }, param.emoji);
  }

  @ApiRoute({
    summary: 'Remove my reaction (REST twin of reaction:remove)',
    description: 'Removing one I do not have changes nothing.',
    auth: 'bearer',
    success: { status: 200, description: 'Message as it is now' },
    errors: [...ACTION_ERRORS, ErrorCode.MESSAGE_DELETED],
    validates: true,
  })
  @Delete('messages/:messageId/reactions/:emoji')
  @HttpCode(200)
  @UseGuards(WriteRateLimitGuard)
  async removeReaction(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Param('messageId', ParseIdPipe) messageId: string,
    @Param('emoji') emoji: string,
  ): Promise<Message> {
    const param = await validateInput(ReactionParamDto, { emoji });
    return this.actions.removeReaction(caller.userId, { conversationId, messageId }, param.emoji);
  }

  @ApiRoute({
    summary: 'Forward a message to a conversation (REST twin of message:forward)',
    description:
      'A new message in the target with the body and copies of the attachments, marked forwarded. Idempotent on clientMessageId.',
    auth: 'bearer',
    success: { status: 201, description: 'Message in the target, stored now' },
    alsoSuccess: [
      { status: 200, description: 'Message, already stored under this clientMessageId (retry)' },
    ],
    errors: [...ACTION_ERRORS, ErrorCode.MESSAGE_DELETED],
    validates: true,
  })
  @Post('messages/:messageId/forward')
  @UseGuards(WriteRateLimitGuard)
  async forward(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Param('messageId', ParseIdPipe) messageId: string,
    @Body() body: ForwardMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Message> {
    const { message, created } = await this.actions.forward(
      caller.userId,
      { conversationId, messageId },
      body.targetConversationId,
      body.clientMessageId,
    );
    res.status(created ? 201 : 200);
    return message;
  }
}
