'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { LIMITS, type PublicUser } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';

/** Wait this long after the last keystroke before searching (ms): one request per pause, not per key. */
const SEARCH_DEBOUNCE_MS = 250;

type SearchState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done'; users: PublicUser[] }
  | { kind: 'error'; message: string };

/**
 * Finds people by username or display name (debounced GET /api/users?q=) and opens a direct conversation
 * with the one picked (POST /api/conversations/direct), then navigates to it. With `onPick`, picking a person
 * hands them over instead (the new-group dialog and "add people" use it); `excludeIds` hides people already
 * chosen or already in the group; when a search finds only such people it says so (`excludedNote`, after their
 * names) instead of "No people found".
 */
export function PeopleSearch({
  selfId,
  onClose,
  onPick,
  excludeIds,
  excludedNote = 'already chosen',
  label = 'Start a conversation',
}: {
  selfId: string;
  onClose: () => void;
  onPick?: (user: PublicUser) => void;
  excludeIds?: readonly string[];
  excludedNote?: string;
  label?: string;
}) {
  const { api, conversations } = useChat();
  const router = useRouter();
  const [query, setQuery] = useState('');
  const [state, setState] = useState<SearchState>({ kind: 'idle' });
  const [opening, setOpening] = useState<string | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  // Unique per instance: the sidebar search and a dialog's search may be on screen together.
  const inputId = useId();

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  useEffect(() => {
    const q = query.trim();
    if (!q) return; // an empty box shows nothing (see `view` below), no request
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setState({ kind: 'loading' });
      api
        .searchUsers({ q, limit: LIMITS.USER_SEARCH_PAGE_DEFAULT }, controller.signal)
        .then((page) =>
          setState({ kind: 'done', users: page.items.filter((u) => u.id !== selfId) }),
        )
        .catch((error: unknown) => {
          if (controller.signal.aborted) return; // superseded by a newer query
          setState({ kind: 'error', message: describeError(error) });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, query, selfId]);

  async function open(user: PublicUser) {
    if (onPick) {
      onPick(user);
      return;
    }
    setOpening(user.id);
    setOpenError(null);
    try {
      const conversation = await api.openDirect({ userId: user.id });
      conversations.getState().upsert(conversation);
      onClose();
      router.push(`/c/${conversation.id}`);
    } catch (error) {
      setOpenError(describeError(error));
    } finally {
      setOpening(null);
    }
  }

  const excluded = new Set(excludeIds ?? []);
  const found: SearchState =
    state.kind === 'done'
      ? { kind: 'done', users: state.users.filter((u) => !excluded.has(u.id)) }
      : state;
  const view: SearchState = query.trim() ? found : { kind: 'idle' };
  const foundButExcluded =
    view.kind === 'done' && state.kind === 'done'
      ? state.users.filter((u) => excluded.has(u.id)).map((u) => u.displayName)
      : [];
  return (
    <section className="people-search" aria-label={label}>
      <div className="people-search-bar">
        <label htmlFor={inputId} className="visually-hidden">
          Search people
        </label>
        <input
          ref={inputRef}
          id={inputId}
          type="search"
          placeholder="Search people by name or username"
          autoComplete="off"
          maxLength={LIMITS.USER_SEARCH_QUERY_MAX}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
          }}
        />
        <button type="button" className="button subtle" onClick={onClose}>
          Cancel
        </button>
      </div>
      {openError ? (
        <p role="alert" className="field-error">
          {openError}
        </p>
      ) : null}
      <div aria-live="polite" className="people-results">
        {view.kind === 'loading' ? <p className="list-note">Searching…</p> : null}
        {view.kind === 'error' ? (
          <p role="alert" className="field-error">
            {view.message}
          </p>
        ) : null}
        {view.kind === 'done' && view.users.length === 0 ? (
          <p className="list-note" data-testid="people-search-note">
            {foundButExcluded.length > 0
              ? `${foundButExcluded.join(', ')}: ${excludedNote}.`
              : 'No people found.'}
          </p>
        ) : null}
        {view.kind === 'done' && view.users.length > 0 ? (
          <ul className="people-list">
            {view.users.map((user) => (
              <li key={user.id}>
                <button
                  type="button"
                  className="person"
                  onClick={() => void open(user)}
                  disabled={opening !== null}
                  data-testid="person-result"
                >
                  <Avatar id={user.id} name={user.displayName} size={36} url={user.avatarUrl} />
                  <span className="person-text">
                    <span className="person-name">{user.displayName}</span>
                    <span className="person-username">@{user.username}</span>
                  </span>
                  {opening === user.id ? <span className="person-busy">Opening…</span> : null}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
