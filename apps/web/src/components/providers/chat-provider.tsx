'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { toast } from 'sonner';
import { ChatClient, type ConnectionState } from '@/lib/chat-client';
import { resolveApiUrl } from '@/lib/api-url';
import type { SessionState } from '@/stores/session-store';
import type { ConversationsState } from '@/stores/conversations-store';
import type { MessagesState } from '@/stores/messages-store';
import { Drafts, type DraftsState } from '@/lib/drafts';
import type { PrivacyState } from '@/stores/privacy-store';

const ChatContext = createContext<ChatClient | null>(null);
const DraftsContext = createContext<Drafts | null>(null);

/**
 * Makes one ChatClient (API client, socket and per-user stores) and the drafts for this tab, and starts session
 * restore.
 * The stores live in this component's state, not in module scope, so concurrent SSR requests never share
 * them (zustand's Next.js guide: "Per-request store").
 * @param apiUrl `API_PUBLIC_URL` read by the server at request time, or null to derive it from `location`.
 */
export function ChatProvider({ apiUrl, children }: { apiUrl: string | null; children: ReactNode }) {
  const [client] = useState(
    () => new ChatClient(resolveApiUrl(apiUrl), (message) => toast.error(message)),
  );
  const [drafts] = useState(() => new Drafts());
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  useEffect(() => {
    // Drafts follow whoever is signed in on this tab.
    const follow = () => {
      const { user } = client.session.getState();
      const userId = user?.id ?? null;
      if (drafts.store.getState().userId !== userId) void drafts.load(userId);
    };
    follow();
    const unsubscribe = client.session.subscribe(follow);
    const flush = () => void drafts.flush();
    window.addEventListener('pagehide', flush);
    return () => {
      unsubscribe();
      window.removeEventListener('pagehide', flush);
    };
  }, [client, drafts]);
  return (
    <ChatContext.Provider value={client}>
      <DraftsContext.Provider value={drafts}>{children}</DraftsContext.Provider>
    </ChatContext.Provider>
  );
}

/** The tab's drafts (half-written messages per conversation). Throws outside ChatProvider. */
export function useDraftsStore(): Drafts {
  const drafts = useContext(DraftsContext);
  if (!drafts) throw new Error('useDraftsStore must be used inside <ChatProvider>');
  return drafts;
}

/** Selects from the drafts store. */
export function useDrafts<T>(selector: (state: DraftsState) => T): T {
  return useStore(useDraftsStore().store, selector);
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

/** Selects from the privacy store (settings and blocks). */
export function usePrivacy<T>(selector: (state: PrivacyState) => T): T {
  return useStore(useChat().privacy, selector);
}
