'use client';

import type { ConversationSummary } from '@chat/shared';
import { useChat } from '@/components/providers/chat-provider';
import { AvatarPicker } from '@/components/profile/avatar-picker';

/** The group picture control of the group info panel (admins): choose, preview in a circle, save or remove. */
export function GroupPictureControl({ conversation }: { conversation: ConversationSummary }) {
  const { api, conversations } = useChat();
  const apply = (updated: ConversationSummary) => conversations.getState().upsert(updated);
  return (
    <AvatarPicker<ConversationSummary>
      id={conversation.id}
      name={conversation.title ?? 'Group'}
      currentUrl={conversation.avatarUrl}
      uploadPath={`/api/conversations/${encodeURIComponent(conversation.id)}/avatar`}
      onSaved={apply}
      onRemove={async () => apply(await api.removeGroupAvatar(conversation.id))}
    />
  );
}
