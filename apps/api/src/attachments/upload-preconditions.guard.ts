import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth.types.js';
import { AttachmentsService } from './attachments.service.js';

/**
 * Runs before multer reads a byte of an attachment upload (guards run before interceptors): the caller must be
 * an active member of `:id` and have quota left, so a refused upload is answered without storing anything.
 * @throws AppError CONVERSATION_NOT_FOUND, MEMBERSHIP_ENDED, UPLOAD_QUOTA_EXCEEDED (see checkCanUpload)
 */
@Injectable()
export class UploadPreconditionsGuard implements CanActivate {
  constructor(private readonly attachments: AttachmentsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const conversationId = req.params.id;
    await this.attachments.checkCanUpload(
      typeof conversationId === 'string' ? conversationId : '',
      req.user.userId,
    );
    return true;
  }
}
