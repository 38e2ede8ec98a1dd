import type { ReactNode } from 'react';
import { AuthGate } from '@/components/auth/auth-gate';

/** Sign-in and sign-up: a centred card; visitors who already have a session go to the chat screen. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth-page">
      <AuthGate>{children}</AuthGate>
    </main>
  );
}
