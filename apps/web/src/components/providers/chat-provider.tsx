'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { toast } from 'sonner';
import { ChatClient, type ConnectionState } from '@/lib/chat-client';
import { resolveApiUrl } from '@/lib/api-url';
import type { SessionState } from '@/stores/session-store';
import type { ConversationsState } from '@/stores/conversations-store';
import type { MessagesState } from '@/stores/messages-store';

const ChatContext = createContext<ChatClient | null>(null);

/**
 * Makes one ChatClient (API client, socket and per-user stores) for this tab and starts session restore.
 * The stores live in this component's state, not in module scope, so concurrent SSR requests never share
 * them (zustand's Next.js guide: "Per-request store").
 * @param apiUrl `API_PUBLIC_URL` read by the server at request time, or null to derive it from `location`.
 */
export function ChatProvider({ apiUrl, children }: { apiUrl: string | null; children: ReactNode }) {
  const [client] = useState(
    () => new ChatClient(resolveApiUrl(apiUrl), (message) => toast.error(message)),
  );
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  return <ChatContext.Provider value={client}>{children}</ChatContext.Provider>;
}

/** The tab's ChatClient. Throws when used outside ChatProvider (a programming error). */
export function useChat(): ChatClient {
  const client = useContext(ChatContext);
  if (!client) throw new Error('useChat must be used inside <ChatProvider>');
  return client;
}

/** Selects from the session store. */
export function useSession<T>(selector: (state: SessionState) => T): T {
  return useStore(useChat().session, selector);
}

/** Selects from the conversations store. */
export function useConversations<T>(selector: (state: ConversationsState) => T): T {
  return useStore(useChat().conversations, selector);
}

/** Selects from the messages store. */
export function useMessages<T>(selector: (state: MessagesState) => T): T {
  return useStore(useChat().messages, selector);
}

/** Selects from the connection store. */
export function useConnection<T>(selector: (state: ConnectionState) => T): T {
  return useStore(useChat().connection, selector);
}
