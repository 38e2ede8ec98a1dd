import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth.types.js';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { AttachmentsService } from './attachments.service.js';

/**
 * Room for the multipart framing around the file (boundaries, part headers, a long file name) when judging a
 * request by its Content-Length: generous, since a false refusal costs more than reading a few KiB more.
 */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

/**
 * Runs before multer reads a byte of an attachment upload (guards run before interceptors): a declared
 * Content-Length beyond the file limit plus framing is refused at once (FileSizeGuard), the caller must be an
 * active member of `:id` and have quota left, so a refused upload is answered without storing anything.
 * @throws AppError FILE_TOO_LARGE (413), CONVERSATION_NOT_FOUND, MEMBERSHIP_ENDED, UPLOAD_QUOTA_EXCEEDED (see
 *   checkCanUpload)
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

/**
 * Refuses an upload whose declared `Content-Length` already exceeds UPLOAD_MAX_FILE_BYTES plus the multipart
 * framing, before a byte of the body is read (the filter then closes the connection). A chunked request has no
 * Content-Length: multer's own limit cuts it while streaming, with the same 413 FILE_TOO_LARGE.
 * @param maxFileBytes the route's file limit in bytes
 */
export function refuseDeclaredOversize(
  req: { headers: Record<string, unknown> },
  maxFileBytes: number,
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxFileBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError(ErrorCode.FILE_TOO_LARGE, 'The file is too large.');
  }
}

/** Guard form of `refuseDeclaredOversize` with UPLOAD_MAX_FILE_BYTES; list it first on every upload route. */
@Injectable()
export class FileSizeGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    refuseDeclaredOversize(context.switchToHttp().getRequest(), this.config.uploadMaxFileBytes);
    return true;
  }
}
