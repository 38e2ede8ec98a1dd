'use client';

import { useEffect, useId, useRef } from 'react';
import { keepTabInside } from '@/lib/focus';

/**
 * Asks once before a message is deleted for everyone (WAI-ARIA APG "Alert Dialog" on a modal <dialog>: focus
 * trapped, the page behind inert, Escape cancels). Cancel takes the focus first, so Enter alone never deletes.
 * @param byAdmin an admin deleting someone else's message: the text says so
 */
export function DeleteMessageDialog({
  byAdmin,
  onConfirm,
  onClose,
}: {
  byAdmin: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const textId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      role="alertdialog"
      className="modal confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onClose={onClose}
      onKeyDown={keepTabInside}
    >
      <h2 id={titleId} className="modal-title">
        Delete message?
      </h2>
      <p id={textId} className="confirm-text">
        {byAdmin
          ? 'It will be removed for everyone in the group, with its attachments and reactions. Members will see that an admin deleted it.'
          : 'It will be removed for everyone in the conversation, with its attachments and reactions. This cannot be undone.'}
      </p>
      <div className="modal-actions">
        <button ref={cancel} type="button" className="button subtle" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          Delete
        </button>
      </div>
    </dialog>
  );
}
