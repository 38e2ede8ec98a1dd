import { ValidationPipe, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { ErrorCode } from '@chat/shared';
import { AppError } from './app-error.js';

/**
 * Options shared by the REST pipe and socket payload validation: unknown fields are refused (which also closes
 * operator injection such as `{ "$gt": "" }` into MongoDB filters), and plain input becomes DTO
 * instances so `@Type`/`@Transform` run.
 */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  stopAtFirstError: false,
} as const satisfies ValidationPipeOptions;

/**
 * Flattens class-validator errors into `{ "field": ["reason", ...] }`; nested fields are joined with dots
 * (`"profile.displayName"`).
 */
export function validationDetails(
  errors: readonly ValidationError[],
  prefix = '',
): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) details[path] = Object.values(error.constraints);
    if (error.children && error.children.length > 0) {
      Object.assign(details, validationDetails(error.children, path));
    }
  }
  return details;
}

/** VALIDATION_FAILED with per-field details; what the ValidationPipe throws instead of a BadRequestException. */
export function validationFailed(errors: readonly ValidationError[]): AppError {
  const details = validationDetails(errors);
  // forbidUnknownValues reports a non-object input with an empty property name.
  if (details[''] !== undefined) {
    details['(payload)'] = details[''];
    delete details[''];
  }
  return new AppError(ErrorCode.VALIDATION_FAILED, 'The input is invalid.', details);
}

/** The global REST ValidationPipe: whitelist, forbidNonWhitelisted, transform; errors -> VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => validationFailed(errors),
  });
}

/**
 * Validates an untrusted value (a socket payload) against a DTO class with the same rules as the REST pipe.
 * A non-object (string, number, null, array) is refused, never thrown on.
 * @returns the DTO instance
 * @throws AppError VALIDATION_FAILED with per-field details
 */
export async function validateInput<T extends object>(
  cls: ClassConstructor<T>,
  value: unknown,
): Promise<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The payload must be an object.', {
      '(payload)': ['must be an object'],
    });
  }
  const instance = plainToInstance(cls, value);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationFailed(errors);
  return instance;
}
