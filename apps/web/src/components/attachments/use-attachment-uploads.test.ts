import { describe, expect, it } from 'vitest';
import type { Attachment } from '@chat/shared';
import { handedOffId } from './use-attachment-uploads';

const attachment = { id: 'att-1' } as Attachment;

describe('handedOffId (what a tray item gives a send)', () => {
  it('takes an upload that finished before the tray re-rendered it as done', async () => {
    // The upload's callback ran (its handle is gone) but the item still reads "uploading".
    await expect(
      handedOffId({ status: 'uploading', attachment: null }, attachment, undefined),
    ).resolves.toBe('att-1');
  });

  it('takes a finished item, waits for a running one, and gives null for a failed one', async () => {
    await expect(handedOffId({ status: 'done', attachment }, undefined, undefined)).resolves.toBe(
      'att-1',
    );
    await expect(
      handedOffId({ status: 'uploading', attachment: null }, undefined, {
        result: Promise.resolve({ id: 'att-2' } as Attachment),
      }),
    ).resolves.toBe('att-2');
    await expect(
      handedOffId({ status: 'uploading', attachment: null }, undefined, {
        result: Promise.reject(new Error('network')),
      }),
    ).resolves.toBeNull();
    await expect(
      handedOffId({ status: 'error', attachment: null }, undefined, undefined),
    ).resolves.toBeNull();
  });
});
