import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UploadedFile,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Attachment } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Public } from '../auth/public.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { AttachmentsService } from './attachments.service.js';
import { sendFile } from './file-response.js';
import { FileUpload } from './file-upload.decorator.js';
import { MediaAuthGuard } from './media-auth.guard.js';
import { UploadPreconditionsGuard } from './upload-preconditions.guard.js';
import { fromMulter } from './uploaded-file.js';

/**
 * Attachments (packages/shared/src/rest.ts, "Attachments and avatars"): upload one file per request as
 * multipart field `file`, delete it while unsent, download it (and its thumbnail) when allowed.
 */
@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /**
   * 201 Attachment (unsent). Membership and quota are checked before the body is read; multer streams the file
   * to a scratch file with the size limit (413 FILE_TOO_LARGE).
   */
  @Post('conversations/:id/attachments')
  @HttpCode(201)
  @FileUpload(UploadPreconditionsGuard)
  upload(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) conversationId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<Attachment> {
    return this.attachments.upload(caller.userId, conversationId, fromMulter(file));
  }

  /** 204; only the uploader, only while unsent (404 ATTACHMENT_NOT_FOUND otherwise). */
  @Delete('attachments/:id')
  @HttpCode(204)
  async remove(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.attachments.deleteUnsent(id, caller.userId);
  }

  /** The file; Bearer token or the media cookie (see MediaAuthGuard). */
  @Public()
  @UseGuards(MediaAuthGuard)
  @Get('attachments/:id/content')
  async content(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await sendFile(req, res, await this.attachments.download(id, caller.userId, 'content'));
  }

  /** The WebP thumbnail of an image attachment. */
  @Public()
  @UseGuards(MediaAuthGuard)
  @Get('attachments/:id/thumbnail')
  async thumbnail(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await sendFile(req, res, await this.attachments.download(id, caller.userId, 'thumbnail'));
  }
}
