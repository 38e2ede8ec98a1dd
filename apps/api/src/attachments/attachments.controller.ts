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
import { type Attachment, ErrorCode } from '@chat/shared';
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
import { ApiRoute } from '../openapi/api-route.decorator.js';

/**
 * Attachments: upload one file per request as
 * multipart field `file`, delete it while unsent, download it (and its thumbnail) when allowed.
 */
@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /**
   * 201 Attachment (unsent). Membership and quota are checked before the body is read; multer streams the file
   * to a scratch file with the size limit (413 FILE_TOO_LARGE).
   */
  @ApiRoute({
    summary: 'Upload a file to attach to a message',
    description:
      'One file in the multipart field `file`; its type is sniffed from its bytes. Images are re-encoded without metadata.',
    auth: 'bearer',
    success: { status: 201, description: 'Attachment, unsent until a message references it' },
    errors: [
      ErrorCode.CONVERSATION_NOT_FOUND,
      ErrorCode.MEMBERSHIP_ENDED,
      ErrorCode.FILE_TOO_LARGE,
      ErrorCode.IMAGE_TOO_LARGE,
      ErrorCode.EMPTY_FILE,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      ErrorCode.UPLOAD_QUOTA_EXCEEDED,
    ],
    upload: true,
  })
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

  @ApiRoute({
    summary: 'Delete an unsent attachment (its uploader)',
    auth: 'bearer',
    success: { status: 204, description: 'Deleted' },
    errors: [ErrorCode.ATTACHMENT_NOT_FOUND],
    validates: true,
  })
  @Delete('attachments/:id')
  @HttpCode(204)
  async remove(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.attachments.deleteUnsent(id, caller.userId);
  }

  @ApiRoute({
    summary: "Download an attachment's file (members)",
    auth: 'media',
    success: {
      status: 200,
      description: 'The file (Content-Disposition attachment, nosniff, sandboxed)',
    },
    alsoSuccess: [{ status: 304, description: 'Not modified (ETag)' }],
    errors: [ErrorCode.ATTACHMENT_NOT_FOUND],
    validates: true,
  })
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

  @ApiRoute({
    summary: "An image attachment's WebP thumbnail (members)",
    auth: 'media',
    success: { status: 200, description: 'image/webp' },
    alsoSuccess: [{ status: 304, description: 'Not modified (ETag)' }],
    errors: [ErrorCode.ATTACHMENT_NOT_FOUND],
    validates: true,
  })
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
