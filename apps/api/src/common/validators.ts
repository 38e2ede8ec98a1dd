import { LIMITS, USERNAME_PATTERN } from '@chat/shared';
import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';

/** A username: LIMITS.USERNAME_MIN..MAX characters of USERNAME_PATTERN. */
export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(LIMITS.USERNAME_MIN, LIMITS.USERNAME_MAX),
    Matches(USERNAME_PATTERN, {
      message: '$property may contain only letters, digits, "_", "." and "-"',
    }),
  );
}

/** Printable text: no control characters (C0/C1, which break rendering and logs). */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A display name after trimming: LIMITS.DISPLAY_NAME_MIN..MAX characters, no control characters. */
export function IsDisplayName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(LIMITS.DISPLAY_NAME_MIN, LIMITS.DISPLAY_NAME_MAX),
    Matches(NO_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
  );
}
