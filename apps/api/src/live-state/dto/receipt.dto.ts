import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ReceiptPayload, ReceiptRequest } from '@chat/shared';
import { IsId } from '../../common/ids.js';

/**
 * POST /api/conversations/:id/receipts body: optional watermarks, each a non-negative integer sequence number
 * (values above the conversation's lastSeq are accepted and capped by the service).
 */
export class ReceiptRequestDto implements ReceiptRequest {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  deliveredSeq?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  readSeq?: number;
}

/** `receipt:update` socket payload: the REST body plus the conversation id. */
export class ReceiptPayloadDto extends ReceiptRequestDto implements ReceiptPayload {
  @IsId()
  conversationId: string;
}
