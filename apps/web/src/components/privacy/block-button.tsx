'use client';

import { useState } from 'react';
import { toast } from 'sonner';
import type { PublicUser } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat, usePrivacy } from '@/components/providers/chat-provider';
import { useConfirm } from '@/components/confirm/confirm-dialog';

/**
 * Block or unblock the other person of a direct conversation (in its header). Blocking asks first; both change the
 * privacy store, which the settings list and the pane's composer follow.
 * @param onDone called once a block or unblock has gone through (the header's options panel closes)
 */
export function BlockButton({ other, onDone }: { other: PublicUser; onDone?: () => void }) {
  const client = useChat();
  const blocked = usePrivacy((s) => s.blocked.some((b) => b.user.id === other.id));
  const [busy, setBusy] = useState(false);
  const [confirmDialog, confirm] = useConfirm();

  async function toggle() {
    if (!blocked && !(await confirm(blockQuestion(other)))) return;
    setBusy(true);
    try {
      if (blocked) await client.privacy.getState().unblock(other.id);
      else await client.privacy.getState().block(other.id);
      toast.success(
        blocked ? `${other.displayName} is unblocked.` : `${other.displayName} is blocked.`,
      );
      onDone?.();
    } catch (error) {
      toast.error(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className={`button small ${blocked ? 'subtle' : 'subtle danger-text'}`}
        disabled={busy}
        onClick={() => void toggle()}
        data-testid="block-button"
      >
        {blocked ? 'Unblock' : 'Block'}
      </button>
      {confirmDialog}
    </>
  );
}

/** The question before blocking `other` (ConfirmDialog): what a block does, both ways (docs/privacy.md). */
export function blockQuestion(other: Pick<PublicUser, 'displayName'>) {
  return {
    title: `Block ${other.displayName}?`,
    text: 'Neither of you will be able to message the other or add the other to groups, and you will stop seeing each other online. You can unblock them later.',
    confirmLabel: 'Block',
  };
}

/** Replaces the composer of a direct conversation with someone the person blocked. */
export function BlockedBanner({ other }: { other: PublicUser }) {
  const client = useChat();
  const [busy, setBusy] = useState(false);
  return (
    <div className="left-banner blocked-banner" role="status" data-testid="blocked-banner">
      <span>You blocked {other.displayName}. Unblock them to send messages.</span>
      <button
        type="button"
        className="button small"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          client.privacy
            .getState()
            .unblock(other.id)
            .catch((error: unknown) => toast.error(describeError(error)))
            .finally(() => setBusy(false));
        }}
      >
        Unblock
      </button>
    </div>
  );
}
