import type { ReactNode } from 'react';
import { ChatShell } from '@/components/chat/chat-shell';

/**
 * The chat screen. A layout (not a page) so the shell, its socket subscription and scroll positions survive
 * navigation between `/c` and `/c/[id]`; the selected conversation comes from the URL.
 */
export default function ChatLayout({ children }: { children: ReactNode }) {
  return <ChatShell>{children}</ChatShell>;
}
