'use client';

import { useState, useSyncExternalStore } from 'react';
import { notificationPermission, setSoundEnabled, soundEnabled } from '@/lib/notifications';

/**
 * The notification switches above the conversation list: desktop notifications are asked for only when the
 * person clicks "Turn on" (browsers ignore or punish a prompt on page load), with a plain note when the browser
 * blocks them (unread badges still tell); and the sound's on/off switch (kept in this browser).
 */
/** Neither value announces its changes (this component makes them itself): nothing to subscribe to. */
const noSubscription = () => () => undefined;

export function NotificationSettings() {
  // The server render knows no permission (null: render nothing), and the first client render must match it.
  const browserPermission = useSyncExternalStore(
    noSubscription,
    notificationPermission,
    () => null,
  );
  const storedSound = useSyncExternalStore(noSubscription, soundEnabled, () => true);
  const [answered, setAnswered] = useState<NotificationPermission | null>(null);
  const [soundChoice, setSoundChoice] = useState<boolean | null>(null);
  const permission = answered ?? browserPermission;
  const sound = soundChoice ?? storedSound;
  if (permission === null) return null;

  async function ask() {
    try {
      setAnswered(await Notification.requestPermission());
    } catch {
      const now = notificationPermission();
      if (now !== 'unsupported') setAnswered(now);
    }
  }

  return (
    <div className="notification-settings" data-testid="notification-settings">
      {permission === 'default' ? (
        <p className="notification-note">
          <span>Get a notification for new messages?</span>
          <button type="button" className="button subtle small" onClick={() => void ask()}>
            Turn on
          </button>
        </p>
      ) : permission === 'denied' ? (
        <p className="notification-note" role="status">
          Notifications are blocked for this site in your browser settings. Unread badges still show
          new messages.
        </p>
      ) : permission === 'unsupported' ? (
        <p className="notification-note" role="status">
          This browser cannot show notifications. Unread badges still show new messages.
        </p>
      ) : null}
      <label className="notification-sound">
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            setSoundChoice(e.target.checked);
            setSoundEnabled(e.target.checked);
          }}
          data-testid="sound-switch"
        />
        Sound
      </label>
    </div>
  );
}
