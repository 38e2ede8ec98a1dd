'use client';

import dynamic from 'next/dynamic';
import {
  memo,
  useCallback,
  useRef,
  useState,
  type HTMLAttributes,
  type KeyboardEvent,
  type PointerEvent,
} from 'react';
import type { Message, PublicUser, Reaction, ReplyQuote } from '@chat/shared';
import { isDeleted } from '@/lib/message-actions';
import type { ReceiptState } from '@/components/live/receipt-ticks';
import type { ActionItem, MenuAnchor } from '@/components/message-actions/action-menu';
import { MessageBubble } from './message-bubble';
import { plainText } from '@/lib/plain-text';

/** Loaded on first use (and fetched ahead on the first hover or focus), out of the chat page's first load. */
const loadMenu = () => import('@/components/message-actions/action-menu');
const ActionMenu = dynamic(() => loadMenu().then((m) => m.ActionMenu), { ssr: false });
const loadEditor = () => import('@/components/message-actions/inline-editor');
const InlineEditor = dynamic(() => loadEditor().then((m) => m.InlineEditor), {
  ssr: false,
  loading: () => <p className="inline-editor-loading">Opening the editor…</p>,
});

/**
 * Fetches the lazily loaded parts a person needs to act on messages (menu, editor, delete confirmation), so they work
 * later without the network too (offline edits and reactions go to the queue, but the menu must be there to make
 * them). Called once the chat page is idle; they stay out of its first load.
 */
export function preloadMessageActions(): void {
  void loadMenu();
  void loadEditor();
  void import('@/components/message-actions/delete-dialog');
}

/** How long a touch must rest on a message to open its menu (ms), as Android's long-press timeout (500 ms). */
const LONG_PRESS_MS = 500;
/** A touch that moves farther than this (px) is a scroll, not a long-press. */
const LONG_PRESS_SLOP_PX = 10;

/** What a message row asks of the list and the pane. Each gets the message as shown (pending actions applied). */
export interface MessageHandlers {
  reply: (message: Message) => void;
  react: (message: Message, emoji: string, add: boolean) => void;
  /** Opens the full emoji picker for a reaction; focus goes back to the message when it closes. */
  moreReactions: (message: Message) => void;
  copy: (message: Message) => void;
  /** Opens the forward dialog; focus goes back to the message when it closes. */
  forward: (message: Message) => void;
  edit: (message: Message) => void;
  saveEdit: (message: Message, body: string) => void;
  cancelEdit: () => void;
  /** Asks to confirm, then deletes; focus goes back to the message when the dialog closes. */
  remove: (message: Message) => void;
  /** Asks for a reason and reports the message to the instance administrators. */
  report: (message: Message) => void;
  /** Scrolls to (and highlights) the message a reply quotes. */
  jump: (quote: ReplyQuote) => void;
  /** Arrow keys on a focused message: the previous (-1) or next (1) message takes focus. */
  moveFocus: (from: HTMLElement, step: -1 | 1) => void;
}

/** What the signed-in person may do to messages of this conversation. */
export interface ActionRights {
  /** An active member (a former one reads only: Copy text is all they get). */
  active: boolean;
  /** A group admin: may delete others' messages too. */
  admin: boolean;
}

/**
 * A stored message with its actions: the hover button (desktop), a long-press (touch) or Shift+F10 / the Menu key on
 * the focused message open the action menu (Reply, React, Copy text, Forward; Edit and Delete on one's own; Delete on
 * anyone's for a group admin). Shows the reply quote (a button that jumps to the original), the reaction chips
 * (click toggles mine; the title names who reacted), "Forwarded", "edited" and the tombstone of a deleted message.
 */
export const StoredMessage = memo(function StoredMessage({
  message,
  own,
  selfId,
  sender,
  mentionNames,
  mentionsMe = false,
  grouped,
  receipt,
  seenBy,
  names,
  rights,
  editing,
  highlighted,
  handlers,
}: {
  message: Message;
  own: boolean;
  selfId: string;
  sender: { id: string; name: string; avatarUrl?: string | null; user?: PublicUser | null } | null;
  /** Lower-case usernames (and `all`) this message mentions: highlighted in the text. */
  mentionNames?: readonly string[];
  /** The message mentions the reader: the bubble is marked. */
  mentionsMe?: boolean;
  grouped: boolean;
  receipt: ReceiptState | undefined;
  seenBy: number | undefined;
  /** Display names of members (for quotes and reaction titles); unknown ids read "Former member". */
  names: ReadonlyMap<string, string>;
  rights: ActionRights;
  editing: boolean;
  highlighted: boolean;
  handlers: MessageHandlers;
}) {
  const [menu, setMenu] = useState<MenuAnchor | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | null>(null);
  /** The last pointer to press this message was a finger (its long-press also fires `contextmenu`). */
  const touched = useRef(false);
  const deleted = isDeleted(message);
  const nameOf = (id: string) => (id === selfId ? 'You' : (names.get(id) ?? 'Former member'));

  const items: ActionItem[] = [];
  if (!deleted) {
    if (rights.active)
      items.push({ id: 'reply', label: 'Reply', run: () => handlers.reply(message) });
    if (message.body.trim() !== '')
      items.push({ id: 'copy', label: 'Copy text', run: () => handlers.copy(message) });
    if (rights.active)
      items.push({
        id: 'forward',
        label: 'Forward',
        run: () => handlers.forward(message),
      });
    if (rights.active && own && message.kind === 'text')
      items.push({ id: 'edit', label: 'Edit', run: () => handlers.edit(message) });
    if (rights.active && (own || rights.admin))
      items.push({
        id: 'delete',
        label: own ? 'Delete' : 'Delete (admin)',
        danger: true,
        run: () => handlers.remove(message),
      });
    // Someone else's message, to the instance administrators (the server keeps a copy of its text).
    if (!own && message.kind === 'text')
      items.push({ id: 'report', label: 'Report', run: () => handlers.report(message) });
  }
  const canReact = rights.active && !deleted;
  const hasMenu = items.length > 0 || canReact;
  const mine = message.reactions.filter((r) => r.userIds.includes(selfId)).map((r) => r.emoji);

  const open = useCallback((anchor: Element) => {
    const r = anchor.getBoundingClientRect();
    setMenu({ top: r.top, bottom: r.bottom, left: r.left, right: r.right });
  }, []);
  const close = useCallback((reason: 'escape' | 'item' | 'outside' | 'tab') => {
    setMenu(null);
    // Back to the message (before an item runs, which may move it on: the composer, an editor, a dialog); a click
    // elsewhere keeps the focus where it went.
    if (reason !== 'outside') root.current?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    if (hasMenu && (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey))) {
      event.preventDefault();
      open(trigger.current ?? event.currentTarget);
    } else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault();
      handlers.moveFocus(event.currentTarget, event.key === 'ArrowUp' ? -1 : 1);
    }
  }

  function cancelPress() {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  }
  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    touched.current = event.pointerType === 'touch';
    if (event.pointerType !== 'touch' || !hasMenu || editing) return;
    void loadMenu();
    const bubble = event.currentTarget.querySelector('.bubble') ?? event.currentTarget;
    press.current = {
      x: event.clientX,
      y: event.clientY,
      timer: setTimeout(() => {
        press.current = null;
        open(bubble);
      }, LONG_PRESS_MS),
    };
  }
  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    const p = press.current;
    if (p && Math.hypot(event.clientX - p.x, event.clientY - p.y) > LONG_PRESS_SLOP_PX)
      cancelPress();
  }

  return (
    <>
      <MessageBubble
        rootRef={root}
        rootProps={
          {
            tabIndex: -1,
            role: 'article',
            'aria-keyshortcuts': hasMenu ? 'Shift+F10' : undefined,
            'data-message-id': message.id,
            onKeyDown,
            onPointerDown,
            onPointerMove,
            onPointerUp: cancelPress,
            onPointerCancel: cancelPress,
            onPointerEnter: hasMenu ? () => void loadMenu() : undefined,
            // The browser's own long-press menu (text selection, "copy") would cover ours.
            onContextMenu: (e) => {
              if (touched.current && hasMenu) e.preventDefault();
            },
          } as HTMLAttributes<HTMLDivElement>
        }
        body={message.body}
        time={message.createdAt}
        own={own}
        status="sent"
        sender={sender}
        attachments={message.attachments}
        mentionNames={mentionNames}
        mentionsMe={mentionsMe}
        grouped={grouped}
        seq={message.seq}
        receipt={receipt}
        seenBy={seenBy}
        forwarded={message.forwarded}
        deletedBy={deleted ? (message.deletedBy ?? 'author') : null}
        editedAt={message.editedAt}
        highlighted={highlighted}
        quote={
          message.replyTo && !deleted ? (
            <QuoteButton
              quote={message.replyTo}
              name={nameOf(message.replyTo.senderId)}
              onJump={handlers.jump}
            />
          ) : null
        }
        editor={
          editing && !deleted ? (
            <InlineEditor
              initial={message.body}
              allowEmpty={message.attachments.length > 0}
              onSave={(body) => handlers.saveEdit(message, body)}
              onCancel={handlers.cancelEdit}
            />
          ) : null
        }
        reactions={
          message.reactions.length > 0 && !deleted ? (
            <ReactionChips
              reactions={message.reactions}
              selfId={selfId}
              nameOf={nameOf}
              disabled={!canReact}
              onToggle={(emoji, add) => handlers.react(message, emoji, add)}
            />
          ) : null
        }
        actions={
          hasMenu && !editing ? (
            <button
              ref={trigger}
              type="button"
              className="icon-button message-menu-button"
              aria-label="Message actions"
              aria-haspopup="menu"
              aria-expanded={menu !== null}
              tabIndex={-1}
              onFocus={() => void loadMenu()}
              onClick={(e) => (menu ? setMenu(null) : open(e.currentTarget))}
            >
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path
                  d="M6 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"
                  fill="currentColor"
                />
              </svg>
            </button>
          ) : null
        }
      />
      {menu ? (
        <ActionMenu
          anchor={menu}
          items={items}
          myReactions={mine}
          onReact={
            canReact ? (emoji) => handlers.react(message, emoji, !mine.includes(emoji)) : null
          }
          onMoreReactions={canReact ? () => handlers.moreReactions(message) : null}
          onClose={close}
        />
      ) : null}
    </>
  );
});

/** A reply's quote: sender and snippet (or "Deleted message"); activating it shows the original. */
function QuoteButton({
  quote,
  name,
  onJump,
}: {
  quote: ReplyQuote;
  name: string;
  onJump: (quote: ReplyQuote) => void;
}) {
  const text = quote.deleted ? 'Deleted message' : plainText(quote.snippet) || 'Attachment';
  return (
    <button
      type="button"
      className={`reply-quote${quote.deleted ? ' deleted' : ''}`}
      data-testid="reply-quote"
      title="Show the original message"
      onClick={() => onJump(quote)}
    >
      <span className="visually-hidden">In reply to </span>
      <span className="reply-quote-name">{name}</span>
      <span className="reply-quote-text">{text}</span>
    </button>
  );
}

/** The names of who reacted, for a chip's title: "You, Ana and Ben". */
export function reactorNames(
  reaction: Reaction,
  selfId: string,
  nameOf: (id: string) => string,
): string {
  const names = [
    ...reaction.userIds.filter((id) => id === selfId),
    ...reaction.userIds.filter((id) => id !== selfId),
  ].map(nameOf);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Reaction chips: emoji and count; mine pressed (aria-pressed); a click adds or removes mine. */
function ReactionChips({
  reactions,
  selfId,
  nameOf,
  disabled,
  onToggle,
}: {
  reactions: Reaction[];
  selfId: string;
  nameOf: (id: string) => string;
  disabled: boolean;
  onToggle: (emoji: string, add: boolean) => void;
}) {
  return (
    <div className="reactions" role="group" aria-label="Reactions" data-testid="reactions">
      {reactions.map((reaction) => {
        const mine = reaction.userIds.includes(selfId);
        const who = reactorNames(reaction, selfId, nameOf);
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={`reaction-chip${mine ? ' mine' : ''}`}
            data-testid="reaction-chip"
            aria-pressed={mine}
            aria-label={`${reaction.emoji} ${reaction.count}: ${who}`}
            title={`${who} reacted with ${reaction.emoji}`}
            disabled={disabled}
            onClick={() => onToggle(reaction.emoji, !mine)}
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="reaction-count" aria-hidden="true">
              {reaction.count}
            </span>
          </button>
        );
      })}
    </div>
  );
}
