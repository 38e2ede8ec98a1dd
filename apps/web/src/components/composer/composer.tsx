'use client';

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { LIMITS, type ConversationMember } from '@chat/shared';
import type { MentionCandidate } from '@/lib/mention-suggest';
import { AttachmentTray } from '@/components/attachments/attachment-tray';
import type { AttachmentUploads } from '@/components/attachments/use-attachment-uploads';
import type { HandedOffUploads } from '@/lib/chat-client';
import { EmojiPickerPopover } from '@/components/emoji/emoji-picker-popover';

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
  holding = false,
  uploads,
  initialText = '',
  onTextChange,
  focusOnOpen = false,
  mentionable,
  replyTo = null,
  onCancelReply,
  onEditLast,
}: {
  /** The message being answered: a quote above the field (Escape or its button cancels). */
  replyTo?: { name: string; text: string } | null;
  onCancelReply?: () => void;
  /**
   * Up arrow in an empty field: edit my last message (as in Slack). Returns whether there was one to edit (else the
   * key does what it normally does).
   */
  onEditLast?: () => boolean;
  /**
   * The text, and the tray's files handed off to it (null without files): the send waits for their uploads, so
   * the caller keeps it (ChatClient.sendAfterUploads) even if this composer goes away meanwhile.
   */
  onSend: (body: string, attachments: Promise<HandedOffUploads> | null) => void;
  /** A send of this conversation is waiting for its uploads: say so, and hold the next one so order is kept. */
  holding?: boolean;
  /** The attachment tray (paperclip, paste, and the pane's drop zone feed it); none: text only. */
  uploads?: AttachmentUploads;
  /** Told on every edit whether there is text (the caller throttles `typing:update`). */
  onTyping?: (typing: boolean) => void;
  disabled?: boolean;
  /** The text to start from (the conversation's draft). Read once, when the composer mounts. */
  initialText?: string;
  /** Told every change of the text, '' after a send (the caller keeps it as the draft). */
  onTextChange?: (text: string) => void;
  /**
   * Put the caret in the composer when it mounts, with a mouse or trackpad only: on a touch screen that would
   * open the on-screen keyboard over the conversation the person wanted to read.
   */
  focusOnOpen?: boolean;
  /**
   * In a group: the members `@` suggests (arrow keys, Enter or Tab picks, Escape closes), the caller's id (left
   * out) and whether `@all` may be offered (group admins).
   */
  mentionable?: { members: readonly ConversationMember[]; selfId: string; allowAll: boolean };
}) {
  const [text, setText] = useState(initialText);
  const [caret, setCaret] = useState(initialText.length);
  // The suggestion helpers come in their own chunk, for group composers only (the chat's first load stays small).
  const [suggest, setSuggest] = useState<typeof import('@/lib/mention-suggest') | null>(null);
  const wantsSuggestions = mentionable !== undefined;
  useEffect(() => {
    if (!wantsSuggestions) return;
    let live = true;
    void import('@/lib/mention-suggest').then((m) => {
      if (live) setSuggest(m);
    });
    return () => {
      live = false;
    };
  }, [wantsSuggestions]);
  const [suggestIndex, setSuggestIndex] = useState(0);
  const [suggestClosedAt, setSuggestClosedAt] = useState<number | null>(null);
  const mentionQuery = mentionable && suggest ? suggest.mentionQueryAt(text, caret) : null;
  const suggestions: MentionCandidate[] =
    mentionable && suggest && mentionQuery && suggestClosedAt !== mentionQuery.start
      ? suggest.mentionCandidates(
          mentionable.members,
          mentionQuery.query,
          mentionable.selfId,
          mentionable.allowAll,
        )
      : [];
  const suggesting = suggestions.length > 0;
  const activeSuggestion = Math.min(suggestIndex, Math.max(0, suggestions.length - 1));
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const length = text.trim().length;
  const tooLong = length > LIMITS.MESSAGE_BODY_MAX;
  const fileCount = uploads ? uploads.items.filter((i) => i.status !== 'error').length : 0;
  const canSend =
    !disabled && !holding && !tooLong && (length >= LIMITS.MESSAGE_BODY_MIN || fileCount > 0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  useEffect(() => {
    const el = ref.current;
    if (!focusOnOpen || !el || !window.matchMedia('(pointer: fine)').matches) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, [focusOnOpen]);

  function send() {
    if (!canSend) return;
    onSend(text, uploads && uploads.items.length > 0 ? uploads.handOff() : null);
    setText('');
    setCaret(0);
    onTextChange?.('');
    onTyping?.(false);
    ref.current?.focus();
  }

  /** Puts `emoji` at the caret (replacing a selection), as typing it would, and keeps the caret after it. */
  function insertAtCaret(emoji: string) {
    const el = ref.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    onTextChange?.(next);
    onTyping?.(next.trim() !== '');
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  }

  /** Replaces the `@query` at the caret with the picked person's `@username`. */
  function pickMention(candidate: MentionCandidate) {
    const el = ref.current;
    if (!mentionQuery || !suggest) return;
    const username = candidate.kind === 'all' ? 'all' : candidate.user.username;
    const next = suggest.insertMention(text, mentionQuery.start, caret, username);
    setText(next.text);
    setCaret(next.caret);
    setSuggestIndex(0);
    onTextChange?.(next.text);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggesting && !event.nativeEvent.isComposing) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setSuggestIndex((activeSuggestion + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        const picked = suggestions[activeSuggestion];
        if (picked) pickMention(picked);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setSuggestClosedAt(mentionQuery?.start ?? null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && replyTo && onCancelReply) {
      event.preventDefault();
      onCancelReply();
    } else if (
      event.key === 'ArrowUp' &&
      text === '' &&
      !event.shiftKey &&
      !event.altKey &&
      onEditLast?.()
    ) {
      event.preventDefault();
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
      {replyTo ? (
        <div className="composer-reply" data-testid="composer-reply">
          <div className="composer-reply-text">
            <span className="composer-reply-name">Replying to {replyTo.name}</span>
            <span className="composer-reply-snippet">{replyTo.text}</span>
          </div>
          <button
            type="button"
            className="icon-button"
            aria-label="Cancel reply"
            onClick={() => {
              onCancelReply?.();
              ref.current?.focus();
            }}
          >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
              <path
                d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"
                fill="currentColor"
              />
            </svg>
          </button>
        </div>
      ) : null}
      {uploads ? <AttachmentTray uploads={uploads} /> : null}
      {holding ? (
        <span className="composer-waiting" role="status">
          Sending when the uploads finish…
        </span>
      ) : null}
      {uploads ? (
        <>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="attach-input"
            onChange={(e) => {
              if (e.target.files) uploads.add(e.target.files);
              e.target.value = '';
            }}
          />
          <button
            type="button"
            className="icon-button attach-button"
            aria-label="Attach files"
            onClick={() => fileInput.current?.click()}
            disabled={disabled}
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path
                d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"
                fill="currentColor"
              />
            </svg>
          </button>
        </>
      ) : null}
      <EmojiPickerPopover onPick={insertAtCaret} disabled={disabled} />
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={1}
        placeholder="Write a message"
        value={text}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setSuggestIndex(0);
          onTextChange?.(e.target.value);
          onTyping?.(e.target.value.trim() !== '');
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? text.length)}
        role={mentionable ? 'combobox' : undefined}
        aria-expanded={mentionable ? suggesting : undefined}
        aria-controls={mentionable ? 'mention-suggestions' : undefined}
        aria-autocomplete={mentionable ? 'list' : undefined}
        aria-activedescendant={suggesting ? `mention-option-${activeSuggestion}` : undefined}
        onBlur={() => onTyping?.(false)}
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          const files = [...e.clipboardData.files];
          if (!uploads || files.length === 0) return;
          e.preventDefault();
          uploads.add(files);
        }}
        aria-describedby={showCounter ? 'composer-counter' : undefined}
        aria-invalid={tooLong || undefined}
      />
      {suggesting ? (
        <ul
          id="mention-suggestions"
          className="mention-suggestions"
          role="listbox"
          aria-label="People to mention"
          data-testid="mention-suggestions"
        >
          {suggestions.map((candidate, i) => (
            <li
              key={candidate.kind === 'all' ? '@all' : candidate.user.id}
              id={`mention-option-${i}`}
              role="option"
              aria-selected={i === activeSuggestion}
              className={i === activeSuggestion ? 'active' : undefined}
              onMouseDown={(e) => {
                // Keep the focus (and the caret) in the textarea.
                e.preventDefault();
                pickMention(candidate);
              }}
            >
              {candidate.kind === 'all' ? (
                <>
                  <strong>@all</strong> <span className="search-muted">everyone in the group</span>
                </>
              ) : (
                <>
                  <strong>{candidate.user.displayName}</strong>{' '}
                  <span className="search-muted">@{candidate.user.username}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {showCounter ? (
        <span
          id="composer-counter"
          className={`composer-counter${tooLong ? ' over' : ''}`}
          aria-live="polite"
        >
          {length}/{LIMITS.MESSAGE_BODY_MAX}
        </span>
      ) : null}
      <button
        type="submit"
        className="button primary send"
        disabled={!canSend}
        aria-label="Send message"
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M3.4 20.4 21 12 3.4 3.6l-.1 6.5L15 12 3.3 13.9z" fill="currentColor" />
        </svg>
      </button>
    </form>
  );
}
