import { applyDecorators, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { UploadErrorsInterceptor } from './upload-errors.interceptor.js';
import { FileSizeGuard } from './upload-preconditions.guard.js';

/**
 * The route setup every single-file upload shares: FileSizeGuard (a declared Content-Length over the limit is
 * refused before anything is read), then `guards` (run before multer reads the body, so a refused
 * request never streams its file), then multer reading multipart field `file` to a scratch file, with
 * UploadErrorsInterceptor turning multer's errors (size limit: 413 FILE_TOO_LARGE, ...) into AppErrors.
 * The handler takes the file with `@UploadedFile()` and passes it through `fromMulter`.
 */
export function FileUpload(
  ...guards: Parameters<typeof UseGuards>
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(FileSizeGuard, ...guards),
    UseInterceptors(UploadErrorsInterceptor, FileInterceptor('file')),
  );
}
