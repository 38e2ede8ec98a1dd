'use client';

import { useEffect, type ReactNode } from 'react';
import { useRouter } from 'next/navigation';
import { useSession } from '@/components/providers/chat-provider';

/** Where to go after signing in: `?next=` when it is a chat path (never another origin), else `/c`. */
export function nextPath(): string {
  if (typeof window === 'undefined') return '/c';
  const next = new URLSearchParams(window.location.search).get('next');
  return next && /^\/c(\/[\w-]+)?$/.test(next) ? next : '/c';
}

/** Wraps the sign-in/sign-up pages: once a session exists (restored or new), go to the chat screen. */
export function AuthGate({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  const router = useRouter();
  useEffect(() => {
    if (status === 'signedIn') router.replace(nextPath());
  }, [status, router]);
  return <div className="auth-card">{children}</div>;
}
