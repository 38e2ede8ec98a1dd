'use client';

import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { LIMITS } from '@chat/shared';

/** Show the length counter once this close to the limit (characters). */
const COUNTER_THRESHOLD = 500;
/** The textarea grows with its content up to this height (px), then scrolls. */
const MAX_HEIGHT_PX = 160;

/**
 * The message composer. Enter sends, Shift+Enter inserts a new line (and Enter while an IME is composing
 * does nothing, so CJK input works). Sending is disabled while the text is blank or longer than
 * LIMITS.MESSAGE_BODY_MAX after trimming; a counter appears near the limit.
 */
export function Composer({
  onSend,
  onTyping,
  disabled = false,
}: {
  onSend: (body: string) => void;
  /** Told on every edit whether there is text (the caller throttles `typing:update`). */
  onTyping?: (typing: boolean) => void;
  disabled?: boolean;
}) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const length = text.trim().length;
  const tooLong = length > LIMITS.MESSAGE_BODY_MAX;
  const canSend = !disabled && length >= LIMITS.MESSAGE_BODY_MIN && !tooLong;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  function send() {
    if (!canSend) return;
    onSend(text);
    setText('');
    onTyping?.(false);
    ref.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  const showCounter = length > LIMITS.MESSAGE_BODY_MAX - COUNTER_THRESHOLD;
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={1}
        placeholder="Write a message"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onTyping?.(e.target.value.trim() !== '');
        }}
        onBlur={() => onTyping?.(false)}
        onKeyDown={onKeyDown}
        aria-describedby={showCounter ? 'composer-counter' : undefined}
        aria-invalid={tooLong || undefined}
      />
      {showCounter ? (
        <span id="composer-counter" className={`composer-counter${tooLong ? ' over' : ''}`} aria-live="polite">
          {length}/{LIMITS.MESSAGE_BODY_MAX}
        </span>
      ) : null}
      <button type="submit" className="button primary send" disabled={!canSend} aria-label="Send message">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M3.4 20.4 21 12 3.4 3.6l-.1 6.5L15 12 3.3 13.9z" fill="currentColor" />
        </svg>
      </button>
    </form>
  );
}
