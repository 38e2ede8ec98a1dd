'use client';

import { otherMember } from '@/lib/format';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { toast } from 'sonner';
import dynamic from 'next/dynamic';
import type { ConversationSummary, Message, ReplyQuote } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { applyPendingActions } from '@/lib/message-actions';
import { systemText } from '@/lib/system-text';
import { conversationPeople } from '@/lib/people';
import { EMPTY_THREAD } from '@/stores/messages-store';
import { useChat, useMessages } from '@/components/providers/chat-provider';
import { receiptState, seenByCount } from '@/components/live/receipt-ticks';
import { mentionNames, mentionsUser } from '@/lib/mentions';
import { MessageBubble } from './message-bubble';
import { buildRows, type Row } from './message-rows';
import { NewMessageAnnouncer } from './new-message-announcer';
import { reportMessage } from '@/lib/reports';
import {
  preloadMessageActions,
  StoredMessage,
  type ActionRights,
  type MessageHandlers,
} from './stored-message';
import { plainText } from '@/lib/plain-text';

// Dialogs of the message actions: loaded when first opened, out of the chat page's first load.
const DeleteMessageDialog = dynamic(
  () => import('@/components/message-actions/delete-dialog').then((m) => m.DeleteMessageDialog),
  { ssr: false },
);
const ForwardDialog = dynamic(
  () => import('@/components/message-actions/forward-dialog').then((m) => m.ForwardDialog),
  { ssr: false },
);
const ReportDialog = dynamic(
  () => import('@/components/account/report-dialog').then((m) => m.ReportDialog),
  { ssr: false },
);
const ReactionPickerDialog = dynamic(
  () =>
    import('@/components/message-actions/reaction-picker-dialog').then(
      (m) => m.ReactionPickerDialog,
    ),
  { ssr: false },
);

/** Following a reply's quote loads at most this many older pages to reach the original. */
const MAX_PAGES_TO_QUOTED = 50;
/** How long a message reached through a quote stays highlighted (ms). */
const HIGHLIGHT_MS = 2_000;

/** A dialog of the message actions, with the element the focus returns to when it closes. */
type ActionDialog = { kind: 'delete' | 'forward' | 'react' | 'report'; message: Message } | null;

/** Where the pane takes part in message actions: the reply quote and the editor live beside the composer. */
export interface PaneActions {
  /** The message being edited in place, or null. */
  editingId: string | null;
  /** Starts (a message) or ends (null) the inline editor. */
  setEditing: (messageId: string | null) => void;
  reply: (message: Message) => void;
}

/** The index of the row showing stored message `id`, or -1. */
function rowIndexOf(rows: readonly Row[], id: string): number {
  return rows.findIndex((r) => r.kind === 'message' && r.message.id === id);
}

/** Start loading the previous page when the reader is this close to the top (px). */
const LOAD_OLDER_THRESHOLD_PX = 400;
/** Height reserved above the first row for the "beginning of the conversation" / loading note (px). */
const EDGE_HEIGHT_PX = 48;
/** Within this distance of the bottom (px) the reader counts as "at the newest message" and follows. */
const FOLLOW_THRESHOLD_PX = 64;

/**
 * The virtualised message history of one conversation (@tanstack/react-virtual).
 * - When older pages are prepended the scroll offset grows by the height added above, so the message under
 *   the reader stays in place (rows measured later above the view are corrected by the virtualizer itself).
 * - New messages keep the view at the bottom when the reader was already there; own sends always do.
 * - Scrolling near the top loads the page before the oldest loaded seq.
 * - Opened with unread messages, it starts at the first of them, under a "New messages" line that stays for the
 *   visit. When it is older than the newest page, the history around it is read in one request (the messages
 *   store's loadAround, which then fills the gap up to the loaded ones); if that fails it starts at the newest.
 * - Scrolled up, a "Jump to latest" button counts the messages from others that arrived since.
 */
export function MessageList({
  conversation,
  selfId,
  highlightSeq = null,
  pane,
}: {
  conversation: ConversationSummary;
  selfId: string;
  /** Open at this message, highlighted (a picked search result), instead of the first unread or newest one. */
  highlightSeq?: number | null;
  pane: PaneActions;
}) {
  const client = useChat();
  const store = client.messages;
  const stored = useMessages((s) => s.threads[conversation.id]) ?? EMPTY_THREAD;
  // Own unconfirmed edits, deletions and reactions show at once (and vanish if the server refuses them).
  const thread = useMemo(() => {
    const messages = applyPendingActions(stored.messages, stored.actions, selfId);
    return messages === stored.messages ? stored : { ...stored, messages };
  }, [stored, selfId]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const isGroup = conversation.type === 'group';
  // Members and former members: whoever wrote a message the viewer can read keeps their name.
  const people = useMemo(() => conversationPeople(conversation), [conversation]);
  const names = useMemo(
    () => new Map([...people].map(([id, user]) => [id, user.displayName])),
    [people],
  );

  // The read watermark as it was on opening (reading moves it at once): messages above it are "new" this visit.
  const [unreadAfter] = useState<number | null>(() => {
    if (conversation.unreadCount <= 0 || highlightSeq !== null) return null;
    return conversation.members.find((m) => m.user.id === selfId)?.readSeq ?? null;
  });
  const rows = useMemo(
    () => buildRows(thread, selfId, Date.now(), unreadAfter),
    [thread, selfId, unreadAfter],
  );
  const unreadIndex = rows.findIndex((r) => r.kind === 'unread');
  const highlightIndex =
    highlightSeq === null
      ? -1
      : rows.findIndex(
          (r) => (r.kind === 'message' || r.kind === 'system') && r.message.seq === highlightSeq,
        );
  // The jump target is being loaded (loadAround); once that settles without it, the view opens at the newest.
  const [aroundSettled, setAroundSettled] = useState(highlightSeq === null);
  const waitingForTarget = highlightSeq !== null && highlightIndex < 0 && !aroundSettled;
  const lastOwnSeq = useMemo(() => {
    for (let i = thread.messages.length - 1; i >= 0; i -= 1)
      if (thread.messages[i]!.senderId === selfId) return thread.messages[i]!.seq;
    return 0;
  }, [thread.messages, selfId]);

  // No React Compiler in this app, so nothing memoises across the virtualizer's mutable API.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) =>
      rows[index]?.kind === 'day' || rows[index]?.kind === 'unread' ? 44 : 64,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 10,
    paddingStart: EDGE_HEIGHT_PX,
    paddingEnd: 8,
  });

  useEffect(() => {
    store
      .getState()
      .loadLatest(conversation.id)
      .catch((error: unknown) => toast.error(`Could not load messages: ${describeError(error)}`));
  }, [store, conversation.id]);

  useEffect(() => {
    if (highlightSeq === null) return;
    store
      .getState()
      .loadAround(conversation.id, highlightSeq)
      .catch((error: unknown) =>
        toast.error(`Could not load that message: ${describeError(error)}`),
      )
      .finally(() => setAroundSettled(true));
  }, [store, conversation.id, highlightSeq]);

  // The scroller's geometry as of the last scroll event or commit: read after the next commit to tell a
  // prepend (keep the reader's place) from an append (follow if the reader was at the bottom).
  const geometry = useRef<{ scrollTop: number; scrollHeight: number; clientHeight: number } | null>(
    null,
  );
  const edges = useRef<{
    first: string | null;
    last: string | null;
    pending: number;
    totalSize: number;
  }>({
    first: null,
    last: null,
    pending: 0,
    totalSize: 0,
  });
  // Whether the reader was at the bottom at the last scroll (theirs or the list's own). Kept from scroll events, not
  // from each commit: a row measured taller overflows the scroller before the list's size catches up, so a geometry
  // read in between would say the reader had left the bottom.
  const following = useRef(true);
  const recordGeometry = useCallback(() => {
    const el = scrollRef.current;
    if (el)
      geometry.current = {
        scrollTop: el.scrollTop,
        scrollHeight: el.scrollHeight,
        clientHeight: el.clientHeight,
      };
  }, []);

  // The first row is usually a day separator whose key survives a prepend on the same day: compare messages.
  const firstKey = rows.find((r) => r.kind !== 'day' && r.kind !== 'unread')?.key ?? null;
  const lastKey = rows[rows.length - 1]?.key ?? null;
  const pendingCount = thread.pending.length;
  // Grows without a new row when a row is measured taller than at first: an image that has loaded, a reaction.
  const totalSize = virtualizer.getTotalSize();
  // Until the first unread message is loaded (or the search for it has given up) the view is not placed yet.
  const placed = useRef(false);
  const [unreadAroundSettled, setUnreadAroundSettled] = useState(false);
  const searchingUnread =
    unreadAfter !== null &&
    unreadIndex < 0 &&
    thread.status === 'ready' &&
    thread.hasMoreBefore &&
    !unreadAroundSettled;
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const before = geometry.current;
    const prev = edges.current;
    edges.current = { first: firstKey, last: lastKey, pending: pendingCount, totalSize };
    if (!el) return;
    if (!placed.current) {
      if (lastKey === null || thread.status !== 'ready' || searchingUnread || waitingForTarget)
        return;
      placed.current = true;
      // Follows the newest only when placed there: rows measured after placing at a jump target or the first unread
      // message must not pull the reader away from it before their first scroll.
      following.current = highlightIndex < 0 && unreadIndex < 0;
      // First page(s): start at the jump target, else the first unread message, else the newest one.
      if (highlightIndex >= 0) virtualizer.scrollToIndex(highlightIndex, { align: 'center' });
      else if (unreadIndex >= 0) virtualizer.scrollToIndex(unreadIndex, { align: 'start' });
      else virtualizer.scrollToEnd();
    } else if (prev.first === null || prev.last === null || !before) {
      if (lastKey !== null) virtualizer.scrollToEnd();
    } else if (firstKey !== prev.first && lastKey === prev.last) {
      el.scrollTop = before.scrollTop + (el.scrollHeight - before.scrollHeight);
    } else {
      const wasAtBottom =
        before.scrollHeight - before.scrollTop - before.clientHeight < FOLLOW_THRESHOLD_PX;
      if (lastKey !== prev.last) {
        if (wasAtBottom || pendingCount > prev.pending) virtualizer.scrollToEnd();
      } else if (totalSize > prev.totalSize && following.current) {
        // A reader at the bottom stays there when the rows grow under them (the picture just sent has loaded).
        virtualizer.scrollToEnd();
      }
    }
    recordGeometry();
  }, [
    firstKey,
    lastKey,
    pendingCount,
    totalSize,
    virtualizer,
    recordGeometry,
    thread.status,
    searchingUnread,
    unreadIndex,
    waitingForTarget,
    highlightIndex,
  ]);

  // The first unread message is older than the newest page: read the history around it before placing the view.
  const unreadAroundAsked = useRef(false);
  useEffect(() => {
    if (!searchingUnread || unreadAfter === null || unreadAroundAsked.current) return;
    unreadAroundAsked.current = true;
    store
      .getState()
      .loadAround(conversation.id, unreadAfter + 1)
      .catch((error: unknown) =>
        toast.error(`Could not load the unread messages: ${describeError(error)}`),
      )
      .finally(() => setUnreadAroundSettled(true));
  }, [searchingUnread, unreadAfter, store, conversation.id]);

  // "Jump to latest": shown once the reader is away from the bottom; counts messages from others that came in
  // after they left it (seq above the newest one loaded at that moment).
  const [awaySince, setAwaySince] = useState<number | null>(null);
  const newestSeq = thread.messages[thread.messages.length - 1]?.seq ?? 0;
  const newestSeqRef = useRef(newestSeq);
  useEffect(() => {
    newestSeqRef.current = newestSeq;
  }, [newestSeq]);
  const arrivedSince =
    awaySince === null
      ? 0
      : thread.messages.filter((m) => m.seq > awaySince && m.senderId !== selfId).length;
  const trackBottom = useCallback(() => {
    const el = scrollRef.current;
    if (!el || !placed.current) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_THRESHOLD_PX;
    following.current = atBottom;
    setAwaySince((since) => (atBottom ? null : (since ?? newestSeqRef.current)));
  }, []);

  const maybeLoadOlder = useCallback(() => {
    const el = scrollRef.current;
    const t = store.getState().threads[conversation.id];
    if (!el || !t || t.status !== 'ready' || !t.hasMoreBefore || t.loadingOlder) return;
    if (el.scrollTop < LOAD_OLDER_THRESHOLD_PX) {
      store
        .getState()
        .loadOlder(conversation.id)
        .catch((error: unknown) =>
          toast.error(`Could not load older messages: ${describeError(error)}`),
        );
    }
  }, [store, conversation.id]);

  // A first page that does not fill the pane cannot be scrolled: load more until it does.
  useEffect(() => {
    const el = scrollRef.current;
    if (
      el &&
      thread.hasMoreBefore &&
      !thread.loadingOlder &&
      el.scrollHeight <= el.clientHeight + LOAD_OLDER_THRESHOLD_PX
    )
      maybeLoadOlder();
  }, [thread.hasMoreBefore, thread.loadingOlder, rows.length, maybeLoadOlder]);

  const [dialog, setDialog] = useState<ActionDialog>(null);
  const [highlightId, setHighlightId] = useState<string | null>(null);
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (highlightTimer.current) clearTimeout(highlightTimer.current);
    },
    [],
  );
  const rowsRef = useRef(rows);
  useEffect(() => {
    rowsRef.current = rows;
  }, [rows]);
  const paneRef = useRef(pane);
  useEffect(() => {
    paneRef.current = pane;
  }, [pane]);

  const selfMember = conversation.members.find((m) => m.user.id === selfId);
  const rights = useMemo<ActionRights>(
    () => ({
      active: conversation.status === 'active',
      admin: conversation.type === 'group' && selfMember?.role === 'admin',
    }),
    [conversation.status, conversation.type, selfMember?.role],
  );

  /** Scrolls row `index` into view and puts the focus on its message once it is rendered. */
  const focusRow = useCallback(
    (index: number) => {
      virtualizer.scrollToIndex(index, { align: 'auto' });
      const tryFocus = (attempt: number) => {
        const el = scrollRef.current?.querySelector<HTMLElement>(
          `[data-index="${index}"] [data-message-id]`,
        );
        if (el) el.focus({ preventScroll: false });
        else if (attempt < 10) requestAnimationFrame(() => tryFocus(attempt + 1));
      };
      requestAnimationFrame(() => tryFocus(0));
    },
    [virtualizer],
  );

  const handlers = useMemo<MessageHandlers>(() => {
    const conversationId = conversation.id;
    return {
      reply: (message) => paneRef.current.reply(message),
      react: (message, emoji, add) =>
        client.act(conversationId, message.id, { kind: 'react', emoji, add }),
      moreReactions: (message) => setDialog({ kind: 'react', message }),
      copy: (message) => {
        if (!navigator.clipboard) {
          toast.error('Copying is not available in this browser.');
          return;
        }
        navigator.clipboard.writeText(message.body).then(
          () => toast.success('Text copied'),
          () => toast.error('Could not copy the text.'),
        );
      },
      forward: (message) => setDialog({ kind: 'forward', message }),
      edit: (message) => paneRef.current.setEditing(message.id),
      saveEdit: (message, body) => {
        client.act(conversationId, message.id, { kind: 'edit', body });
        paneRef.current.setEditing(null);
      },
      cancelEdit: () => paneRef.current.setEditing(null),
      remove: (message) => setDialog({ kind: 'delete', message }),
      report: (message) => setDialog({ kind: 'report', message }),
      jump: (quote: ReplyQuote) => {
        const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        void (async () => {
          for (let pages = 0; pages <= MAX_PAGES_TO_QUOTED; pages += 1) {
            const t = store.getState().threads[conversationId];
            if (t?.messages.some((m) => m.id === quote.messageId)) {
              // Loaded: wait for the list to render its row (a page just loaded renders on a later frame).
              for (let frame = 0; frame < 60; frame += 1) {
                const index = rowIndexOf(rowsRef.current, quote.messageId);
                if (index >= 0) {
                  focusRow(index);
                  setHighlightId(quote.messageId);
                  if (highlightTimer.current) clearTimeout(highlightTimer.current);
                  highlightTimer.current = setTimeout(() => setHighlightId(null), HIGHLIGHT_MS);
                  return;
                }
                await nextFrame();
              }
              return;
            }
            if (!t?.hasMoreBefore || (t.messages[0]?.seq ?? 0) <= quote.seq) break;
            try {
              await store.getState().loadOlder(conversationId);
            } catch (error) {
              toast.error(`Could not load older messages: ${describeError(error)}`);
              return;
            }
          }
          toast.error('The original message is not available.');
        })();
      },
      moveFocus: (from, step) => {
        const wrap = from.closest<HTMLElement>('[data-index]');
        const list = rowsRef.current;
        let i = Number(wrap?.dataset.index ?? -1) + step;
        while (i >= 0 && i < list.length && list[i]!.kind !== 'message') i += step;
        if (i >= 0 && i < list.length) focusRow(i);
      },
    };
  }, [client, conversation.id, store, focusRow]);

  // Once the page is idle: the action menu, editor and confirmation (and the Markdown renderer) are fetched ahead, so
  // they open at once and still open after the connection drops.
  useEffect(() => {
    const run = () => {
      preloadMessageActions();
      void import('./message-markdown');
    };
    if (typeof window.requestIdleCallback === 'function') {
      const handle = window.requestIdleCallback(run, { timeout: 5_000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(run, 2_000);
    return () => clearTimeout(timer);
  }, []);

  // The message opened for editing (Up arrow in the composer) may be scrolled out of view: bring it in.
  const editingId = pane.editingId;
  useEffect(() => {
    if (!editingId) return;
    const index = rowIndexOf(rowsRef.current, editingId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [editingId, virtualizer]);

  /** Arrow keys on the log itself move into the messages: the newest one shown (Up) or the oldest one shown (Down). */
  const onLogKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    const shown = virtualizer.getVirtualItems().filter((v) => rows[v.index]?.kind === 'message');
    const el = scrollRef.current;
    if (!el || shown.length === 0) return;
    const visible = shown.filter(
      (v) => v.end + EDGE_HEIGHT_PX > el.scrollTop && v.start < el.scrollTop + el.clientHeight,
    );
    const pick =
      event.key === 'ArrowUp' ? (visible.at(-1) ?? shown.at(-1)) : (visible[0] ?? shown[0]);
    if (!pick) return;
    event.preventDefault();
    focusRow(pick.index);
  };

  // Focus goes back to the message the dialog was opened from (the menu it came from is closed by then).
  const closeDialog = () => {
    const id = dialog?.message.id;
    setDialog(null);
    requestAnimationFrame(() =>
      scrollRef.current?.querySelector<HTMLElement>(`[data-message-id="${id}"]`)?.focus(),
    );
  };

  const items = virtualizer.getVirtualItems();

  // The log itself is not live (aria-live="off" overrides role=log's implicit "polite"): the virtualizer mounts
  // old rows while the reader scrolls, and those would be read out. NewMessageAnnouncer reads only new ones.
  return (
    <>
      <NewMessageAnnouncer conversationId={conversation.id} selfId={selfId} />
      {/* The history's own box: "Jump to latest" floats at its bottom edge, never over what sits below it (a
          request bar, the typing line, a reply being written). */}
      <div className="message-area">
        <div
          ref={scrollRef}
          className="message-scroller"
          onScroll={() => {
            recordGeometry();
            if (placed.current) maybeLoadOlder();
            trackBottom();
          }}
          onKeyDown={onLogKeyDown}
          role="log"
          aria-label="Messages"
          aria-describedby="message-log-hint"
          aria-live="off"
          tabIndex={0}
        >
          <span id="message-log-hint" className="visually-hidden">
            Up and down arrows move between messages. On a message, Shift+F10 or the Menu key opens
            its actions.
          </span>
          <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
            <div className="message-history-edge" style={{ height: EDGE_HEIGHT_PX }}>
              {thread.status === 'loading' ? 'Loading messages…' : null}
              {thread.status === 'error' ? (
                <button
                  type="button"
                  className="button subtle"
                  onClick={() =>
                    store
                      .getState()
                      .loadLatest(conversation.id)
                      .catch((e: unknown) => toast.error(describeError(e)))
                  }
                >
                  Could not load messages. Try again
                </button>
              ) : null}
              {thread.status === 'ready' && thread.loadingOlder
                ? 'Loading earlier messages…'
                : null}
              {thread.status === 'ready' && !thread.hasMoreBefore && rows.length > 0
                ? 'This is the beginning of the conversation.'
                : null}
              {thread.status === 'ready' && rows.length === 0
                ? // Nobody to greet when the other person's account is gone (the pane says so instead).
                  otherMember(conversation, selfId)?.accountState
                  ? 'No messages yet.'
                  : 'No messages yet. Say hello!'
                : null}
            </div>
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  className={`message-row-wrap${item.index === highlightIndex ? ' jump-target' : ''}`}
                  data-jump-target={item.index === highlightIndex ? 'true' : undefined}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {row.kind === 'unread' ? (
                    <div
                      className="unread-separator"
                      role="separator"
                      aria-label="New messages"
                      data-testid="unread-separator"
                    >
                      <span>New messages</span>
                    </div>
                  ) : row.kind === 'day' ? (
                    <div className="day-separator" role="separator" aria-label={row.label}>
                      <span>{row.label}</span>
                    </div>
                  ) : row.kind === 'system' ? (
                    <p
                      className="system-message"
                      data-testid="system-message"
                      data-seq={row.message.seq}
                    >
                      {systemText(row.message, conversation, selfId)}
                    </p>
                  ) : row.kind === 'message' ? (
                    <StoredMessage
                      message={row.message}
                      own={row.own}
                      selfId={selfId}
                      sender={
                        isGroup && !row.own && row.firstOfRun
                          ? {
                              id: row.message.senderId,
                              name:
                                people.get(row.message.senderId)?.displayName ?? 'Former member',
                              avatarUrl: people.get(row.message.senderId)?.avatarUrl ?? null,
                              user: people.get(row.message.senderId) ?? null,
                            }
                          : null
                      }
                      mentionNames={mentionNames(row.message, conversation.members)}
                      mentionsMe={!row.own && mentionsUser(row.message, selfId)}
                      grouped={isGroup && !row.own}
                      receipt={
                        row.own ? receiptState(conversation, selfId, row.message.seq) : undefined
                      }
                      seenBy={
                        isGroup && row.own && row.message.seq === lastOwnSeq
                          ? seenByCount(conversation, selfId, row.message.seq)
                          : undefined
                      }
                      names={names}
                      rights={rights}
                      editing={pane.editingId === row.message.id}
                      highlighted={highlightId === row.message.id}
                      handlers={handlers}
                    />
                  ) : (
                    <MessageBubble
                      body={row.pending.body}
                      time={row.pending.createdAt}
                      own
                      quote={
                        row.pending.replyTo ? (
                          <p className="reply-quote pending" data-testid="reply-quote">
                            <span className="reply-quote-name">
                              {row.pending.replyTo.senderId === selfId
                                ? 'You'
                                : (names.get(row.pending.replyTo.senderId) ?? 'Former member')}
                            </span>
                            <span className="reply-quote-text">
                              {row.pending.replyTo.deleted
                                ? 'Deleted message'
                                : plainText(row.pending.replyTo.snippet) || 'Attachment'}
                            </span>
                          </p>
                        ) : null
                      }
                      status={row.pending.status}
                      error={row.pending.error}
                      onRetry={() => client.retry(conversation.id, row.pending.clientMessageId)}
                    />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {awaySince !== null ? (
          <button
            type="button"
            className="button jump-latest"
            data-testid="jump-latest"
            onClick={() => {
              virtualizer.scrollToEnd();
              setAwaySince(null);
            }}
          >
            {arrivedSince > 0 ? `Jump to latest (${arrivedSince} new)` : 'Jump to latest'}
          </button>
        ) : null}
      </div>
      {dialog?.kind === 'delete' ? (
        <DeleteMessageDialog
          byAdmin={dialog.message.senderId !== selfId}
          onConfirm={() => client.act(conversation.id, dialog.message.id, { kind: 'delete' })}
          onClose={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'forward' ? (
        <ForwardDialog message={dialog.message} selfId={selfId} onClose={closeDialog} />
      ) : null}
      {dialog?.kind === 'report' ? (
        <ReportDialog
          subject="Report message"
          send={(reason) => reportMessage(client.api, dialog.message, reason)}
          onClose={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'react' ? (
        <ReactionPickerDialog
          onPick={(emoji) => {
            const mine = dialog.message.reactions.some(
              (r) => r.emoji === emoji && r.userIds.includes(selfId),
            );
            client.act(conversation.id, dialog.message.id, { kind: 'react', emoji, add: !mine });
          }}
          onClose={closeDialog}
        />
      ) : null}
    </>
  );
}
