import { registerDecorator, type ValidationOptions } from 'class-validator';
import { LIMITS } from '@chat/shared';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The commonly used passwords of zxcvbn-ts's common dictionary (@zxcvbn-ts/language-common, about 49,000 entries,
 * lower case, ranked from leaked-password corpora), shipped in the package: nothing is fetched at run time.
 * Built on first use (a few milliseconds) and kept.
 */
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * True when `password`, compared without regard to case, is on the list of commonly used passwords (OWASP ASVS
 * 6.2: "passwords submitted during registration ... are checked against a set of breached/common passwords").
 * Case is ignored because the list is lower case and "Password1" falls to the same guess as "password1".
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common']);
  return commonPasswords.has(password.toLowerCase());
}

/** Why a password on the common list is refused: shown next to the field on sign-up. */
export const COMMON_PASSWORD_REASON =
  'is on a list of commonly used passwords, which are guessed first; choose another';

/**
 * Why a password is refused, or null when acceptable. Lengths are UTF-8 bytes because bcrypt reads bytes and
 * ignores everything after the 72nd (LIMITS.PASSWORD_MAX_BYTES): longer passwords are refused, never truncated.
 * NUL is refused too: bcrypt implementations treat the key as a C string and would stop at it. So is any password
 * on the list of commonly used passwords (`isCommonPassword`). Sign-in never applies these rules.
 */
export function passwordProblem(password: string): string | null {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < LIMITS.PASSWORD_MIN_BYTES)
    return `must be at least ${LIMITS.PASSWORD_MIN_BYTES} bytes`;
  if (bytes > LIMITS.PASSWORD_MAX_BYTES)
    return `must be at most ${LIMITS.PASSWORD_MAX_BYTES} bytes (UTF-8)`;
  if (password.includes('\0')) return 'must not contain NUL characters';
  if (isCommonPassword(password)) return COMMON_PASSWORD_REASON;
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
