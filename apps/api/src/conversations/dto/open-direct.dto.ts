import type { OpenDirectRequest } from '@chat/shared';
import { IsId } from '../../common/ids.js';

/** POST /api/conversations/direct body. */
export class OpenDirectDto implements OpenDirectRequest {
  @IsId()
  userId: string;
}
