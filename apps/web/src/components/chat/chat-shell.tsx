'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useParams, usePathname, useRouter } from 'next/navigation';
import { toast } from 'sonner';
import type { SelfUser } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat, useDraftsStore, useSession } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';
import { ConversationList } from '@/components/conversation-list/conversation-list';
import { MessagePane } from '@/components/message-list/message-pane';
import { ConnectionBanner } from '@/components/live/connection-banner';
import { UnreadTitle } from '@/components/live/unread-title';
import { ProfileDialog } from '@/components/profile/profile-dialog';
import { ProfileViewerProvider } from '@/components/profile/user-profile';
import { PrivacyDialog } from '@/components/privacy/privacy-dialog';
import { closeAndFocus } from '@/lib/focus';
import dynamic from 'next/dynamic';
import { useConfirm } from '@/components/confirm/confirm-dialog';
import { Icon, SHIELD_ICON, SIGN_OUT_ICON } from '@/components/icons/icon';

// Loaded when first opened: it is not needed to show the chat, and keeps the page's first load small.
const SearchDialog = dynamic(
  () => import('@/components/search/search-dialog').then((m) => m.SearchDialog),
  { ssr: false },
);
// Opened on demand: loaded on first use, off the chat page's first load.
const PeopleSearch = dynamic(
  () => import('@/components/people-search/people-search').then((m) => m.PeopleSearch),
  { ssr: false, loading: () => <p className="list-note">Loading…</p> },
);
const NewGroupDialog = dynamic(
  () => import('@/components/groups/new-group-dialog').then((m) => m.NewGroupDialog),
  { ssr: false },
);
// Not needed for the first paint (it renders nothing on the server either): its own chunk.
const NotificationSettings = dynamic(
  () =>
    import('@/components/notifications/notification-settings').then((m) => m.NotificationSettings),
  { ssr: false },
);

/**
 * The chat screen's frame. Waits for session restore; sends signed-out visitors to /login (remembering a
 * deep link in `?next=`); shows a retry screen when the API is unreachable.
 */
export function ChatShell({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);
  const refusedOrigin = useSession((s) => s.refusedOrigin);
  const { session } = useChat();
  const router = useRouter();
  const pathname = usePathname();

  // A deep link is remembered only for a visitor who arrived signed out. After a sign-out in this tab the next
  // person to sign in must not land on the previous person's conversation.
  const wasSignedIn = useRef(false);
  useEffect(() => {
    if (status === 'signedIn') wasSignedIn.current = true;
    if (status !== 'signedOut') return;
    const next =
      !wasSignedIn.current && pathname && pathname !== '/c'
        ? `?next=${encodeURIComponent(pathname)}`
        : '';
    router.replace(`/login${next}`);
  }, [status, pathname, router]);

  if (status === 'unreachable') {
    return (
      <main className="splash">
        <div className="splash-card" role="alert">
          {refusedOrigin ? (
            <>
              <h1>This address is not allowed</h1>
              <p>
                The chat server is running but does not accept pages opened at {refusedOrigin}. Open
                Relay at the address it was set up for, or add {refusedOrigin} to the server&rsquo;s
                WEB_ORIGIN.
              </p>
            </>
          ) : (
            <>
              <h1>Cannot reach the server</h1>
              <p>The chat service is not answering. Check your connection, then try again.</p>
            </>
          )}
          <button
            type="button"
            className="button primary"
            onClick={() => void session.getState().restore()}
          >
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (status !== 'signedIn' || !user) {
    return (
      <main className="splash" aria-busy="true">
        <p className="splash-note">Loading…</p>
      </main>
    );
  }
  return (
    <>
      <SignedInChat user={user} />
      {children}
    </>
  );
}

function SignedInChat({ user }: { user: SelfUser }) {
  const params = useParams<{ id?: string }>();
  const activeId = typeof params.id === 'string' ? params.id : null;
  const client = useChat();
  const drafts = useDraftsStore();
  const [searching, setSearching] = useState(false);
  const [creatingGroup, setCreatingGroup] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  const [profileOpen, setProfileOpen] = useState(false);
  const [privacyOpen, setPrivacyOpen] = useState(false);
  const privacyButton = useRef<HTMLButtonElement>(null);
  const [findOpen, setFindOpen] = useState(false);
  const findButton = useRef<HTMLButtonElement>(null);
  const router = useRouter();

  // Ctrl+K (Cmd+K on a Mac) opens the search from anywhere on the chat screen.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setFindOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // A clicked notification opens its conversation.
  useEffect(() => {
    client.setConversationOpener((id) => router.push(`/c/${id}`));
    return () => client.setConversationOpener(null);
  }, [client, router]);
  // What opened each panel, to give the focus back to when it closes.
  const profileButton = useRef<HTMLButtonElement>(null);
  const newChatButton = useRef<HTMLButtonElement>(null);
  const newGroupButton = useRef<HTMLButtonElement>(null);

  async function signOut() {
    const unsent = await client.unsentCount();
    if (
      unsent > 0 &&
      !(await confirm({
        title: 'Sign out?',
        text: `${unsent === 1 ? '1 message has' : `${unsent} messages have`} not been sent yet. Signing out discards ${unsent === 1 ? 'it' : 'them'}.`,
        confirmLabel: 'Sign out and discard',
      }))
    )
      return;
    setSigningOut(true);
    try {
      // Drafts first: they are this person's words, and the next person on this browser must not find them.
      await drafts.removeAll(user.id);
      await client.signOut();
    } catch (error) {
      toast.error(`Sign-out did not reach the server: ${describeError(error)}`);
    } finally {
      setSigningOut(false);
    }
  }

  return (
    <ProfileViewerProvider selfId={user.id}>
      <div className={`chat${activeId ? ' has-active' : ''}`}>
        <aside className="sidebar" aria-label="Conversation list">
          {/* One level-one heading per screen: the open conversation's title, else this one. */}
          {activeId ? null : <h1 className="visually-hidden">Conversations</h1>}
          <header className="sidebar-header">
            <button
              ref={profileButton}
              type="button"
              className="avatar-button"
              onClick={() => setProfileOpen(true)}
              aria-label="Your profile and picture"
              data-testid="profile-button"
            >
              <Avatar id={user.id} name={user.displayName} size={36} url={user.avatarUrl} />
            </button>
            <div className="me">
              <span className="me-name">{user.displayName}</span>
              <span className="me-username">@{user.username}</span>
            </div>
            {/* Icons with a name and a tooltip: the person's own name keeps the room in a 340 px sidebar. */}
            <button
              ref={privacyButton}
              type="button"
              className="icon-button"
              onClick={() => setPrivacyOpen(true)}
              aria-label="Privacy"
              title="Privacy"
              data-testid="privacy-button"
            >
              <Icon d={SHIELD_ICON} />
            </button>
            <button
              type="button"
              className="icon-button"
              onClick={() => void signOut()}
              disabled={signingOut}
              aria-label="Sign out"
              title="Sign out"
            >
              <Icon d={SIGN_OUT_ICON} />
            </button>
          </header>
          {profileOpen ? (
            <ProfileDialog
              user={user}
              onClose={() => closeAndFocus(() => setProfileOpen(false), profileButton)}
            />
          ) : null}
          {privacyOpen ? (
            <PrivacyDialog
              onClose={() => closeAndFocus(() => setPrivacyOpen(false), privacyButton)}
            />
          ) : null}
          <ConnectionBanner />
          <UnreadTitle />
          <NotificationSettings />
          <button
            ref={findButton}
            type="button"
            className="search-open"
            onClick={() => setFindOpen(true)}
            aria-keyshortcuts="Control+K"
            data-testid="search-open"
          >
            <span>Search messages</span>
            <kbd>Ctrl K</kbd>
          </button>
          {searching ? (
            <PeopleSearch
              selfId={user.id}
              onClose={() => closeAndFocus(() => setSearching(false), newChatButton)}
            />
          ) : (
            <div className="sidebar-actions">
              <button
                ref={newChatButton}
                type="button"
                className="button primary wide"
                onClick={() => setSearching(true)}
              >
                New chat
              </button>
              <button
                ref={newGroupButton}
                type="button"
                className="button wide"
                onClick={() => setCreatingGroup(true)}
              >
                New group
              </button>
            </div>
          )}
          {creatingGroup ? (
            <NewGroupDialog
              selfId={user.id}
              onClose={() => closeAndFocus(() => setCreatingGroup(false), newGroupButton)}
            />
          ) : null}
          <ConversationList activeId={activeId} selfId={user.id} />
        </aside>
        <main className="pane">
          {activeId ? (
            <MessagePane key={activeId} conversationId={activeId} selfId={user.id} />
          ) : (
            <div className="pane-empty">
              <p>Select a conversation, or start a new one.</p>
            </div>
          )}
        </main>
        {/* Outside the sidebar: on a phone the sidebar is hidden while a conversation is open. */}
        {findOpen ? (
          <SearchDialog
            selfId={user.id}
            onClose={() => closeAndFocus(() => setFindOpen(false), findButton)}
          />
        ) : null}
        {confirmDialog}
      </div>
    </ProfileViewerProvider>
  );
}
