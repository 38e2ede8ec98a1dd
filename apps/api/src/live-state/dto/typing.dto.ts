import { IsBoolean } from 'class-validator';
import type { TypingPayload } from '@chat/shared';
import { IsId } from '../../common/ids.js';

/** `typing:update` socket payload: `{ conversationId, typing }`, nothing else. */
export class TypingPayloadDto implements TypingPayload {
  @IsId()
  conversationId: string;

  @IsBoolean()
  typing: boolean;
}
