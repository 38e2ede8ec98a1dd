'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { toast } from 'sonner';
import type { ConversationSummary } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { otherMember } from '@/lib/format';
import { useChat } from '@/components/providers/chat-provider';
import { useConfirm } from '@/components/confirm/confirm-dialog';
import { blockQuestion } from './block-button';

/**
 * Shown above the composer of a conversation the person has not accepted: a message request (direct) or a group
 * invitation. Accept makes them contacts; Decline removes it (for them only); Block (direct only) blocks the sender
 * and removes the request. Replying with the composer accepts too (the API's rule).
 */
export function RequestBar({
  conversation,
  selfId,
}: {
  conversation: ConversationSummary;
  selfId: string;
}) {
  const client = useChat();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  const other = conversation.type === 'direct' ? otherMember(conversation, selfId) : null;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      toast.error(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  const accept = () =>
    run(async () => {
      const accepted = await client.api.acceptConversation(conversation.id);
      client.conversations.getState().upsert(accepted);
    });
  const decline = () =>
    run(async () => {
      await client.api.declineConversation(conversation.id);
      client.conversations.getState().remove(conversation.id);
      router.push('/c');
    });
  const block = () =>
    run(async () => {
      if (!other) return;
      if (!(await confirm(blockQuestion(other)))) return;
      await client.privacy.getState().block(other.id);
      client.conversations.getState().remove(conversation.id);
      toast.success(`${other.displayName} is blocked.`);
      router.push('/c');
    });

  return (
    <div className="request-bar" role="region" aria-label="Request" data-testid="request-bar">
      <p className="request-text">
        {other
          ? `${other.displayName} (@${other.username}) wants to message you.`
          : 'You were invited to this group.'}{' '}
        <span className="request-hint">
          {other ? 'They do not' : 'Its members do not'} see whether you are online or have read
          this until you accept. Replying accepts.
        </span>
      </p>
      <div className="request-actions">
        <button type="button" className="button primary small" disabled={busy} onClick={accept}>
          Accept
        </button>
        <button type="button" className="button small" disabled={busy} onClick={decline}>
          Decline
        </button>
        {other ? (
          <button type="button" className="button danger small" disabled={busy} onClick={block}>
            Block
          </button>
        ) : null}
      </div>
      {confirmDialog}
    </div>
  );
}
