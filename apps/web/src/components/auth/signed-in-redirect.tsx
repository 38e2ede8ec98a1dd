'use client';

import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { useSession } from '@/components/providers/chat-provider';

/**
 * Renders nothing; once a session exists (restored through the refresh cookie, or just made), replaces the page
 * with `target()`, read at that moment (it may look at the URL). Used by `/` and the sign-in/sign-up pages.
 */
export function SignedInRedirect({ target = () => '/c' }: { target?: () => string }) {
  const status = useSession((s) => s.status);
  const router = useRouter();
  useEffect(() => {
    if (status === 'signedIn') router.replace(target());
  }, [status, router, target]);
  return null;
}
