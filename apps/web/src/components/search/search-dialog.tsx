'use client';

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import {
  LIMITS,
  type ConversationSummary,
  type MessageSearchHit,
  type MessageSearchQuery,
  type PublicUser,
} from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { keepTabInside, moveThroughList } from '@/lib/focus';
import { conversationTitle, fullDateTime, otherMember } from '@/lib/format';
import { matchesConversationFilter } from '@/lib/conversation-filter';
import { splitSnippet } from '@/lib/search-highlight';
import { useChat, useConversations } from '@/components/providers/chat-provider';
import { plainText } from '@/lib/plain-text';

/** Wait this long after the last change before searching (ms): one request per pause, not per key. */
const SEARCH_DEBOUNCE_MS = 250;
/** Conversations and people shown above the messages. */
const NAMES_SHOWN = 4;

type Results =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done'; hits: MessageSearchHit[]; nextCursor: string | null; people: PublicUser[] }
  | { kind: 'error'; message: string };

interface Filters {
  conversationId: string;
  senderId: string;
  hasFile: boolean;
  /** yyyy-mm-dd from the date inputs, local days. */
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { conversationId: '', senderId: '', hasFile: false, from: '', to: '' };

/** A date input's day as the ISO time its local midnight is (`to` is exclusive: the day after). */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The search query for the box and the filters, or null when there is nothing to search. */
export function searchQueryFor(text: string, filters: Filters): MessageSearchQuery | null {
  const q = text.trim().slice(0, LIMITS.SEARCH_QUERY_MAX);
  if (!q) return null;
  const from = dayStart(filters.from);
  const to = dayStart(filters.to, 1);
  return {
    q,
    limit: LIMITS.SEARCH_PAGE_DEFAULT,
    ...(filters.conversationId ? { conversationId: filters.conversationId } : {}),
    ...(filters.senderId ? { senderId: filters.senderId } : {}),
    ...(filters.hasFile ? { hasFile: true } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/**
 * One search box for everything (Ctrl+K): conversations by name (from the loaded list), people by name (the
 * directory), and messages by their words (GET /api/search/messages, debounced, newest best first) with filters
 * for a conversation, a sender, "has a file" and a date range. Matched words are highlighted from the snippet's
 * marks as text nodes (never HTML). Picking a message opens its conversation at that message.
 */
export function SearchDialog({ selfId, onClose }: { selfId: string; onClose: () => void }) {
  const client = useChat();
  const router = useRouter();
  const byId = useConversations((s) => s.byId);
  const order = useConversations((s) => s.order);
  const ref = useRef<HTMLDialogElement>(null);
  const resultsRef = useRef<HTMLDivElement>(null);
  const [text, setText] = useState('');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [showFilters, setShowFilters] = useState(false);
  const [results, setResults] = useState<Results>({ kind: 'idle' });
  const [loadingMore, setLoadingMore] = useState(false);
  const inputId = useId();
  const query = useMemo(() => searchQueryFor(text, filters), [text, filters]);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  useEffect(() => {
    if (!query) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setResults({ kind: 'loading' });
      const people = client.api
        .searchUsers(
          { q: query.q.slice(0, LIMITS.USER_SEARCH_QUERY_MAX), limit: NAMES_SHOWN + 1 },
          controller.signal,
        )
        .then((page) => page.items.filter((u) => u.id !== selfId).slice(0, NAMES_SHOWN))
        .catch(() => [] as PublicUser[]);
      Promise.all([client.api.searchMessages(query, controller.signal), people])
        .then(([page, found]) =>
          setResults({
            kind: 'done',
            hits: page.items,
            nextCursor: page.nextCursor,
            people: found,
          }),
        )
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setResults({ kind: 'error', message: describeError(error) });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, query, selfId]);

  const conversationMatches = useMemo(() => {
    if (!query || filters.conversationId) return [];
    return order
      .map((id) => byId[id])
      .filter((c): c is ConversationSummary => {
        if (!c) return false;
        const other = c.type === 'direct' ? otherMember(c, selfId) : null;
        return matchesConversationFilter(query.q, [
          conversationTitle(c, selfId),
          ...(other ? [other.username] : []),
        ]);
      })
      .slice(0, NAMES_SHOWN);
  }, [query, filters.conversationId, order, byId, selfId]);

  // Senders to filter by: the members of the chosen conversation, else everyone in the loaded conversations.
  const senders = useMemo(() => {
    const people = new Map<string, PublicUser>();
    const scope = filters.conversationId
      ? [byId[filters.conversationId]]
      : order.map((id) => byId[id]);
    for (const c of scope) for (const m of c?.members ?? []) people.set(m.user.id, m.user);
    return [...people.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  }, [filters.conversationId, order, byId]);

  function openConversation(id: string) {
    onClose();
    router.push(`/c/${id}`);
  }

  function openHit(hit: MessageSearchHit) {
    client.jumpTo(hit.message.conversationId, hit.message.seq);
    onClose();
    router.push(`/c/${hit.message.conversationId}`);
  }

  async function openPerson(user: PublicUser) {
    try {
      const conversation = await client.api.openDirect({ userId: user.id });
      client.conversations.getState().upsert(conversation);
      openConversation(conversation.id);
    } catch (error) {
      setResults({ kind: 'error', message: describeError(error) });
    }
  }

  async function loadMore() {
    if (results.kind !== 'done' || !results.nextCursor || !query) return;
    setLoadingMore(true);
    try {
      const page = await client.api.searchMessages({ ...query, cursor: results.nextCursor });
      setResults({
        ...results,
        hits: [...results.hits, ...page.items],
        nextCursor: page.nextCursor,
      });
    } catch (error) {
      setResults({ kind: 'error', message: describeError(error) });
    } finally {
      setLoadingMore(false);
    }
  }

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((current) => ({ ...current, [key]: value }));
  const shown = query ? results : ({ kind: 'idle' } as const);

  return (
    <dialog
      ref={ref}
      className="modal search-dialog"
      aria-labelledby={`${inputId}-title`}
      onClose={onClose}
      onKeyDown={(event) => {
        keepTabInside(event);
        moveThroughList(event, document.getElementById(inputId), [
          ...(resultsRef.current?.querySelectorAll<HTMLElement>('.search-item') ?? []),
        ]);
      }}
      data-testid="search-dialog"
    >
      <h2 id={`${inputId}-title`} className="visually-hidden">
        Search
      </h2>
      <div className="search-box">
        <label htmlFor={inputId} className="visually-hidden">
          Search messages, conversations and people
        </label>
        <input
          id={inputId}
          type="search"
          autoFocus
          autoComplete="off"
          placeholder="Search messages, conversations, people"
          maxLength={LIMITS.SEARCH_QUERY_MAX}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="search-input"
        />
        <button
          type="button"
          className="button subtle small"
          aria-expanded={showFilters}
          onClick={() => setShowFilters((open) => !open)}
        >
          Filters
        </button>
      </div>
      {showFilters ? (
        <fieldset className="search-filters">
          <legend className="visually-hidden">Filters</legend>
          <label>
            In
            <select
              value={filters.conversationId}
              onChange={(e) =>
                setFilters((f) => ({ ...f, conversationId: e.target.value, senderId: '' }))
              }
              data-testid="search-filter-conversation"
            >
              <option value="">All conversations</option>
              {order.map((id) => {
                const c = byId[id];
                return c ? (
                  <option key={id} value={id}>
                    {conversationTitle(c, selfId)}
                  </option>
                ) : null;
              })}
            </select>
          </label>
          <label>
            From
            <select value={filters.senderId} onChange={(e) => set('senderId', e.target.value)}>
              <option value="">Anyone</option>
              {senders.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.id === selfId ? 'Me' : u.displayName}
                </option>
              ))}
            </select>
          </label>
          <label className="search-filter-check">
            <input
              type="checkbox"
              checked={filters.hasFile}
              onChange={(e) => set('hasFile', e.target.checked)}
            />
            Has a file
          </label>
          <label>
            After
            <input type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} />
          </label>
          <label>
            Before
            <input type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} />
          </label>
        </fieldset>
      ) : null}
      <div ref={resultsRef} className="search-results" aria-live="polite">
        {shown.kind === 'idle' ? (
          <p className="search-note">Type words from a message, or a name.</p>
        ) : null}
        {conversationMatches.length > 0 ? (
          <section aria-label="Conversations">
            <h3 className="search-section">Conversations</h3>
            <ul className="search-list">
              {conversationMatches.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="search-item"
                    onClick={() => openConversation(c.id)}
                  >
                    {conversationTitle(c, selfId)}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {shown.kind === 'done' && shown.people.length > 0 ? (
          <section aria-label="People">
            <h3 className="search-section">People</h3>
            <ul className="search-list">
              {shown.people.map((u) => (
                <li key={u.id}>
                  <button type="button" className="search-item" onClick={() => void openPerson(u)}>
                    {u.displayName} <span className="search-muted">@{u.username}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {shown.kind === 'loading' ? <p className="search-note">Searching…</p> : null}
        {shown.kind === 'error' ? (
          <p className="search-note" role="alert">
            {shown.message}
          </p>
        ) : null}
        {shown.kind === 'done' ? (
          <section aria-label="Messages">
            <h3 className="search-section">Messages</h3>
            {shown.hits.length === 0 ? <p className="search-note">No messages found.</p> : null}
            <ul className="search-list">
              {shown.hits.map((hit) => {
                const c = byId[hit.message.conversationId];
                return (
                  <li key={hit.message.id}>
                    <button
                      type="button"
                      className="search-item search-hit"
                      onClick={() => openHit(hit)}
                      data-testid="search-hit"
                    >
                      <span className="search-hit-top">
                        <span className="search-hit-sender">
                          {hit.message.senderId === selfId
                            ? 'You'
                            : (hit.sender?.displayName ?? 'Former member')}
                        </span>
                        <span className="search-muted">
                          {' in '}
                          {c ? conversationTitle(c, selfId) : 'a conversation'}
                        </span>
                        <time
                          className="search-muted search-hit-time"
                          dateTime={hit.message.createdAt}
                        >
                          {fullDateTime(hit.message.createdAt)}
                        </time>
                      </span>
                      <span className="search-snippet">
                        {splitSnippet(plainText(hit.snippet)).map((part, i) =>
                          part.match ? (
                            <mark key={i}>{part.text}</mark>
                          ) : (
                            <span key={i}>{part.text}</span>
                          ),
                        )}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
            {shown.nextCursor ? (
              <button
                type="button"
                className="button subtle"
                disabled={loadingMore}
                onClick={() => void loadMore()}
              >
                {loadingMore ? 'Loading…' : 'More results'}
              </button>
            ) : null}
          </section>
        ) : null}
      </div>
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
