import { describe, expect, it } from 'vitest';
import type { Message } from '@chat/shared';
import { buildRows, type Row } from './message-rows';
import { EMPTY_THREAD, type PendingMessage, type Thread } from '@/stores/messages-store';
import { message, pendingMessage } from '@/testing/factories';

const NOW = new Date(2026, 10, 20, 18, 0).getTime();
/** ISO time of a local hour on November `day`, 2026. */
const on = (day: number, hour: number): string => new Date(2026, 10, day, hour).toISOString();

function thread(stored: Message[], pending: PendingMessage[] = []): Thread {
  return { ...EMPTY_THREAD, status: 'ready', messages: stored, pending };
}

/** A compact picture of the rows: `day:<label>`, `msg:<seq>[*]` (* = first of a run), `sys:<seq>`, `pending:<id>`. */
function shape(rows: Row[]): string[] {
  return rows.map((row) => {
    switch (row.kind) {
      case 'day':
        return `day:${row.label}`;
      case 'message':
        return `msg:${row.message.seq}${row.firstOfRun ? '*' : ''}`;
      case 'system':
        return `sys:${row.message.seq}`;
      case 'pending':
        return `pending:${row.pending.clientMessageId}`;
      case 'unread':
        return 'unread';
    }
  });
}

describe('buildRows', () => {
  it('puts a separator before the first message of each local day', () => {
    const rows = buildRows(
      thread([
        message(1, { createdAt: on(19, 9) }),
        message(2, { createdAt: on(19, 22) }),
        message(3, { createdAt: on(20, 8) }),
      ]),
      'alice',
      NOW,
    );
    expect(shape(rows)).toEqual(['day:Yesterday', 'msg:1*', 'msg:2', 'day:Today', 'msg:3*']);
  });

  it('starts a new sender run on another sender, after a system note and on a new day', () => {
    const rows = buildRows(
      thread([
        message(1, { senderId: 'bob', createdAt: on(20, 9) }),
        message(2, { senderId: 'bob', createdAt: on(20, 9) }),
        message(3, { senderId: 'carol', createdAt: on(20, 9) }),
        message(4, { senderId: 'carol', kind: 'system', createdAt: on(20, 10) }),
        message(5, { senderId: 'carol', createdAt: on(20, 10) }),
      ]),
      'alice',
      NOW,
    );
    expect(shape(rows)).toEqual(['day:Today', 'msg:1*', 'msg:2', 'msg:3*', 'sys:4', 'msg:5*']);
  });

  it('continues no run across midnight', () => {
    const rows = buildRows(
      thread([message(1, { createdAt: on(19, 23) }), message(2, { createdAt: on(20, 0) })]),
      'alice',
      NOW,
    );
    expect(shape(rows)).toEqual(['day:Yesterday', 'msg:1*', 'day:Today', 'msg:2*']);
  });

  it('marks own messages and keys them like their pending form, which comes after the stored ones', () => {
    const pending = pendingMessage('p1', { createdAt: on(20, 17) });
    const rows = buildRows(
      thread([message(1, { senderId: 'alice', createdAt: on(20, 12) })], [pending]),
      'alice',
      NOW,
    );
    expect(shape(rows)).toEqual(['day:Today', 'msg:1*', 'pending:p1']);
    expect(rows[1]).toMatchObject({ kind: 'message', own: true, key: 'alice:c1' });
    expect(rows[2]).toMatchObject({ kind: 'pending', key: 'alice:p1' });
  });

  it('gives a pending message of a later day its own separator, and nothing for an empty thread', () => {
    const pending = pendingMessage('p1', { createdAt: on(20, 9), status: 'failed' });
    expect(
      shape(buildRows(thread([message(1, { createdAt: on(19, 9) })], [pending]), 'alice', NOW)),
    ).toEqual(['day:Yesterday', 'msg:1*', 'day:Today', 'pending:p1']);
    expect(buildRows(EMPTY_THREAD, 'alice', NOW)).toEqual([]);
  });

  it('puts the "New messages" row before the first message from someone else above the read watermark', () => {
    const stored = [
      message(1, { senderId: 'bob', createdAt: on(20, 9) }),
      message(2, { senderId: 'alice', createdAt: on(20, 9) }),
      message(3, { senderId: 'alice', createdAt: on(20, 10) }),
      message(4, { senderId: 'bob', createdAt: on(20, 10) }),
      message(5, { senderId: 'bob', createdAt: on(20, 11) }),
    ];
    expect(shape(buildRows(thread(stored), 'alice', NOW, 1))).toEqual([
      'day:Today',
      'msg:1*',
      'msg:2*',
      'msg:3',
      'unread',
      'msg:4*',
      'msg:5',
    ]);
    expect(shape(buildRows(thread(stored), 'alice', NOW, 5))).not.toContain('unread');
    expect(shape(buildRows(thread(stored), 'alice', NOW, null))).not.toContain('unread');
    // Loaded from seq 4 with older pages left: the first unread one (seq 2) is not here yet.
    const partial = { ...thread(stored.slice(3)), hasMoreBefore: true };
    expect(shape(buildRows(partial, 'alice', NOW, 1))).not.toContain('unread');
    expect(shape(buildRows({ ...partial, hasMoreBefore: false }, 'alice', NOW, 1))).toContain(
      'unread',
    );
  });
});
