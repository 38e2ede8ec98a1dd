'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { LIMITS } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { keepTabInside } from '@/lib/focus';

/**
 * Asks for a reason and sends a report to the instance administrators (modal <dialog>: Esc closes, focus stays
 * inside). `send` does the request (reportPerson / reportMessage of lib/reports).
 * @param subject what is reported, for the title ("Report Alice", "Report message")
 */
export function ReportDialog({
  subject,
  send,
  onClose,
}: {
  subject: string;
  send: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  async function submit() {
    const text = reason.trim();
    if (text.length < LIMITS.REPORT_REASON_MIN) {
      setError('Say briefly what is wrong.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await send(text);
      setDone(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={`${id}-title`}
      onClose={onClose}
      onKeyDown={keepTabInside}
      data-testid="report-dialog"
    >
      <h2 id={`${id}-title`} className="modal-title">
        {subject}
      </h2>
      {done ? (
        <p role="status">Thank you. The administrators of this server will look at it.</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <p className="field-hint">
            Your report goes to the administrators of this server, with your name.
          </p>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason</label>
            <textarea
              id={`${id}-reason`}
              value={reason}
              rows={4}
              maxLength={LIMITS.REPORT_REASON_MAX}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
            />
            {error ? (
              <p id={`${id}-error`} className="field-error">
                {error}
              </p>
            ) : null}
          </div>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send report'}
            </button>
          </div>
        </form>
      )}
      {done ? (
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      ) : null}
    </dialog>
  );
}
