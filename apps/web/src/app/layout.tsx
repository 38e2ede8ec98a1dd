import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { connection } from 'next/server';
import { Toaster } from 'sonner';
import { loadWebConfig } from '@/config';
import { ChatProvider } from '@/components/providers/chat-provider';
import './globals.css';

export const metadata: Metadata = {
  title: 'Relay chat',
  description: 'Real-time one-to-one chat.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7fb' },
    { media: '(prefers-color-scheme: dark)', color: '#0f1115' },
  ],
};

/**
 * Root layout (server component). Awaits `connection()` so the page renders per request and
 * `API_PUBLIC_URL` is read at run time, not baked in at build time (Next.js guide "Environment variables",
 * section "Runtime Environment Variables").
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  const config = loadWebConfig();
  return (
    <html lang="en">
      <body>
        <ChatProvider apiUrl={config.apiPublicUrl}>{children}</ChatProvider>
        {/* On a phone, below the conversation header (about 61 px), so a toast never hides whom it is about. */}
        <Toaster
          position="top-center"
          richColors
          closeButton
          theme="system"
          mobileOffset={{ top: 68 }}
        />
      </body>
    </html>
  );
}
