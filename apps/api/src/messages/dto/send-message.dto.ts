import { IsString, IsUUID, Length } from 'class-validator';
import { LIMITS, type SendMessageBody, type SendMessagePayload } from '@chat/shared';
import { IsId } from '../../common/ids.js';
import { Trim } from '../../common/transforms.js';

/**
 * POST /api/conversations/:id/messages body. The body is trimmed first, then must be 1..4000 UTF-16 code units
 * (LIMITS.MESSAGE_BODY_*); the client message id is a UUID (any version).
 */
export class SendMessageDto implements SendMessageBody {
  @IsUUID('all')
  clientMessageId: string;

  @Trim()
  @IsString()
  @Length(LIMITS.MESSAGE_BODY_MIN, LIMITS.MESSAGE_BODY_MAX)
  body: string;
}

/** `message:send` socket payload: the REST body plus the conversation id. */
export class SendMessagePayloadDto extends SendMessageDto implements SendMessagePayload {
  @IsId()
  conversationId: string;
}
