'use client';

import { useEffect, useState } from 'react';
import { useChat, useConnection } from '@/components/providers/chat-provider';

/** A handshake quicker than this shows no "Connecting…" at all (ms): the first one usually is. */
const CONNECTING_NOTICE_DELAY_MS = 1_500;
/** How long "Back online" stays after a reconnect (ms). */
const BACK_ONLINE_MS = 2_500;

/**
 * Tells the person when real-time delivery is interrupted: "Connecting…" (only when the handshake is slow),
 * "Offline. Reconnecting…" while disconnected (messages written meanwhile wait in the outbox), then "Back online"
 * for a moment after a reconnect.
 */
export function ConnectionBanner() {
  const { connection } = useChat();
  const status = useConnection((s) => s.status);
  const reconnected = useConnection((s) => s.reconnected);
  const [slow, setSlow] = useState(false);

  useEffect(() => {
    if (status !== 'connecting') return;
    const timer = setTimeout(() => setSlow(true), CONNECTING_NOTICE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      setSlow(false);
    };
  }, [status]);

  useEffect(() => {
    if (status !== 'online' || !reconnected) return;
    const timer = setTimeout(() => connection.setState({ reconnected: false }), BACK_ONLINE_MS);
    return () => clearTimeout(timer);
  }, [status, reconnected, connection]);

  let text: string | null = null;
  let tone = 'warn';
  if (status === 'offline') text = 'Offline. Reconnecting…';
  else if (status === 'connecting' && slow) text = 'Connecting…';
  else if (status === 'online' && reconnected) {
    text = 'Back online';
    tone = 'ok';
  }
  if (!text) return null;
  return (
    <p className={`connection-banner ${tone}`} role="status" data-testid="connection-banner">
      {text}
    </p>
  );
}
