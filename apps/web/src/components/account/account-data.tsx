'use client';

import { useId, useState } from 'react';
import { ErrorCode, type SelfUser } from '@chat/shared';
import { ApiError, describeError } from '@/lib/api-client';
import { saveBlob } from '@/lib/reports';
import { useChat, useDraftsStore } from '@/components/providers/chat-provider';

/**
 * "Your data" in the profile dialog: download everything as a ZIP (GET /api/users/me/export), and delete the
 * account after typing the password again (DELETE /api/users/me). On deletion the server revokes every session,
 * so this tab signs out like any other; local drafts are removed first.
 */
export function AccountData({ user }: { user: SelfUser }) {
  const client = useChat();
  const drafts = useDraftsStore();
  const id = useId();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState('');
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  async function download() {
    setExporting(true);
    setExportError(null);
    try {
      const blob = await client.api.exportMyData();
      saveBlob(blob, `relay-data-${user.username}-${new Date().toISOString().slice(0, 10)}.zip`);
    } catch (error) {
      setExportError(describeError(error));
    } finally {
      setExporting(false);
    }
  }

  async function deleteAccount() {
    if (!password) {
      setDeleteError('Enter your password.');
      return;
    }
    setDeleting(true);
    setDeleteError(null);
    try {
      await client.api.deleteAccount(password);
      await drafts.removeAll(user.id);
      await client.signOut().catch(() => undefined);
    } catch (error) {
      setDeleteError(
        error instanceof ApiError && error.code === ErrorCode.INVALID_CREDENTIALS
          ? 'That password is not right.'
          : describeError(error),
      );
      setDeleting(false);
    }
  }

  return (
    <section className="account-data" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="section-title">
        Your data
      </h3>
      <div className="account-actions">
        <button
          type="button"
          className="button"
          onClick={() => void download()}
          disabled={exporting}
          data-testid="export-data"
        >
          {exporting ? 'Preparing…' : 'Download my data'}
        </button>
        {confirming ? null : (
          <button
            type="button"
            className="button danger"
            onClick={() => setConfirming(true)}
            data-testid="delete-account"
          >
            Delete account
          </button>
        )}
      </div>
      {exportError ? (
        <p className="field-error" role="alert">
          {exportError}
        </p>
      ) : null}
      {confirming ? (
        <form
          className="delete-confirm"
          onSubmit={(e) => {
            e.preventDefault();
            void deleteAccount();
          }}
        >
          <p>
            This deletes your profile and picture and signs you out everywhere. Your messages stay
            in conversations, shown as from “Deleted account”. Your username becomes free for
            others.
          </p>
          <div className="field">
            <label htmlFor={`${id}-password`}>Your password</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={deleteError ? true : undefined}
              aria-describedby={deleteError ? `${id}-error` : undefined}
              autoFocus
            />
            {deleteError ? (
              <p id={`${id}-error`} className="field-error">
                {deleteError}
              </p>
            ) : null}
          </div>
          <div className="account-actions">
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="submit" className="button danger" disabled={deleting}>
              {deleting ? 'Deleting…' : 'Delete my account'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
