import { Body, Controller, Delete, Get, HttpCode, StreamableFile } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ErrorCode, type DeleteAccountRequest } from '@chat/shared';
import { contentDisposition } from '../attachments/file-names.js';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './account-export.service.js';

/** DELETE /api/users/me body. The password is only compared, so any string up to a sane length is accepted. */
export class DeleteAccountDto implements DeleteAccountRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

/** /api/users/me/export and DELETE /api/users/me: "my data". */
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly exports: AccountExportService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @ApiRoute({
    summary: 'Download my data (ZIP: JSON + files)',
    description:
      'profile.json, conversations.json, messages/<conversationId>.json (every message I can read), files/ (the ' +
      'files I sent, my picture). Streamed as it is built.',
    auth: 'bearer',
    success: { status: 200, description: 'application/zip' },
  })
  @Get('export')
  async export(@CurrentUser() caller: AuthUser): Promise<StreamableFile> {
    const { stream, fileName } = await this.exports.archive(caller.userId);
    return new StreamableFile(stream, {
      type: 'application/zip',
      disposition: contentDisposition('attachment', fileName),
    });
  }

  @ApiRoute({
    summary: 'Delete my account',
    description:
      'Asks for the password again. Sessions are revoked, groups left, the profile and picture deleted; messages ' +
      'stay, shown as from "Deleted account"; the username becomes free (docs/admin.md).',
    auth: 'bearer',
    success: { status: 204, description: 'Deleted; every session of the account is signed out' },
    errors: [ErrorCode.INVALID_CREDENTIALS],
    validates: true,
  })
  @Delete()
  @HttpCode(204)
  async delete(@CurrentUser() caller: AuthUser, @Body() body: DeleteAccountDto): Promise<void> {
    await this.deletion.delete(caller.userId, body.password);
  }
}
