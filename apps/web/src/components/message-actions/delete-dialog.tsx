'use client';

import { ConfirmDialog } from '@/components/confirm/confirm-dialog';

/**
 * Asks once before a message is deleted for everyone (ConfirmDialog).
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
  return (
    <ConfirmDialog
      question={{
        title: 'Delete message?',
        text: byAdmin
          ? 'It will be removed for everyone in the group, with its attachments and reactions. Members will see that an admin deleted it.'
          : 'It will be removed for everyone in the conversation, with its attachments and reactions. This cannot be undone.',
        confirmLabel: 'Delete',
      }}
      onAnswer={(confirmed) => {
        if (confirmed) onConfirm();
        onClose();
      }}
    />
  );
}
