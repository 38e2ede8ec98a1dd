import { Transform } from 'class-transformer';

/**
 * Query-string integer: only plain decimal digits become numbers (`Number('0x10')`, `Number('1e3')` and
 * `Number('')` would otherwise slip through as 16, 1000 and 0); anything else is left as it is so that `@IsInt`
 * reports it.
 */
export function ToInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value,
  );
}

/** Trims strings; other values pass through for the validators to refuse. */
export function Trim(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() : value,
  );
}
