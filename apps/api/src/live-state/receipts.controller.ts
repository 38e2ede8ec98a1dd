import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { type ReceiptEvent, ErrorCode } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { WriteRateLimitGuard } from '../common/write-rate-limiter.js';
import { ReceiptRequestDto } from './dto/receipt.dto.js';
import { ReceiptsService } from './receipts.service.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** POST /api/conversations/:id/receipts: the REST twin of `receipt:update`. */
@Controller('conversations/:id/receipts')
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  @ApiRoute({
    summary: 'Raise my delivered/read watermarks (REST twin of receipt:update)',
    auth: 'bearer',
    success: { status: 200, description: "ReceiptEvent: the caller's watermarks after the change" },
    errors: [ErrorCode.CONVERSATION_NOT_FOUND, ErrorCode.RATE_LIMITED],
    validates: true,
  })
  @Post()
  @HttpCode(200)
  @UseGuards(WriteRateLimitGuard)
  update(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @Body() body: ReceiptRequestDto,
  ): Promise<ReceiptEvent> {
    return this.receipts.update(caller.userId, { conversationId, ...body });
  }
}
