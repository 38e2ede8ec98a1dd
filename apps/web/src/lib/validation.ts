import { LIMITS, USERNAME_PATTERN } from '@chat/shared';

/**
 * Client-side checks mirroring the API's rules in `@chat/shared` LIMITS, so most mistakes are shown before
 * a request is made. The API stays the authority. Each returns a sentence for the person, or null when valid.
 */
export function validateUsername(value: string): string | null {
  const v = value.trim();
  if (v.length < LIMITS.USERNAME_MIN) return `At least ${LIMITS.USERNAME_MIN} characters.`;
  if (v.length > LIMITS.USERNAME_MAX) return `At most ${LIMITS.USERNAME_MAX} characters.`;
  if (!USERNAME_PATTERN.test(v)) return 'Use only letters, digits, dot, dash and underscore.';
  return null;
}

/** Passwords are measured in UTF-8 bytes: bcrypt reads at most 72 bytes, so longer ones are refused. */
export function validatePassword(value: string): string | null {
  const bytes = new TextEncoder().encode(value).length;
  if (bytes < LIMITS.PASSWORD_MIN_BYTES) return `At least ${LIMITS.PASSWORD_MIN_BYTES} characters.`;
  if (bytes > LIMITS.PASSWORD_MAX_BYTES)
    return `At most ${LIMITS.PASSWORD_MAX_BYTES} bytes (fewer if you use accents or emoji).`;
  return null;
}

/** Display name: optional at sign-up (defaults to the username); when given, 1..64 characters trimmed. */
export function validateDisplayName(value: string, required: boolean): string | null {
  const v = value.trim();
  if (!v) return required ? 'Enter a name.' : null;
  if (Array.from(v).length > LIMITS.DISPLAY_NAME_MAX)
    return `At most ${LIMITS.DISPLAY_NAME_MAX} characters.`;
  return null;
}

/**
 * Picks per-field messages out of a VALIDATION_FAILED `details` map (`{ field: ["reason", ...] }`), keeping
 * only the fields the form knows, each reason made a sentence (`reasonSentence`).
 */
export function fieldErrorsFrom(
  details: Record<string, string[]> | undefined,
  fields: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!details) return out;
  for (const field of fields) {
    const reasons = details[field];
    if (reasons && reasons.length > 0) {
      out[field] = reasons.map((reason) => reasonSentence(field, reason)).join(' ');
    }
  }
  return out;
}

/**
 * The API's reasons are fragments about the field ("is on a list of commonly used passwords...", "password must be
 * at least 8 bytes", as class-validator words them): shown next to the field they become sentences, "This password
 * is on a list...". A reason already written as a sentence (capitalised) is kept, with a full stop.
 * @param field the field's name in the API's details (`displayName` reads "display name")
 */
export function reasonSentence(field: string, reason: string): string {
  const noun = field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  let text = reason.trim();
  if (text.startsWith(`${field} `)) text = text.slice(field.length + 1);
  if (/^[a-z]/.test(text)) text = `This ${noun} ${text}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
