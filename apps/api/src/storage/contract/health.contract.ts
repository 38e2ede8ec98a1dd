/**
 * Storage contract, the StorageHealth port. Declared by `describeStorageContract` (storage.contract.ts), which
 * opens the adapter and hands over its repositories and factories, so every adapter runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { StorageHealth } from '../storage.health.js';
import { type ContractContext } from './contract-context.js';

/** Declares the health contract against the adapter behind `ctx`. */
export function describeHealthContract(ctx: ContractContext): void {
  let health: StorageHealth;

  describe('health', () => {
    beforeEach(() => {
      ({ health } = ctx.repos());
    });

    it('answers a ping with a round-trip time in milliseconds', async () => {
      const ms = await health.ping();
      expect(typeof ms).toBe('number');
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(health.driver).toMatch(/^(pglite|postgres|mongodb)$/);
    });
  });
}
