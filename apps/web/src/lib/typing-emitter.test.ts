import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIMITS, type TypingPayload } from '@chat/shared';
import { TYPING_IDLE_MS, TypingEmitter } from './typing-emitter';

function setup() {
  const link = { online: true, sent: [] as TypingPayload[] };
  const emitter = new TypingEmitter({
    connected: () => link.online,
    emit: (payload) => link.sent.push(payload),
  });
  return { link, emitter };
}

beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-11-20T10:00:00.000Z') }));
afterEach(() => vi.useRealTimers());

describe('TypingEmitter', () => {
  it('says "typing" once per throttle window however fast the keystrokes come', () => {
    const { link, emitter } = setup();
    for (let i = 0; i < 10; i += 1) {
      emitter.typing('c1', true);
      vi.advanceTimersByTime(LIMITS.TYPING_THROTTLE_MS / 10 - 1);
    }
    expect(link.sent).toEqual([{ conversationId: 'c1', typing: true }]);
    vi.advanceTimersByTime(10);
    emitter.typing('c1', true);
    expect(link.sent).toHaveLength(2);
  });

  it('says "stopped" when the text is cleared', () => {
    const { link, emitter } = setup();
    emitter.typing('c1', true);
    emitter.typing('c1', false);
    emitter.typing('c1', false); // nothing more to stop
    expect(link.sent).toEqual([
      { conversationId: 'c1', typing: true },
      { conversationId: 'c1', typing: false },
    ]);
  });

  it('says "stopped" after TYPING_IDLE_MS without keystrokes, counted from the last one', () => {
    const { link, emitter } = setup();
    emitter.typing('c1', true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 100);
    emitter.typing('c1', true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(link.sent.at(-1)).toEqual({ conversationId: 'c1', typing: true });
    vi.advanceTimersByTime(1);
    expect(link.sent.at(-1)).toEqual({ conversationId: 'c1', typing: false });
  });

  it('forgets without telling when a message is sent (the server ends it) or the link drops', () => {
    const { link, emitter } = setup();
    emitter.typing('c1', true);
    emitter.typing('c2', true);
    emitter.stop('c1', false);
    emitter.reset();
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    expect(link.sent.map((p) => p.typing)).toEqual([true, true]);
    // After the reset, the next keystroke says "typing" again at once.
    emitter.typing('c2', true);
    expect(link.sent).toHaveLength(3);
  });

  it('sends nothing while disconnected', () => {
    const { link, emitter } = setup();
    link.online = false;
    emitter.typing('c1', true);
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    expect(link.sent).toEqual([]);
  });
});
