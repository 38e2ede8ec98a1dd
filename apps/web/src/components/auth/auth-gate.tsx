'use client';

import type { ReactNode } from 'react';
import { SignedInRedirect } from './signed-in-redirect';

/** Where to go after signing in: `?next=` when it is a chat path (never another origin), else `/c`. */
export function nextPath(): string {
  if (typeof window === 'undefined') return '/c';
  const next = new URLSearchParams(window.location.search).get('next');
  return next && /^\/c(\/[\w-]+)?$/.test(next) ? next : '/c';
}

/** Wraps the sign-in/sign-up pages: once a session exists (restored or new), go to the chat screen. */
export function AuthGate({ children }: { children: ReactNode }) {
  return (
    <div className="auth-card">
      <SignedInRedirect target={nextPath} />
      {children}
    </div>
  );
}
