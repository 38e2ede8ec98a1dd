import { describe, expect, it } from 'vitest';
import { LIMITS } from '@chat/shared';
import {
  applyPendingActions,
  mergeChanges,
  quoteOf,
  toggleReaction,
  withPendingActions,
  type PendingAction,
} from './message-actions';
import { message } from '@/testing/factories';

let order = 0;
/** A pending action of alice on message `messageId` of c1. */
function action(messageId: string, a: PendingAction extends infer T ? Partial<T> : never) {
  order += 1;
  return {
    actionId: `a${order}`,
    conversationId: 'c1',
    messageId,
    createdAt: '2026-11-21T09:00:00.000Z',
    order,
    ...a,
  } as PendingAction;
}

describe('toggleReaction', () => {
  it('adds and removes with set semantics, and drops an emoji nobody keeps', () => {
    const one = toggleReaction([], '👍', 'alice', true);
    expect(one).toEqual([{ emoji: '👍', count: 1, userIds: ['alice'] }]);
    expect(toggleReaction(one, '👍', 'alice', true)).toBe(one);
    const two = toggleReaction(one, '👍', 'bob', true);
    expect(two).toEqual([{ emoji: '👍', count: 2, userIds: ['alice', 'bob'] }]);
    expect(toggleReaction(two, '👍', 'alice', false)).toEqual([
      { emoji: '👍', count: 1, userIds: ['bob'] },
    ]);
    expect(toggleReaction(one, '👍', 'alice', false)).toEqual([]);
    expect(toggleReaction(one, '❤️', 'carol', false)).toBe(one);
  });
});

describe('withPendingActions', () => {
  it('applies edits, reactions and a deletion in queue order', () => {
    const m = message(1, { senderId: 'alice', body: 'helo' });
    const edited = withPendingActions(
      m,
      [
        action('m1', { kind: 'edit', body: 'hello' }),
        action('m1', { kind: 'react', emoji: '🎉', add: true }),
      ],
      'alice',
    );
    expect(edited.body).toBe('hello');
    expect(edited.editedAt).toBe('2026-11-21T09:00:00.000Z');
    expect(edited.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: ['alice'] }]);

    const gone = withPendingActions(
      m,
      [action('m1', { kind: 'delete' }), action('m1', { kind: 'edit', body: 'too late' })],
      'alice',
    );
    expect(gone).toMatchObject({ body: '', reactions: [], deletedBy: 'author' });
    expect(gone.deletedAt).not.toBeNull();
  });

  it("marks an admin's deletion of someone else's message as by an admin", () => {
    const view = withPendingActions(message(1), [action('m1', { kind: 'delete' })], 'alice');
    expect(view.deletedBy).toBe('admin');
  });

  it('returns the message itself when no action concerns it', () => {
    const m = message(2);
    expect(withPendingActions(m, [action('m1', { kind: 'delete' })], 'alice')).toBe(m);
  });
});

describe('applyPendingActions', () => {
  it('updates the quotes of replies to a message edited or deleted optimistically', () => {
    const original = message(1, { senderId: 'alice', body: 'first' });
    const reply = message(2, { replyTo: quoteOf(original) });
    const shown = applyPendingActions(
      [original, reply],
      [action('m1', { kind: 'edit', body: 'first, fixed' })],
      'alice',
    );
    expect(shown[1]!.replyTo).toMatchObject({ snippet: 'first, fixed', deleted: false });
    const deleted = applyPendingActions(
      [original, reply],
      [action('m1', { kind: 'delete' })],
      'alice',
    );
    expect(deleted[1]!.replyTo).toMatchObject({ snippet: '', deleted: true });
  });

  it('returns the same array without actions', () => {
    const list = [message(1)];
    expect(applyPendingActions(list, [], 'alice')).toBe(list);
  });
});

describe('quoteOf', () => {
  it('folds white space and cuts at REPLY_SNIPPET_MAX code points with an ellipsis', () => {
    const long = `${'😀'.repeat(LIMITS.REPLY_SNIPPET_MAX)}tail`;
    const quote = quoteOf(message(1, { body: `a\n  b` }));
    expect(quote).toEqual({
      messageId: 'm1',
      seq: 1,
      senderId: 'bob',
      snippet: 'a b',
      deleted: false,
    });
    const cut = quoteOf(message(1, { body: long })).snippet;
    expect(Array.from(cut)).toHaveLength(LIMITS.REPLY_SNIPPET_MAX + 1);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('mergeChanges', () => {
  it('replaces held messages only with newer views and refreshes quotes of replies', () => {
    const held = [
      message(1, { changeSeq: 3, body: 'v3' }),
      message(2, { replyTo: quoteOf(message(1, { body: 'v3' })) }),
    ];
    const older = message(1, { changeSeq: 2, body: 'v2' });
    expect(mergeChanges(held, [older])).toBe(held);
    const newer = message(1, {
      changeSeq: 5,
      body: '',
      deletedAt: '2026-11-21T10:00:00.000Z',
      deletedBy: 'author',
    });
    const merged = mergeChanges(held, [newer, older]);
    expect(merged[0]).toBe(newer);
    expect(merged[1]!.replyTo).toMatchObject({ deleted: true, snippet: '' });
  });

  it('ignores messages not held', () => {
    const held = [message(1)];
    expect(mergeChanges(held, [message(9, { changeSeq: 4 })])).toBe(held);
  });
});
