'use client';

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { LIMITS } from '@chat/shared';

/** The editor grows with its content up to this height (px), then scrolls (as the composer does). */
const MAX_HEIGHT_PX = 200;

/**
 * Edits a message in place of its text: Enter saves, Shift+Enter inserts a line break, Escape cancels (as do the
 * buttons). Saving the text unchanged just closes it. The body rules are the sending ones (LIMITS.MESSAGE_BODY_MIN
 * ..MESSAGE_BODY_MAX after trimming; empty allowed only for a message with attachments). The caret starts at the end.
 */
export function InlineEditor({
  initial,
  allowEmpty,
  onSave,
  onCancel,
}: {
  initial: string;
  allowEmpty: boolean;
  onSave: (body: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const trimmed = text.trim();
  const tooLong = trimmed.length > LIMITS.MESSAGE_BODY_MAX;
  const valid = !tooLong && (allowEmpty || trimmed.length >= LIMITS.MESSAGE_BODY_MIN);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  function save() {
    if (!valid) return;
    if (trimmed === initial.trim()) onCancel();
    else onSave(trimmed);
  }

  return (
    <div className="inline-editor" data-testid="inline-editor">
      <label className="visually-hidden" htmlFor="inline-editor-input">
        Edit message
      </label>
      <textarea
        id="inline-editor-input"
        ref={ref}
        value={text}
        rows={1}
        aria-invalid={!valid || undefined}
        aria-describedby="inline-editor-hint"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            // Moving the caret, not the focus between messages.
            e.stopPropagation();
          }
        }}
      />
      <div className="inline-editor-bar">
        <span id="inline-editor-hint" className="inline-editor-hint">
          {tooLong
            ? `Too long: ${trimmed.length}/${LIMITS.MESSAGE_BODY_MAX}`
            : 'Enter to save, Esc to cancel'}
        </span>
        <button type="button" className="button subtle small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button primary small" disabled={!valid} onClick={save}>
          Save
        </button>
      </div>
    </div>
  );
}
