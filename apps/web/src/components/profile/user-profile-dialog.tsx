'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { PublicUser, UserProfile } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { keepTabInside } from '@/lib/focus';
import { useChat } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';
import { lastSeenText, useNow, usePresence } from '@/components/live/use-live';

type Load =
  | { kind: 'loading' }
  | { kind: 'ready'; profile: UserProfile }
  | { kind: 'error'; message: string };

/**
 * Someone's profile in a modal <dialog> (focus trapped while open, Esc closes): large picture, display name,
 * @username, presence ("online" / "last seen …", only when the socket tells it, i.e. to contacts), the groups in
 * common (GET /api/users/:id) and the actions. Actions sit together in one row (`.profile-actions`), primary
 * first: Message opens or creates the direct conversation. Further actions on a person go in that row.
 */
export default function UserProfileDialog({
  user,
  selfId,
  onClose,
}: {
  user: PublicUser;
  selfId: string;
  onClose: () => void;
}) {
  const { api, conversations } = useChat();
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [opening, setOpening] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const self = user.id === selfId;
  const presence = usePresence((s) => s.byUserId[user.id]);
  const now = useNow(30_000);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api.userProfile(user.id, controller.signal).then(
      (profile) => setLoad({ kind: 'ready', profile }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ kind: 'error', message: describeError(error) });
      },
    );
    return () => controller.abort();
  }, [api, user.id]);

  // The freshest known name and picture: the profile's once loaded, the caller's until then.
  const shown = load.kind === 'ready' ? load.profile.user : user;
  const seen = self
    ? null
    : presence?.online
      ? 'online'
      : lastSeenText(presence?.lastSeenAt ?? null, now);

  async function message() {
    setOpening(true);
    setActionError(null);
    try {
      const conversation = await api.openDirect({ userId: user.id });
      conversations.getState().upsert(conversation);
      onClose();
      router.push(`/c/${conversation.id}`);
    } catch (error) {
      setActionError(describeError(error));
    } finally {
      setOpening(false);
    }
  }

  const groups = useMemo(() => (load.kind === 'ready' ? load.profile.groupsInCommon : []), [load]);

  return (
    <dialog
      ref={ref}
      className="modal user-profile-dialog"
      aria-labelledby="user-profile-name"
      onClose={onClose}
      onKeyDown={keepTabInside}
      data-testid="user-profile"
    >
      <div className="user-profile-head">
        <Avatar id={shown.id} name={shown.displayName} size={96} url={shown.avatarUrl} />
        <h2 id="user-profile-name" className="user-profile-name">
          {shown.displayName}
          {self ? ' (you)' : ''}
        </h2>
        <p className="user-profile-username">@{shown.username}</p>
        {seen ? (
          <p
            className={`user-profile-presence${seen === 'online' ? ' online' : ''}`}
            data-testid="user-profile-presence"
          >
            {seen}
          </p>
        ) : null}
      </div>

      {self ? null : (
        <section className="user-profile-section" aria-labelledby="user-profile-groups">
          <h3 id="user-profile-groups">Groups in common</h3>
          {load.kind === 'loading' ? <p className="list-note">Loading…</p> : null}
          {load.kind === 'error' ? (
            <p role="alert" className="field-error">
              {load.message}
            </p>
          ) : null}
          {load.kind === 'ready' && groups.length === 0 ? (
            <p className="list-note">No groups in common.</p>
          ) : null}
          {groups.length > 0 ? (
            <ul className="user-profile-groups" data-testid="groups-in-common">
              {groups.map((group) => (
                <li key={group.id}>
                  <Link href={`/c/${group.id}`} className="user-profile-group" onClick={onClose}>
                    <Avatar id={group.id} name={group.title} size={32} url={group.avatarUrl} />
                    <span>{group.title}</span>
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      )}

      {actionError ? (
        <p role="alert" className="field-error">
          {actionError}
        </p>
      ) : null}
      {/* The actions on this person, primary first. */}
      <div className="profile-actions" data-testid="profile-actions">
        {self ? null : (
          <button
            type="button"
            className="button primary"
            onClick={() => void message()}
            disabled={opening}
          >
            {opening ? 'Opening…' : 'Message'}
          </button>
        )}
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
