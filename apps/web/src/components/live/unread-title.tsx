'use client';

import { useEffect } from 'react';
import { useConversations } from '@/components/providers/chat-provider';

/** The page title without a count (the root layout's metadata title). */
const BASE_TITLE = 'Relay chat';

/** Keeps the document title at "(N) Relay chat" with the total unread count of loaded conversations; renders nothing. */
export function UnreadTitle() {
  const total = useConversations((s) =>
    Object.values(s.byId).reduce((sum, c) => sum + c.unreadCount, 0),
  );
  useEffect(() => {
    document.title = total > 0 ? `(${total > 999 ? '999+' : total}) ${BASE_TITLE}` : BASE_TITLE;
  }, [total]);
  useEffect(
    () => () => {
      document.title = BASE_TITLE;
    },
    [],
  );
  return null;
}
