'use client';

import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import dynamic from 'next/dynamic';
import type { PublicUser } from '@chat/shared';
import { closeAndFocus } from '@/lib/focus';
import { Avatar } from '@/components/avatar/avatar';

/** The profile dialog is loaded on first use: it is not needed to show the chat (first-load budget). */
const UserProfileDialog = dynamic(() => import('./user-profile-dialog'), { ssr: false });

/** Opens someone's profile; `opener` gets the focus back when it closes. */
export type OpenProfile = (user: PublicUser, opener?: HTMLElement | null) => void;

const ProfileContext = createContext<OpenProfile | null>(null);

/**
 * Lets any name or picture of a person under it open that person's profile (`useOpenProfile`), shown by one
 * `UserProfileDialog` at a time. Closing it gives the focus back to the control that opened it.
 */
export function ProfileViewerProvider({
  selfId,
  children,
}: {
  selfId: string;
  children: ReactNode;
}) {
  const [shown, setShown] = useState<PublicUser | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const open = useCallback<OpenProfile>((user, from) => {
    opener.current =
      from ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    setShown(user);
  }, []);
  return (
    <ProfileContext.Provider value={open}>
      {children}
      {shown ? (
        <UserProfileDialog
          key={shown.id}
          user={shown}
          selfId={selfId}
          onClose={() => closeAndFocus(() => setShown(null), opener)}
        />
      ) : null}
    </ProfileContext.Provider>
  );
}

/** The function that opens a person's profile; null outside ProfileViewerProvider (names then stay plain text). */
export function useOpenProfile(): OpenProfile | null {
  return useContext(ProfileContext);
}

/**
 * A person's name as a button that opens their profile (plain text where no ProfileViewerProvider is above).
 * `className` styles it like the text it replaces.
 */
export function PersonName({
  user,
  className,
  children,
  testId,
  equivalentTarget,
}: {
  user: PublicUser;
  className?: string;
  children?: ReactNode;
  testId?: string;
  /**
   * The `targetKey` of a PersonAvatar beside it that opens the same profile. On a phone that picture is the
   * 44 px touch target and this name may stay text-sized (WCAG 2.5.8's "equivalent control" exception).
   */
  equivalentTarget?: string;
}) {
  const openProfile = useOpenProfile();
  if (!openProfile) {
    return (
      <span className={className} data-testid={testId}>
        {children ?? user.displayName}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={`person-link${className ? ` ${className}` : ''}`}
      data-testid={testId}
      data-equivalent-target={equivalentTarget}
      onClick={(e) => openProfile(user, e.currentTarget)}
    >
      {children ?? user.displayName}
    </button>
  );
}

/**
 * A person's picture as a button that opens their profile. Mouse and touch convenience beside a `PersonName`,
 * which is the keyboard's way in: it stays out of the Tab order so each person is one stop, not two.
 */
export function PersonAvatar({
  user,
  size,
  targetKey,
}: {
  user: PublicUser;
  size: number;
  /** Names this picture as the touch target a PersonName's `equivalentTarget` points at. */
  targetKey?: string;
}) {
  const openProfile = useOpenProfile();
  const avatar = <Avatar id={user.id} name={user.displayName} size={size} url={user.avatarUrl} />;
  if (!openProfile) return avatar;
  return (
    <button
      type="button"
      className="avatar-button person-avatar"
      tabIndex={-1}
      aria-label={`View profile: ${user.displayName}`}
      data-target-key={targetKey}
      onClick={(e) => openProfile(user, e.currentTarget)}
    >
      {avatar}
    </button>
  );
}
