'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { LIMITS, type SelfUser } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { validateDisplayName } from '@/lib/validation';
import { keepTabInside } from '@/lib/focus';
import { useChat } from '@/components/providers/chat-provider';
import Link from 'next/link';
import { AccountData } from '@/components/account/account-data';
import { AvatarPicker } from './avatar-picker';

/**
 * The signed-in person's profile: display name (PATCH /api/users/me; the API tells their contacts as
 * `user:updated`) and picture, in a modal <dialog> (Esc closes; focus is trapped while open).
 */
export function ProfileDialog({ user, onClose }: { user: SelfUser; onClose: () => void }) {
  const { api, session } = useChat();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const apply = (updated: SelfUser) => session.setState({ user: updated });
  const nameId = useId();
  const [name, setName] = useState(user.displayName);
  const [nameError, setNameError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  async function saveName() {
    const problem = validateDisplayName(name, true);
    setNameError(problem);
    setSaved(false);
    if (problem) return;
    setSaving(true);
    try {
      const updated = await api.updateProfile({ displayName: name.trim() });
      apply(updated);
      setName(updated.displayName);
      setSaved(true);
    } catch (error) {
      setNameError(describeError(error));
    } finally {
      setSaving(false);
    }
  }
  return (
    <dialog
      ref={ref}
      className="modal profile-dialog"
      aria-labelledby="profile-title"
      onClose={onClose}
      onKeyDown={keepTabInside}
      data-testid="profile-dialog"
    >
      <h2 id="profile-title" className="modal-title">
        Your profile
      </h2>
      <form
        className="profile-name-form"
        onSubmit={(e) => {
          e.preventDefault();
          void saveName();
        }}
      >
        <div className="field">
          <label htmlFor={nameId}>Display name</label>
          <input
            id={nameId}
            value={name}
            maxLength={LIMITS.DISPLAY_NAME_MAX * 2}
            onChange={(e) => {
              setName(e.target.value);
              setSaved(false);
            }}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${nameId}-error` : undefined}
            autoComplete="name"
          />
          {nameError ? (
            <p id={`${nameId}-error`} className="field-error">
              {nameError}
            </p>
          ) : null}
        </div>
        <p className="me-username">@{user.username}</p>
        <button
          type="submit"
          className="button primary"
          disabled={saving || name.trim() === user.displayName}
        >
          {saving ? 'Saving…' : 'Save name'}
        </button>
        <p role="status" className="field-hint">
          {saved ? 'Name saved.' : ''}
        </p>
      </form>
      <AvatarPicker<SelfUser>
        id={user.id}
        name={user.displayName}
        currentUrl={user.avatarUrl}
        uploadPath="/api/users/me/avatar"
        onSaved={apply}
        onRemove={async () => apply(await api.removeAvatar())}
      />
      <AccountData user={user} />
      {user.instanceAdmin ? (
        <p className="admin-link">
          <Link href="/admin" className="button subtle" data-testid="admin-link">
            Server administration
          </Link>
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Done
        </button>
      </div>
    </dialog>
  );
}
