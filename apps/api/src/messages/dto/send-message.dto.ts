import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { LIMITS, type SendMessageBody, type SendMessagePayload } from '@chat/shared';
import { ID_MAX_LENGTH, ID_PATTERN, IsId } from '../../common/ids.js';
import { Trim } from '../../common/transforms.js';

/**
 * A hard ceiling on the list's length, well above LIMITS.ATTACHMENTS_PER_MESSAGE: lists between the two are
 * well-formed and get the service's TOO_MANY_ATTACHMENTS; only absurd ones are refused as malformed.
 */
const ATTACHMENT_IDS_HARD_MAX = 100;

/**
 * POST /api/conversations/:id/messages body. The body is trimmed first, then must be 0..4000 UTF-16 code units
 * (LIMITS.MESSAGE_BODY_*; at least 1 without attachments: MessagesService.send checks that); the client message id
 * is a UUID (any version); `attachmentIds` optional distinct ids.
 */
export class SendMessageDto implements SendMessageBody {
  @IsUUID('all')
  clientMessageId: string;

  @Trim()
  @IsString()
  @Length(0, LIMITS.MESSAGE_BODY_MAX)
  body: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ATTACHMENT_IDS_HARD_MAX)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, ID_MAX_LENGTH, { each: true })
  @Matches(ID_PATTERN, { each: true, message: 'each value in $property must be an id' })
  attachmentIds?: string[];
}

/** `message:send` socket payload: the REST body plus the conversation id. */
export class SendMessagePayloadDto extends SendMessageDto implements SendMessagePayload {
  @IsId()
  conversationId: string;
}
