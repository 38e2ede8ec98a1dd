'use client';

import { useEffect, useRef } from 'react';
import type { SelfUser } from '@chat/shared';
import { keepTabInside } from '@/lib/focus';
import { useChat } from '@/components/providers/chat-provider';
import { AvatarPicker } from './avatar-picker';

/** The signed-in person's profile picture, in a modal <dialog> (Esc closes; focus is trapped while open). */
export function ProfileDialog({ user, onClose }: { user: SelfUser; onClose: () => void }) {
  const { api, session } = useChat();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const apply = (updated: SelfUser) => session.setState({ user: updated });
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
      <p>
        {user.displayName} <span className="me-username">@{user.username}</span>
      </p>
      <AvatarPicker<SelfUser>
        id={user.id}
        name={user.displayName}
        currentUrl={user.avatarUrl}
        uploadPath="/api/users/me/avatar"
        onSaved={apply}
        onRemove={async () => apply(await api.removeAvatar())}
      />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Done
        </button>
      </div>
    </dialog>
  );
}
