import { describe, expect, it } from 'vitest';
import { conversation, member } from '@/testing/factories';
import { receiptState, seenByCount } from './receipt-ticks';

describe('receipt ticks', () => {
  const group = (members: ReturnType<typeof member>[]) =>
    conversation({ type: 'group', title: 'Team', members });

  it('reads every other member: read, delivered or sent', () => {
    const c = group([
      member('alice'),
      member('bob', { deliveredSeq: 5, readSeq: 5 }),
      member('cy', { deliveredSeq: 5, readSeq: 3 }),
    ]);
    expect(receiptState(c, 'alice', 3)).toBe('read');
    expect(receiptState(c, 'alice', 5)).toBe('delivered');
    expect(receiptState(c, 'alice', 6)).toBe('sent');
    expect(seenByCount(c, 'alice', 4)).toBe(1);
  });

  it('leaves out a member who has not accepted: an invitation turns nothing back to sent', () => {
    // Dee is invited: her watermarks read 0 in everyone's view (she shares no receipts until she accepts).
    const c = group([
      member('alice'),
      member('bob', { deliveredSeq: 5, readSeq: 5 }),
      member('dee', { pending: true }),
    ]);
    expect(receiptState(c, 'alice', 5)).toBe('read');
    expect(seenByCount(c, 'alice', 5)).toBe(1);
  });

  it('stays at sent in a request whose recipient has not accepted, or with nobody left', () => {
    expect(
      receiptState(
        conversation({ members: [member('alice'), member('bob', { pending: true })] }),
        'alice',
        1,
      ),
    ).toBe('sent');
    expect(receiptState(conversation({ members: [member('alice')] }), 'alice', 1)).toBe('sent');
  });
});
