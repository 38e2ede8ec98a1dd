'use client';

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { toast } from 'sonner';
import type { ConversationSummary } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { systemText } from '@/lib/system-text';
import { conversationPeople } from '@/lib/people';
import { EMPTY_THREAD } from '@/stores/messages-store';
import { useChat, useMessages } from '@/components/providers/chat-provider';
import { receiptState, seenByCount } from '@/components/live/receipt-ticks';
import { mentionNames, mentionsUser } from '@/lib/mentions';
import { MessageBubble } from './message-bubble';
import { buildRows } from './message-rows';
import { NewMessageAnnouncer } from './new-message-announcer';

/** Start loading the previous page when the reader is this close to the top (px). */
const LOAD_OLDER_THRESHOLD_PX = 400;
/** Height reserved above the first row for the "beginning of the conversation" / loading note (px). */
const EDGE_HEIGHT_PX = 48;
/** Within this distance of the bottom (px) the reader counts as "at the newest message" and follows. */
const FOLLOW_THRESHOLD_PX = 64;
/** Opening at the first unread message loads at most this many older pages to reach it, then gives up. */
const MAX_PAGES_TO_FIRST_UNREAD = 5;

/**
 * The virtualised message history of one conversation (@tanstack/react-virtual).
 * - When older pages are prepended the scroll offset grows by the height added above, so the message under
 *   the reader stays in place (rows measured later above the view are corrected by the virtualizer itself).
 * - New messages keep the view at the bottom when the reader was already there; own sends always do.
 * - Scrolling near the top loads the page before the oldest loaded seq.
 * - Opened with unread messages, it starts at the first of them, under a "New messages" line that stays for the
 *   visit (older pages are loaded to reach it, at most MAX_PAGES_TO_FIRST_UNREAD; else it starts at the newest).
 * - Scrolled up, a "Jump to latest" button counts the messages from others that arrived since.
 */
export function MessageList({
  conversation,
  selfId,
  highlightSeq = null,
}: {
  conversation: ConversationSummary;
  selfId: string;
  /** Open at this message, highlighted (a picked search result), instead of the first unread or newest one. */
  highlightSeq?: number | null;
}) {
  const client = useChat();
  const store = client.messages;
  const thread = useMessages((s) => s.threads[conversation.id]) ?? EMPTY_THREAD;
  const scrollRef = useRef<HTMLDivElement>(null);
  const isGroup = conversation.type === 'group';
  // Members and former members: whoever wrote a message the viewer can read keeps their name.
  const people = useMemo(() => conversationPeople(conversation), [conversation]);

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
  const edges = useRef<{ first: string | null; last: string | null; pending: number }>({
    first: null,
    last: null,
    pending: 0,
  });
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
  // Until the first unread message is loaded (or the search for it has given up) the view is not placed yet.
  const placed = useRef(false);
  const olderPagesForUnread = useRef(0);
  const searchingUnread =
    unreadAfter !== null &&
    unreadIndex < 0 &&
    thread.status === 'ready' &&
    thread.hasMoreBefore &&
    olderPagesForUnread.current < MAX_PAGES_TO_FIRST_UNREAD;
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const before = geometry.current;
    const prev = edges.current;
    edges.current = { first: firstKey, last: lastKey, pending: pendingCount };
    if (!el) return;
    if (!placed.current) {
      if (lastKey === null || thread.status !== 'ready' || searchingUnread || waitingForTarget)
        return;
      placed.current = true;
      // First page(s): start at the jump target, else the first unread message, else the newest one.
      if (highlightIndex >= 0) virtualizer.scrollToIndex(highlightIndex, { align: 'center' });
      else if (unreadIndex >= 0) virtualizer.scrollToIndex(unreadIndex, { align: 'start' });
      else virtualizer.scrollToEnd();
    } else if (prev.first === null || prev.last === null || !before) {
      if (lastKey !== null) virtualizer.scrollToEnd();
    } else if (firstKey !== prev.first && lastKey === prev.last) {
      el.scrollTop = before.scrollTop + (el.scrollHeight - before.scrollHeight);
    } else if (lastKey !== prev.last) {
      const wasAtBottom =
        before.scrollHeight - before.scrollTop - before.clientHeight < FOLLOW_THRESHOLD_PX;
      if (wasAtBottom || pendingCount > prev.pending) virtualizer.scrollToEnd();
    }
    recordGeometry();
  }, [
    firstKey,
    lastKey,
    pendingCount,
    virtualizer,
    recordGeometry,
    thread.status,
    searchingUnread,
    unreadIndex,
    waitingForTarget,
    highlightIndex,
  ]);

  // Reaching the first unread message may take older pages (bounded): fetch them before placing the view.
  useEffect(() => {
    if (!searchingUnread || thread.loadingOlder) return;
    olderPagesForUnread.current += 1;
    store
      .getState()
      .loadOlder(conversation.id)
      .catch((error: unknown) =>
        toast.error(`Could not load older messages: ${describeError(error)}`),
      );
  }, [searchingUnread, thread.loadingOlder, store, conversation.id, thread.messages.length]);

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

  const items = virtualizer.getVirtualItems();

  // The log itself is not live (aria-live="off" overrides role=log's implicit "polite"): the virtualizer mounts
  // old rows while the reader scrolls, and those would be read out. NewMessageAnnouncer reads only new ones.
  return (
    <>
      <NewMessageAnnouncer conversationId={conversation.id} selfId={selfId} />
      <div
        ref={scrollRef}
        className="message-scroller"
        onScroll={() => {
          recordGeometry();
          if (placed.current) maybeLoadOlder();
          trackBottom();
        }}
        role="log"
        aria-label="Messages"
        aria-live="off"
        tabIndex={0}
      >
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
            {thread.status === 'ready' && thread.loadingOlder ? 'Loading earlier messages…' : null}
            {thread.status === 'ready' && !thread.hasMoreBefore && rows.length > 0
              ? 'This is the beginning of the conversation.'
              : null}
            {thread.status === 'ready' && rows.length === 0 ? 'No messages yet. Say hello!' : null}
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
                  <MessageBubble
                    body={row.message.body}
                    time={row.message.createdAt}
                    own={row.own}
                    status="sent"
                    sender={
                      isGroup && !row.own && row.firstOfRun
                        ? {
                            id: row.message.senderId,
                            name: people.get(row.message.senderId)?.displayName ?? 'Former member',
                            avatarUrl: people.get(row.message.senderId)?.avatarUrl ?? null,
                            user: people.get(row.message.senderId) ?? null,
                          }
                        : null
                    }
                    attachments={row.message.attachments}
                    mentionNames={mentionNames(row.message, conversation.members)}
                    mentionsMe={!row.own && mentionsUser(row.message, selfId)}
                    grouped={isGroup && !row.own}
                    seq={row.message.seq}
                    receipt={
                      row.own ? receiptState(conversation, selfId, row.message.seq) : undefined
                    }
                    seenBy={
                      isGroup && row.own && row.message.seq === lastOwnSeq
                        ? seenByCount(conversation, selfId, row.message.seq)
                        : undefined
                    }
                  />
                ) : (
                  <MessageBubble
                    body={row.pending.body}
                    time={row.pending.createdAt}
                    own
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
    </>
  );
}
