'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { LIMITS, type PublicUser } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { keepTabInside } from '@/lib/focus';
import { useChat } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';
import { PeopleSearch } from '@/components/people-search/people-search';

/**
 * The "New group" dialog: a name, people picked with the people search (shown as removable chips), then
 * POST /api/conversations/group and a jump to the new group. Limits mirror the API's (LIMITS.GROUP_*): the
 * name is 1..100 characters after trimming, 1..255 other people. Escape or Cancel closes it.
 */
export function NewGroupDialog({ selfId, onClose }: { selfId: string; onClose: () => void }) {
  const { api, conversations } = useChat();
  const router = useRouter();
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<PublicUser[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const headingId = useId();
  const titleRef = useRef<HTMLInputElement>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

  // A modal <dialog> (as the profile dialog and lightbox): the focus stays inside, the page behind is inert, Esc
  // closes it, and focus returns to the "New group" button when it closes.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    titleRef.current?.focus();
    return () => dialog?.close();
  }, []);

  const trimmed = title.trim();
  const canCreate =
    !busy &&
    trimmed.length >= LIMITS.GROUP_TITLE_MIN &&
    trimmed.length <= LIMITS.GROUP_TITLE_MAX &&
    chosen.length >= 1 &&
    chosen.length < LIMITS.GROUP_MEMBERS_MAX;

  async function create() {
    if (!canCreate) return;
    setBusy(true);
    setError(null);
    try {
      const group = await api.createGroup({ title: trimmed, memberIds: chosen.map((u) => u.id) });
      conversations.getState().upsert(group);
      onClose();
      router.push(`/c/${group.id}`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialogRef}
      className="modal new-group-dialog"
      aria-labelledby={headingId}
      onClose={onClose}
      onKeyDown={keepTabInside}
    >
      <h2 id={headingId} className="modal-title">
        New group
      </h2>
      <form
        className="new-group-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="field">
          <label htmlFor={titleId}>Group name</label>
          <input
            ref={titleRef}
            id={titleId}
            value={title}
            maxLength={LIMITS.GROUP_TITLE_MAX}
            onChange={(e) => setTitle(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <span className="field-label">People ({chosen.length})</span>
          {chosen.length > 0 ? (
            <ul className="chips" aria-label="Chosen people">
              {chosen.map((user) => (
                <li key={user.id} className="chip" data-testid="chip">
                  <Avatar id={user.id} name={user.displayName} size={22} />
                  <span>{user.displayName}</span>
                  <button
                    type="button"
                    className="chip-remove"
                    aria-label={`Remove ${user.displayName}`}
                    onClick={() => setChosen((list) => list.filter((u) => u.id !== user.id))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="field-hint">Search for people to add.</p>
          )}
        </div>
        {error ? (
          <p role="alert" className="form-error">
            {error}
          </p>
        ) : null}
      </form>
      <PeopleSearch
        selfId={selfId}
        label="Add people to the group"
        excludeIds={chosen.map((u) => u.id)}
        onPick={(user) =>
          setChosen((list) => (list.some((u) => u.id === user.id) ? list : [...list, user]))
        }
        onClose={onClose}
      />
      <div className="modal-actions">
        <button
          type="button"
          className="button primary"
          disabled={!canCreate}
          onClick={() => void create()}
        >
          {busy ? 'Creating…' : 'Create group'}
        </button>
      </div>
    </dialog>
  );
}
