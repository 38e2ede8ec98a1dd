'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { GroupAddPolicy, LastSeenVisibility, UpdatePrivacyRequest } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { keepTabInside } from '@/lib/focus';
import { Avatar } from '@/components/avatar/avatar';
import { useChat, usePrivacy } from '@/components/providers/chat-provider';

const LAST_SEEN: { value: LastSeenVisibility; label: string }[] = [
  { value: 'contacts', label: 'My contacts' },
  { value: 'nobody', label: 'Nobody (and I do not see anyone’s)' },
];

const GROUP_ADD: { value: GroupAddPolicy; label: string }[] = [
  { value: 'everyone', label: 'Everyone' },
  { value: 'contacts', label: 'People I have a conversation with' },
  { value: 'nobody', label: 'Nobody (everyone has to invite me)' },
];

/**
 * Privacy settings in a modal <dialog> (Esc closes, focus stays inside): who sees my last seen, who can add me to
 * groups (others invite), and the people I blocked, each with Unblock. Every change is saved at once.
 */
export function PrivacyDialog({ onClose }: { onClose: () => void }) {
  const client = useChat();
  const settings = usePrivacy((s) => s.settings);
  const blocked = usePrivacy((s) => s.blocked);
  const ref = useRef<HTMLDialogElement>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState('');
  const ids = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  useEffect(() => {
    if (!client.privacy.getState().loaded) {
      client.privacy
        .getState()
        .load()
        .catch((error: unknown) => toast.error(describeError(error)));
    }
  }, [client]);

  async function save(changes: UpdatePrivacyRequest) {
    setSaving(true);
    setStatus('');
    try {
      await client.privacy.getState().update(changes);
      setStatus('Saved.');
    } catch (error) {
      setStatus(describeError(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="modal privacy-dialog"
      aria-labelledby={`${ids}-title`}
      onClose={onClose}
      onKeyDown={keepTabInside}
      data-testid="privacy-dialog"
    >
      <h2 id={`${ids}-title`} className="modal-title">
        Privacy
      </h2>
      {settings ? (
        <>
          <fieldset className="privacy-group" disabled={saving}>
            <legend>Who sees when I was last online</legend>
            {LAST_SEEN.map((option) => (
              <label key={option.value} className="radio-row">
                <input
                  type="radio"
                  name={`${ids}-last-seen`}
                  value={option.value}
                  checked={settings.lastSeen === option.value}
                  onChange={() => void save({ lastSeen: option.value })}
                />
                {option.label}
              </label>
            ))}
          </fieldset>
          <fieldset className="privacy-group" disabled={saving}>
            <legend>Who can add me to groups</legend>
            {GROUP_ADD.map((option) => (
              <label key={option.value} className="radio-row">
                <input
                  type="radio"
                  name={`${ids}-group-add`}
                  value={option.value}
                  checked={settings.groupAdd === option.value}
                  onChange={() => void save({ groupAdd: option.value })}
                />
                {option.label}
              </label>
            ))}
            <p className="field-hint">Anyone else’s add arrives as an invitation you can accept.</p>
          </fieldset>
        </>
      ) : (
        <p className="field-hint">Loading…</p>
      )}
      <section className="privacy-group" aria-labelledby={`${ids}-blocked`}>
        <h3 id={`${ids}-blocked`} className="privacy-subtitle">
          Blocked people
        </h3>
        {blocked.length === 0 ? (
          <p className="field-hint">You have not blocked anyone.</p>
        ) : (
          <ul className="blocked-list" data-testid="blocked-list">
            {blocked.map((entry) => (
              <li key={entry.user.id} className="blocked-row">
                <Avatar id={entry.user.id} name={entry.user.displayName} size={28} url={null} />
                <span className="blocked-name">
                  {entry.user.displayName}{' '}
                  <span className="me-username">@{entry.user.username}</span>
                </span>
                <button
                  type="button"
                  className="button small"
                  aria-label={`Unblock ${entry.user.displayName}`}
                  onClick={() =>
                    void client.privacy
                      .getState()
                      .unblock(entry.user.id)
                      .then(() => setStatus(`${entry.user.displayName} is unblocked.`))
                      .catch((error: unknown) => setStatus(describeError(error)))
                  }
                >
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p role="status" className="field-hint">
        {status}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Done
        </button>
      </div>
    </dialog>
  );
}
