import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { catchError, type Observable, throwError } from 'rxjs';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';

/**
 * Wraps Nest's FileInterceptor (list it first in `@UseInterceptors`, so it is the outer one) and turns multer's
 * errors, which Nest reports as generic HTTP exceptions carrying multer's error as `cause`, into our codes:
 * the size limit -> 413 FILE_TOO_LARGE; extra files, extra fields or another field name -> 400
 * VALIDATION_FAILED with a message that says what to send.
 */
@Injectable()
export class UploadErrorsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => translate(error))));
  }
}

function multerCode(error: { cause?: unknown }): string | undefined {
  const cause = error.cause as { name?: unknown; code?: unknown } | undefined;
  return cause?.name === 'MulterError' && typeof cause.code === 'string' ? cause.code : undefined;
}

function translate(error: unknown): unknown {
  if (error instanceof PayloadTooLargeException && multerCode(error) === 'LIMIT_FILE_SIZE') {
    return new AppError(ErrorCode.FILE_TOO_LARGE, 'The file is too large.');
  }
  if (error instanceof BadRequestException && multerCode(error) !== undefined) {
    return new AppError(
      ErrorCode.VALIDATION_FAILED,
      'Send exactly one file, in the form field "file", and nothing else.',
      { file: [multerCode(error) ?? 'malformed upload'] },
    );
  }
  return error;
}
