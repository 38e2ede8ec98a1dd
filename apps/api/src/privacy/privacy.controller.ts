import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put } from '@nestjs/common';
import { type BlockedUser, ErrorCode, type PrivacySettings } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';
import { UpdatePrivacyDto } from './dto/update-privacy.dto.js';
import { PrivacyService } from './privacy.service.js';

/** /api/users/me/privacy (settings) and /api/blocks (the people I blocked). docs/privacy.md explains both. */
@Controller()
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @ApiRoute({
    summary: 'My privacy settings',
    auth: 'bearer',
    success: { status: 200, description: 'PrivacySettings' },
  })
  @Get('users/me/privacy')
  settings(@CurrentUser() caller: AuthUser): Promise<PrivacySettings> {
    return this.privacy.settings(caller.userId);
  }

  @ApiRoute({
    summary: 'Change my privacy settings (last seen, who can add me to groups)',
    auth: 'bearer',
    success: { status: 200, description: 'PrivacySettings, all of them' },
    validates: true,
  })
  @Patch('users/me/privacy')
  update(
    @CurrentUser() caller: AuthUser,
    @Body() body: UpdatePrivacyDto,
  ): Promise<PrivacySettings> {
    return this.privacy.update(caller.userId, body);
  }

  @ApiRoute({
    summary: 'The people I blocked, newest first',
    auth: 'bearer',
    success: { status: 200, description: 'BlockedUser[]' },
  })
  @Get('blocks')
  list(@CurrentUser() caller: AuthUser): Promise<BlockedUser[]> {
    return this.privacy.listBlocked(caller.userId);
  }

  @ApiRoute({
    summary: 'Block someone',
    description:
      'Idempotent. Declines their pending message request; hides presence, last seen, typing, receipts and pictures both ways.',
    auth: 'bearer',
    success: { status: 200, description: 'BlockedUser' },
    errors: [ErrorCode.USER_NOT_FOUND],
    validates: true,
  })
  @Put('blocks/:userId')
  @HttpCode(200)
  block(
    @CurrentUser() caller: AuthUser,
    @Param('userId', ParseIdPipe) userId: string,
  ): Promise<BlockedUser> {
    return this.privacy.block(caller.userId, userId);
  }

  @ApiRoute({
    summary: 'Unblock someone',
    description: 'Idempotent: answers 204 whether or not they were blocked.',
    auth: 'bearer',
    success: { status: 204, description: 'no body' },
    validates: true,
  })
  @Delete('blocks/:userId')
  @HttpCode(204)
  async unblock(
    @CurrentUser() caller: AuthUser,
    @Param('userId', ParseIdPipe) userId: string,
  ): Promise<void> {
    await this.privacy.unblock(caller.userId, userId);
  }
}
