import { describe, expect, it } from '@jest/globals';
import { COMMON_PASSWORD_REASON, passwordProblem } from './password-rules.js';

describe('passwordProblem (UTF-8 bytes, not characters)', () => {
  it('accepts 8 and 72 bytes', () => {
    expect(passwordProblem('a'.repeat(8))).toBeNull();
    expect(passwordProblem('a'.repeat(72))).toBeNull();
  });

  it('refuses 7 and 73 bytes', () => {
    expect(passwordProblem('a'.repeat(7))).toMatch(/at least 8/);
    expect(passwordProblem('a'.repeat(73))).toMatch(/at most 72/);
  });

  it('counts multi-byte characters by their bytes', () => {
    // "é" is 2 bytes in UTF-8: 36 of them are 72 bytes, 37 are 74 (though only 37 characters).
    expect(passwordProblem('é'.repeat(36))).toBeNull();
    expect(passwordProblem('é'.repeat(37))).toMatch(/at most 72/);
    // An emoji is 4 bytes (2 UTF-16 units): 2 emoji are 8 bytes but only 4 JavaScript characters.
    expect(passwordProblem('😀😀')).toBeNull();
  });

  it('refuses NUL, which bcrypt would treat as the end of the key', () => {
    expect(passwordProblem('abcd\0efgh')).toMatch(/NUL/);
  });

  it('refuses commonly used passwords whatever their case, with the reason', () => {
    for (const common of ['password123', 'Password123', '12345678', 'iloveyou1', 'QWERTYUIOP']) {
      expect(passwordProblem(common)).toBe(COMMON_PASSWORD_REASON);
    }
    expect(passwordProblem('correct horse battery')).toBeNull();
  });
});
