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

  /** 200 SelfUser with the new avatarUrl. */
  @Put('users/me/avatar')
  @FileUpload()
  setMine(
    @CurrentUser() caller: AuthUser,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<SelfUser> {
    return this.avatars.setUserAvatar(caller.userId, fromMulter(file));
  }

  /** 200 SelfUser with avatarUrl null. */
  @Delete('users/me/avatar')
  removeMine(@CurrentUser() caller: AuthUser): Promise<SelfUser> {
    return this.avatars.removeUserAvatar(caller.userId);
  }

  /** 200 ConversationSummary (group admins). */
  @Put('conversations/:id/avatar')
  @FileUpload(GroupAdminGuard)
  setGroup(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<ConversationSummary> {
    return this.avatars.setGroupAvatar(caller.userId, conversationId, fromMulter(file));
  }

  /** 200 ConversationSummary (group admins). */
  @Delete('conversations/:id/avatar')
  removeGroup(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
  ): Promise<ConversationSummary> {
    return this.avatars.removeGroupAvatar(caller.userId, conversationId);
  }

  /** An avatar (WebP), `?size=64` for the small one; any signed-in user (Bearer or media cookie). */
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
