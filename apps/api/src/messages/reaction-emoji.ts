import emojiRegex from 'emoji-regex';
import { LIMITS } from '@chat/shared';
import { registerDecorator } from 'class-validator';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * True when `value` is exactly one emoji: one grapheme cluster (Intl.Segmenter, Unicode UAX #29) that the
 * `emoji-regex` library (Mathias Bynens; generated from Unicode's emoji-test.txt, RGI emoji) matches whole, at most
 * LIMITS.REACTION_EMOJI_MAX_LENGTH UTF-16 code units. Skin tones, ZWJ sequences, flags and keycaps pass; letters,
 * digits, text, two emoji, or an emoji with spaces do not. (Text-presentation forms such as "❤" and "❤️" are
 * different strings, so different reactions; clients send what their emoji data names.)
 */
export function isReactionEmoji(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (value.length > LIMITS.REACTION_EMOJI_MAX_LENGTH) return false;
  let count = 0;
  for (const _ of graphemes.segment(value)) if (++count > 1) return false;
  const matches = value.match(emojiRegex());
  return matches !== null && matches.length === 1 && matches[0] === value;
}

/** DTO property decorator: the value is one emoji (isReactionEmoji). */
export function IsReactionEmoji(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isReactionEmoji',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => isReactionEmoji(value),
        defaultMessage: () => '$property must be exactly one emoji',
      },
    });
  };
}
