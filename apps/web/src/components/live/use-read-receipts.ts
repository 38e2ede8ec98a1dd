'use client';

import { useEffect } from 'react';
import { useChat, useConversations, useMessages } from '@/components/providers/chat-provider';

/**
 * Sends read receipts for the conversation on screen: whenever its newest loaded message changes or the window
 * becomes attentive (visible and focused, tracked by ChatClient), everything up to the newest seq is marked read
 * (ChatClient debounces). The badge of a conversation on screen in an attentive window is cleared locally by the
 * conversations store; the receipt makes it stick on every device.
 */
export function useReadReceipts(conversationId: string): void {
  const client = useChat();
  const attentive = useConversations((s) => s.attentive);
  const newest = useMessages((s) => {
    const messages = s.threads[conversationId]?.messages;
    return messages?.[messages.length - 1]?.seq ?? 0;
  });
  useEffect(() => {
    if (attentive && newest > 0) client.markRead(conversationId, newest);
  }, [client, conversationId, attentive, newest]);
}
