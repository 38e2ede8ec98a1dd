import {
  type CanActivate,
  Controller,
  Delete,
  type ExecutionContext,
  Get,
  Injectable,
  Param,
  Put,
  Query,
  Req,
  Res,
  UploadedFile,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ConversationSummary, ErrorCode, type SelfUser } from '@chat/shared';
import type { AuthenticatedRequest, AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Public } from '../auth/public.decorator.js';
import { AppError } from '../common/app-error.js';
import { ParseIdPipe } from '../common/ids.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { AVATAR_SIZES, type AvatarSize, AvatarsService } from './avatars.service.js';
import { sendFile } from './file-response.js';
import { FileUpload } from './file-upload.decorator.js';
import { MediaAuthGuard } from './media-auth.guard.js';
import { fromMulter } from './uploaded-file.js';
import { ApiRoute, GROUP_ADMIN_ERRORS } from '../openapi/api-route.decorator.js';

/** Refuses a group picture upload from a non-admin before multer reads the body. */
@Injectable()
export class GroupAdminGuard implements CanActivate {
  constructor(private readonly access: ConversationAccess) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const id = req.params.id;
    await this.access.requireAdmin(typeof id === 'string' ? id : '', req.user.userId);
    return true;
  }
}

/** Profile pictures (`/api/users/me/avatar`), group pictures (`/api/conversations/:id/avatar`) and their files. */
@Controller()
export class AvatarsController {
  constructor(private readonly avatars: AvatarsService) {}

  @ApiRoute({
    summary: 'Set my profile picture',
    auth: 'bearer',
    success: { status: 200, description: 'SelfUser with the new avatarUrl' },
    errors: [
      ErrorCode.FILE_TOO_LARGE,
      ErrorCode.IMAGE_TOO_LARGE,
      ErrorCode.EMPTY_FILE,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ],
    upload: true,
  })
  @Put('users/me/avatar')
  @FileUpload()
  setMine(
    @CurrentUser() caller: AuthUser,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<SelfUser> {
    return this.avatars.setUserAvatar(caller.userId, fromMulter(file));
  }

  @ApiRoute({
    summary: 'Remove my profile picture',
    auth: 'bearer',
    success: { status: 200, description: 'SelfUser with avatarUrl null' },
  })
  @Delete('users/me/avatar')
  removeMine(@CurrentUser() caller: AuthUser): Promise<SelfUser> {
    return this.avatars.removeUserAvatar(caller.userId);
  }

  @ApiRoute({
    summary: "Set a group's picture (admins)",
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [
      ...GROUP_ADMIN_ERRORS,
      ErrorCode.FILE_TOO_LARGE,
      ErrorCode.IMAGE_TOO_LARGE,
      ErrorCode.EMPTY_FILE,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ],
    upload: true,
  })
  @Put('conversations/:id/avatar')
  @FileUpload(GroupAdminGuard)
  setGroup(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<ConversationSummary> {
    return this.avatars.setGroupAvatar(caller.userId, conversationId, fromMulter(file));
  }

  @ApiRoute({
    summary: "Remove a group's picture (admins)",
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [...GROUP_ADMIN_ERRORS],
    validates: true,
  })
  @Delete('conversations/:id/avatar')
  removeGroup(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
  ): Promise<ConversationSummary> {
    return this.avatars.removeGroupAvatar(caller.userId, conversationId);
  }

  @ApiRoute({
    summary: 'An avatar image (any signed-in person); `size=64` for the small one',
    auth: 'media',
    success: { status: 200, description: 'image/webp' },
    alsoSuccess: [{ status: 304, description: 'Not modified (ETag)' }],
    errors: [ErrorCode.NOT_FOUND],
    validates: true,
  })
  @Public()
  @UseGuards(MediaAuthGuard)
  @Get('avatars/:avatarId')
  async file(
    @Param('avatarId') avatarId: string,
    @Query('size') size: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const wanted = size === undefined ? AVATAR_SIZES[0] : Number(size);
    if (!AVATAR_SIZES.includes(wanted as AvatarSize)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Unknown avatar size.', {
        size: [`must be one of ${AVATAR_SIZES.join(', ')}`],
      });
    }
    const file = await this.avatars.open(avatarId, wanted as AvatarSize);
    await sendFile(req, res, {
      file,
      mimeType: 'image/webp',
      name: 'avatar.webp',
      inline: true,
      etag: `"av-${avatarId}-${wanted}"`,
    });
  }
}
