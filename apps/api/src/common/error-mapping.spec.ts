import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ErrorCode } from '@chat/shared';
import { InvalidCursorError } from '../storage/storage.errors.js';
import { AppError } from './app-error.js';
import { mapError } from './error-mapping.js';

describe('mapError', () => {
  it('keeps the code, message and details of an AppError, with the status from the shared map', () => {
    const mapped = mapError(
      new AppError(ErrorCode.USERNAME_TAKEN, 'taken', { username: ['taken'] }),
    );
    expect(mapped).toEqual({
      status: 409,
      payload: { code: 'USERNAME_TAKEN', message: 'taken', details: { username: ['taken'] } },
      unexpected: false,
    });
  });

  it('maps framework HTTP errors by status with a generic message (their text may name internals)', () => {
    expect(mapError(new NotFoundException('Cannot GET /api/secret-route'))).toMatchObject({
      status: 404,
      payload: { code: 'NOT_FOUND', message: 'Not found.' },
      unexpected: false,
    });
    expect(mapError(new BadRequestException('Unexpected token } in JSON')).payload.code).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
    expect(mapError(new HttpException('slow down', 429)).payload.code).toBe(ErrorCode.RATE_LIMITED);
  });

  it('maps body-parser (http-errors) failures that are meant to be exposed', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    expect(mapError(tooLarge)).toMatchObject({
      status: 413,
      payload: { code: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('answers a forged cursor as a validation failure', () => {
    expect(mapError(new InvalidCursorError('not JSON'))).toMatchObject({
      status: 400,
      payload: { code: 'VALIDATION_FAILED', details: { cursor: expect.any(Array) } },
      unexpected: false,
    });
  });

  it('hides anything else behind 500 INTERNAL and flags it for logging', () => {
    for (const thrown of [
      new Error('relation "users" does not exist'),
      'a string',
      null,
      Object.assign(new Error('x'), { status: 500, expose: false }),
      new HttpException('boom', 502),
    ]) {
      const mapped = mapError(thrown);
      expect(mapped).toEqual({
        status: 500,
        payload: { code: 'INTERNAL', message: 'Something went wrong on our side.' },
        unexpected: true,
      });
    }
  });
});

describe('mapError for an unavailable database', () => {
  it.each([
    [
      'a refused connection wrapped by the query builder',
      new Error('Failed query', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    ],
    [
      'PostgreSQL shutting down (57P01)',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ['a closed PGlite', new Error('PGlite is closed')],
    [
      'MongoDB server selection',
      Object.assign(new Error('timed out'), { name: 'MongoServerSelectionError' }),
    ],
  ])('maps %s to SERVICE_UNAVAILABLE, logged', (_label, error) => {
    expect(mapError(error)).toMatchObject({
      status: 503,
      payload: { code: ErrorCode.SERVICE_UNAVAILABLE },
      unexpected: true,
    });
  });

  it('keeps other database errors INTERNAL (a constraint or syntax error is a bug, not an outage)', () => {
    expect(mapError(Object.assign(new Error('syntax error'), { code: '42601' })).payload.code).toBe(
      ErrorCode.INTERNAL,
    );
  });
});
