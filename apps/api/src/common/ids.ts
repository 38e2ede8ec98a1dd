import { type PipeTransform, Injectable } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';
import { ErrorCode } from '@chat/shared';
import { AppError } from './app-error.js';

/**
 * Ids are opaque strings (UUIDs from the SQL adapter, 24-hex ObjectIds from the MongoDB adapter), so they
 * are checked only for a bounded length and a safe alphabet, never for a particular format.
 */
export const ID_MAX_LENGTH = 64;
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** True when `value` can be an id. */
export function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= ID_MAX_LENGTH &&
    ID_PATTERN.test(value)
  );
}

/** DTO property decorator for an id field. */
export function IsId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, ID_MAX_LENGTH),
    Matches(ID_PATTERN, { message: '$property must be an id' }),
  );
}

/** Route-parameter pipe: `@Param('id', ParseIdPipe) id: string`. @throws AppError VALIDATION_FAILED */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (isId(value)) return value;
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The id is malformed.', {
      id: ['must be an id'],
    });
  }
}
