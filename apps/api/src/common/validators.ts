import { LIMITS, USERNAME_PATTERN } from '@chat/shared';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
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

/**
 * The text rules every free-text input follows, on REST and on sockets alike (both validate with the same DTOs).
 * Control characters break rendering, terminals and logs, and PostgreSQL refuses NUL (U+0000) in text outright,
 * so they are refused at the edge with VALIDATION_FAILED instead of failing deep in storage. Single-line text
 * (names, titles, search queries) refuses every control character (Unicode category Cc: C0, DEL, C1);
 * multi-line text (message bodies) allows line feed and tab only, after `NormalizeLineBreaks` turned CR LF and
 * lone CR into LF. File names are display-only and are cleaned instead (`sanitizeFileName`).
 */
export const SINGLE_LINE_TEXT = /^[^\p{Cc}]*$/u;
/** Multi-line text: no control character except tab (U+0009) and line feed (U+000A). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const MULTI_LINE_TEXT = /^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$/u;

/** A string field with no control characters at all (see SINGLE_LINE_TEXT); pair it with IsString and a length. */
export function IsSingleLineText(): PropertyDecorator {
  return Matches(SINGLE_LINE_TEXT, { message: '$property must not contain control characters' });
}

/**
 * A string field that may hold line feeds and tabs but no other control character (see MULTI_LINE_TEXT); put
 * `NormalizeLineBreaks()` before it so CR LF from pasted text is accepted as LF.
 */
export function IsMultiLineText(): PropertyDecorator {
  return Matches(MULTI_LINE_TEXT, {
    message: '$property must not contain control characters other than line feed and tab',
  });
}

/** Turns CR LF and lone CR into LF in strings (other values pass through for the validators to refuse). */
export function NormalizeLineBreaks(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value,
  );
}

/** A display name after trimming: LIMITS.DISPLAY_NAME_MIN..MAX characters, no control characters. */
export function IsDisplayName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(LIMITS.DISPLAY_NAME_MIN, LIMITS.DISPLAY_NAME_MAX),
    IsSingleLineText(),
  );
}
