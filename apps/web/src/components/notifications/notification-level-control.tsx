'use client';

import { useId, useState } from 'react';
import { toast } from 'sonner';
import type { ConversationSummary, NotificationLevel } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat } from '@/components/providers/chat-provider';

const LABELS: Record<NotificationLevel, string> = {
  all: 'All messages',
  mentions: 'Mentions only',
  none: 'Nothing (muted)',
};

/**
 * The conversation header's notification level (all / mentions only / nothing): saved on the server for this member
 * (PUT .../notification-level), so it follows the person to every device; their other tabs and devices hear of it
 * as `conversation:updated`.
 */
export function NotificationLevelControl({ conversation }: { conversation: ConversationSummary }) {
  const client = useChat();
  const id = useId();
  const [saving, setSaving] = useState(false);
  return (
    <div className="level-control">
      <label htmlFor={id} className="level-label">
        Notify
      </label>
      <select
        id={id}
        value={conversation.notificationLevel}
        disabled={saving}
        onChange={(e) => {
          const level = e.target.value as NotificationLevel;
          setSaving(true);
          client.api
            .setNotificationLevel(conversation.id, level)
            .then((updated) => client.conversations.getState().upsert(updated))
            .catch((error: unknown) =>
              toast.error(`Could not change notifications: ${describeError(error)}`),
            )
            .finally(() => setSaving(false));
        }}
        data-testid="notification-level"
      >
        {(Object.keys(LABELS) as NotificationLevel[]).map((level) => (
          <option key={level} value={level}>
            {LABELS[level]}
          </option>
        ))}
      </select>
    </div>
  );
}
