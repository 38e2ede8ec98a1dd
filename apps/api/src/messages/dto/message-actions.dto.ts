import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import {
  type ChangesQuery,
  type DeleteMessagePayload,
  type EditMessageBody,
  type EditMessagePayload,
  type ForwardMessageBody,
  type ForwardMessagePayload,
  LIMITS,
  type ReactionPayload,
} from '@chat/shared';
import { IsId } from '../../common/ids.js';
import { ToInt, Trim } from '../../common/transforms.js';
import { IsMultiLineText, NormalizeLineBreaks } from '../../common/validators.js';
import { IsReactionEmoji } from '../reaction-emoji.js';

/**
 * PATCH /api/conversations/:id/messages/:messageId body. Trimmed, line breaks made LF, no control characters but
 * tab and LF, 0..LIMITS.MESSAGE_BODY_MAX UTF-16 code units here; MessageActionsService requires at least 1 unless
 * the message has attachments (as for sending).
 */
export class EditMessageDto implements EditMessageBody {
  @Trim()
  @NormalizeLineBreaks()
  @IsString()
  @Length(0, LIMITS.MESSAGE_BODY_MAX)
  @IsMultiLineText()
  body: string;
}

/** `message:edit` payload: the REST body plus the message's place. */
export class EditMessagePayloadDto extends EditMessageDto implements EditMessagePayload {
  @IsId()
  conversationId: string;

  @IsId()
  messageId: string;
}

/** `message:delete` payload. */
export class DeleteMessagePayloadDto implements DeleteMessagePayload {
  @IsId()
  conversationId: string;

  @IsId()
  messageId: string;
}

/** `reaction:add` / `reaction:remove` payload: one emoji (see isReactionEmoji). */
export class ReactionPayloadDto implements ReactionPayload {
  @IsId()
  conversationId: string;

  @IsId()
  messageId: string;

  @IsReactionEmoji()
  emoji: string;
}

/** The `:emoji` route parameter of the REST reaction routes, validated like the socket payload's field. */
export class ReactionParamDto {
  @IsReactionEmoji()
  emoji: string;
}

/** POST /api/conversations/:id/messages/:messageId/forward body. */
export class ForwardMessageDto implements ForwardMessageBody {
  @IsId()
  targetConversationId: string;

  @IsUUID('all')
  clientMessageId: string;
}

/** `message:forward` payload. */
export class ForwardMessagePayloadDto extends ForwardMessageDto implements ForwardMessagePayload {
  @IsId()
  conversationId: string;

  @IsId()
  messageId: string;
}

/** GET /api/conversations/:id/changes?after=&limit= */
export class ChangesQueryDto implements ChangesQuery {
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after: number;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(LIMITS.CHANGES_PAGE_MAX)
  limit?: number;
}
