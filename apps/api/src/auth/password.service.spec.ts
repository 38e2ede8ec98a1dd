import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import bcrypt from 'bcrypt';
import { loadConfig } from '../config/app-config.js';
import { PasswordService } from './password.service.js';

describe('PasswordService (real bcrypt at cost 4)', () => {
  const service = new PasswordService(loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4' }));
  const seventyTwo = 'a'.repeat(72);
  let hash: string;

  beforeAll(async () => {
    service.onModuleInit();
    hash = await service.hash(seventyTwo);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('hashes at the configured cost and verifies the right password', async () => {
    expect(hash).toMatch(/^\$2[ab]\$04\$/);
    await expect(service.verify(seventyTwo, hash)).resolves.toBe(true);
    await expect(service.verify('a'.repeat(71), hash)).resolves.toBe(false);
  });

  it('never accepts a longer password that bcrypt alone would truncate to a match', async () => {
    // bcrypt ignores bytes after the 72nd: on its own it says yes.
    await expect(bcrypt.compare(seventyTwo + 'b', hash)).resolves.toBe(true);
    await expect(service.verify(seventyTwo + 'b', hash)).resolves.toBe(false);
  });

  it('spends one bcrypt comparison for an unknown user, against a dummy hash of the same cost', async () => {
    const compare = jest.spyOn(bcrypt, 'compare');
    await expect(service.verify('whatever password', null)).resolves.toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    expect(String(compare.mock.calls[0]?.[1])).toMatch(/^\$2[ab]\$04\$/);
    expect(compare.mock.calls[0]?.[1]).not.toBe(hash);
  });
});
