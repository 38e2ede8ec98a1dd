'use client';

import type { ConversationSummary } from '@chat/shared';
import { typingText, useTypingNames } from './use-live';

/** "Ana is typing…" above the composer; empty (but reserving its height, so nothing jumps) when nobody is. */
export function TypingLine({
  conversation,
  selfId,
}: {
  conversation: ConversationSummary;
  selfId: string;
}) {
  const text = typingText(useTypingNames(conversation, selfId));
  return (
    <div className="typing-line" aria-live="polite" data-testid="typing-line">
      {text}
    </div>
  );
}
