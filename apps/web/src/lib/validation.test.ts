import { describe, expect, it } from 'vitest';
import { fieldErrorsFrom, reasonSentence } from './validation';

describe('server reasons next to a field', () => {
  it('become sentences about the field', () => {
    expect(
      reasonSentence(
        'password',
        'is on a list of commonly used passwords, which are guessed first; choose another',
      ),
    ).toBe(
      'This password is on a list of commonly used passwords, which are guessed first; choose another.',
    );
    expect(reasonSentence('password', 'password must be at least 8 bytes')).toBe(
      'This password must be at least 8 bytes.',
    );
    expect(reasonSentence('displayName', 'must be 1..64 characters')).toBe(
      'This display name must be 1..64 characters.',
    );
    expect(reasonSentence('username', 'Already taken.')).toBe('Already taken.');
  });

  it('keeps only the fields the form knows', () => {
    expect(
      fieldErrorsFrom({ password: ['must not contain NUL characters'], role: ['x'] }, ['password']),
    ).toEqual({ password: 'This password must not contain NUL characters.' });
  });
});
