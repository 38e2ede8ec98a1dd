'use client';

import { useEffect, useState } from 'react';
import { useChat, useMessages } from '@/components/providers/chat-provider';

/** True while the page is visible and the window has focus (a message on screen in a background window is unread). */
function useAttentive(): boolean {
  const [attentive, setAttentive] = useState(false);
  useEffect(() => {
    const update = () =>
      setAttentive(document.visibilityState === 'visible' && document.hasFocus());
    update();
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  return attentive;
}

/**
 * Sends read receipts for the conversation on screen: whenever its newest loaded message changes or the window
 * becomes attentive (visible and focused), everything up to the newest seq is marked read (ChatClient debounces).
 * The badge of a conversation on screen is cleared locally by the conversations store; the receipt makes it stick
 * on every device.
 */
export function useReadReceipts(conversationId: string): void {
  const client = useChat();
  const attentive = useAttentive();
  const newest = useMessages((s) => {
    const messages = s.threads[conversationId]?.messages;
    return messages?.[messages.length - 1]?.seq ?? 0;
  });
  useEffect(() => {
    if (attentive && newest > 0) client.markRead(conversationId, newest);
  }, [client, conversationId, attentive, newest]);
}
