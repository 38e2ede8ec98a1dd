import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { LIMITS, type SendMessageBody, type SendMessagePayload } from '@chat/shared';
import { ID_MAX_LENGTH, ID_PATTERN, IsId } from '../../common/ids.js';
import { Trim } from '../../common/transforms.js';
import { IsMultiLineText, NormalizeLineBreaks } from '../../common/validators.js';

/**
 * A hard ceiling on the list's length, well above LIMITS.ATTACHMENTS_PER_MESSAGE: lists between the two are
 * well-formed and get the service's TOO_MANY_ATTACHMENTS; only absurd ones are refused as malformed.
 */
const ATTACHMENT_IDS_HARD_MAX = 100;

/** The (trimmed) body may be empty only when the message carries attachments (a photo without a caption). */
@ValidatorConstraint({ name: 'bodyOrAttachments' })
class BodyOrAttachments implements ValidatorConstraintInterface {
  validate(body: unknown, args: ValidationArguments): boolean {
    const ids = (args.object as { attachmentIds?: unknown }).attachmentIds;
    const hasAttachments = Array.isArray(ids) && ids.length > 0;
    return typeof body === 'string' && (hasAttachments || body.length >= LIMITS.MESSAGE_BODY_MIN);
  }

  defaultMessage(): string {
    return `body must be ${LIMITS.MESSAGE_BODY_MIN}..${LIMITS.MESSAGE_BODY_MAX} characters after trimming (it may be empty when attachmentIds is not)`;
  }
}

/**
 * POST /api/conversations/:id/messages body. The body is trimmed and its line breaks made LF first (no other
 * control characters but tab), then must be 1..4000 UTF-16 code units
 * (LIMITS.MESSAGE_BODY_*), or 0..4000 when `attachmentIds` is not empty; the client message id is a UUID (any
 * version); `attachmentIds` optional distinct ids (MessagesService.send applies the per-message limit); `replyToId`
 * an optional message id (MessagesService.send checks it names a message of this conversation).
 */
export class SendMessageDto implements SendMessageBody {
  @IsUUID('all')
  clientMessageId: string;

  @Trim()
  @NormalizeLineBreaks()
  @IsString()
  @Length(0, LIMITS.MESSAGE_BODY_MAX)
  @IsMultiLineText()
  @Validate(BodyOrAttachments)
  body: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ATTACHMENT_IDS_HARD_MAX)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, ID_MAX_LENGTH, { each: true })
  @Matches(ID_PATTERN, { each: true, message: 'each value in $property must be an id' })
  attachmentIds?: string[];

  @IsOptional()
  @IsId()
  replyToId?: string;
}

/** `message:send` socket payload: the REST body plus the conversation id. */
export class SendMessagePayloadDto extends SendMessageDto implements SendMessagePayload {
  @IsId()
  conversationId: string;
}
