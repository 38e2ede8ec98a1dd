import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '@chat/shared';
import { HistoryQueryDto } from '../messages/dto/history.query.js';
import { SendMessagePayloadDto } from '../messages/dto/send-message.dto.js';
import { AppError } from './app-error.js';
import { validateInput } from './validation.js';

async function failure(cls: new () => object, value: unknown): Promise<AppError> {
  try {
    await validateInput(cls, value);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a validation failure');
}

describe('history query parsing', () => {
  it('turns decimal strings into numbers', async () => {
    const q = await validateInput(HistoryQueryDto, { before: '10', limit: '100' });
    expect(q).toMatchObject({ before: 10, limit: 100 });
  });

  it.each([
    ['limit', '0'],
    ['limit', '101'],
    ['limit', ''],
    ['limit', '1.5'],
    ['limit', '0x10'],
    ['limit', '1e2'],
    ['before', '-1'],
    ['after', 'abc'],
  ])('refuses %s=%j with a detail for that field', async (field, value) => {
    const error = await failure(HistoryQueryDto, { [field]: value });
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(Object.keys(error.details ?? {})).toEqual([field]);
  });

  it('refuses unknown fields', async () => {
    const error = await failure(HistoryQueryDto, { limit: '5', sort: 'desc' });
    expect(error.details).toHaveProperty('sort');
  });
});

describe('socket payload validation', () => {
  const valid = {
    conversationId: '0196b0c4-7a8e-7d2a-9d5e-3f1a2b3c4d5e',
    clientMessageId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
    body: '  hello  ',
  };

  it('trims the body', async () => {
    expect((await validateInput(SendMessagePayloadDto, valid)).body).toBe('hello');
  });

  it.each([null, 'hello', 42, [valid], undefined])('refuses the non-object %j', async (value) => {
    const error = await failure(SendMessagePayloadDto, value);
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('refuses a body that is blank after trimming, or longer than 4000', async () => {
    expect(
      (await failure(SendMessagePayloadDto, { ...valid, body: ' \n\t ' })).details,
    ).toHaveProperty('body');
    expect(
      (await failure(SendMessagePayloadDto, { ...valid, body: 'x'.repeat(4001) })).details,
    ).toHaveProperty('body');
    await expect(
      validateInput(SendMessagePayloadDto, { ...valid, body: 'x'.repeat(4000) }),
    ).resolves.toBeTruthy();
  });

  it('refuses a client message id that is not a UUID and an id with odd characters', async () => {
    const error = await failure(SendMessagePayloadDto, {
      ...valid,
      clientMessageId: 'abc',
      conversationId: '../../etc',
    });
    expect(Object.keys(error.details ?? {}).sort()).toEqual(['clientMessageId', 'conversationId']);
  });

  it('accepts an ObjectId-shaped conversation id (ids are opaque)', async () => {
    await expect(
      validateInput(SendMessagePayloadDto, {
        ...valid,
        conversationId: '507f1f77bcf86cd799439011',
      }),
    ).resolves.toBeTruthy();
  });

  it('refuses extra fields such as operator objects', async () => {
    const error = await failure(SendMessagePayloadDto, { ...valid, $where: '1' });
    expect(error.details).toHaveProperty('$where');
  });
});
