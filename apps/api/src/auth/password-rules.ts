import { registerDecorator, type ValidationOptions } from 'class-validator';
import { LIMITS } from '@chat/shared';

/**
 * Why a password is refused, or null when acceptable. Lengths are UTF-8 bytes because bcrypt reads bytes and
 * ignores everything after the 72nd (LIMITS.PASSWORD_MAX_BYTES): longer passwords are refused, never truncated.
 * NUL is refused too: bcrypt implementations treat the key as a C string and would stop at it.
 */
export function passwordProblem(password: string): string | null {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < LIMITS.PASSWORD_MIN_BYTES)
    return `must be at least ${LIMITS.PASSWORD_MIN_BYTES} bytes`;
  if (bytes > LIMITS.PASSWORD_MAX_BYTES)
    return `must be at most ${LIMITS.PASSWORD_MAX_BYTES} bytes (UTF-8)`;
  if (password.includes('\0')) return 'must not contain NUL characters';
  return null;
}

/** DTO decorator: a password acceptable at registration (see `passwordProblem`). */
export function IsAcceptablePassword(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && passwordProblem(value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? `${args.property} ${passwordProblem(args.value) ?? 'is invalid'}`
            : `${args?.property ?? 'password'} must be a string`,
      },
    });
  };
}
