'use client';

import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { ErrorCode, type Message } from '@chat/shared';
import { isDeleted, quoteOf, withPendingActions } from '@/lib/message-actions';
import { ApiError, describeError } from '@/lib/api-client';
import type { HandedOffUploads } from '@/lib/chat-client';
import { conversationAvatarId, conversationTitle, otherMember } from '@/lib/format';
import {
  useChat,
  useConversations,
  useDrafts,
  useDraftsStore,
  usePrivacy,
} from '@/components/providers/chat-provider';
import { Composer } from '@/components/composer/composer';
import { useAttachmentUploads } from '@/components/attachments/use-attachment-uploads';
import { PresenceAvatar } from '@/components/live/presence-avatar';
import { conversationAvatarUrl } from '@/lib/media';
import { PresenceLine } from '@/components/live/presence-line';
import { TypingLine } from '@/components/live/typing-line';
import { useReadReceipts } from '@/components/live/use-read-receipts';
import { BlockButton, BlockedBanner } from '@/components/privacy/block-button';
import { RequestBar } from '@/components/privacy/request-bar';
import { ReportDialog } from '@/components/account/report-dialog';
import { reportPerson } from '@/lib/reports';
import dynamic from 'next/dynamic';
import { PersonName, useOpenProfile } from '@/components/profile/user-profile';
import { conversationPeople } from '@/lib/people';
import { MessageList, type PaneActions } from './message-list';
import { HeaderActions } from './header-actions';
import { plainText } from '@/lib/plain-text';
import { Icon, INFO_ICON } from '@/components/icons/icon';

// Opened on demand (Group info): loaded on first use, off the chat page's first load.
const GroupInfoPanel = dynamic(
  () => import('@/components/groups/group-info-panel').then((m) => m.GroupInfoPanel),
  { ssr: false },
);
// The header's notification level menu: its own chunk (the chat's first load stays within its budget).
const NotificationLevelControl = dynamic(
  () =>
    import('@/components/notifications/notification-level-control').then(
      (m) => m.NotificationLevelControl,
    ),
  { ssr: false, loading: () => <span className="level-control" aria-hidden="true" /> },
);

/**
 * The right-hand pane for one conversation: header (with a back link on narrow screens), history and
 * composer. A deep link to a conversation missing from the loaded list fetches it; one the person may not
 * see shows "not found" (the API answers the same for missing and forbidden).
 */
export function MessagePane({
  conversationId,
  selfId,
}: {
  conversationId: string;
  selfId: string;
}) {
  const client = useChat();
  const conversation = useConversations((s) => s.byId[conversationId]);
  const [fetchError, setFetchError] = useState<ApiError | Error | null>(null);
  const [infoOpen, setInfoOpen] = useState(false);
  const [reporting, setReporting] = useState(false);
  const openProfile = useOpenProfile();
  const uploads = useAttachmentUploads(conversationId);
  const [dragging, setDragging] = useState(false);
  const holding = useStore(client.heldSends, (s) => (s[conversationId] ?? 0) > 0);
  const jump = useStore(client.jumps, (s) =>
    s.target?.conversationId === conversationId ? s.target : null,
  );
  const drafts = useDraftsStore();
  const draftsReady = useDrafts((s) => s.userId === selfId);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  // Where the focus goes when the inline editor closes: back to the composer when Up arrow opened it there.
  const editFrom = useRef<'composer' | 'message'>('message');
  const send = useCallback(
    (body: string, attachments: Promise<HandedOffUploads> | null) => {
      drafts.clear(conversationId);
      const quote = replyTo ? quoteOf(replyTo) : undefined;
      setReplyTo(null);
      if (attachments) client.sendAfterUploads(conversationId, body, attachments, quote);
      else client.send(conversationId, body, [], quote);
    },
    [client, conversationId, drafts, replyTo],
  );
  const setEditing = useCallback((messageId: string | null) => {
    setEditingId((current) => {
      if (messageId === null && current !== null) {
        const from = editFrom.current;
        requestAnimationFrame(() => {
          const target =
            from === 'composer'
              ? document.getElementById('composer-input')
              : document.querySelector<HTMLElement>(`[data-message-id="${current}"]`);
          target?.focus();
        });
      }
      return messageId;
    });
    if (messageId !== null) editFrom.current = 'message';
  }, []);
  const paneActions = useMemo<PaneActions>(
    () => ({
      editingId,
      setEditing,
      reply: (message) => {
        setReplyTo(message);
        requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
      },
    }),
    [editingId, setEditing],
  );
  /** Up arrow in the empty composer: edit my newest text message that is not deleted. */
  const editLast = useCallback((): boolean => {
    const thread = client.messages.getState().threads[conversationId];
    if (!thread) return false;
    for (let i = thread.messages.length - 1; i >= 0; i -= 1) {
      const m = withPendingActions(thread.messages[i]!, thread.actions, selfId);
      if (m.senderId !== selfId || m.kind !== 'text' || isDeleted(m)) continue;
      setEditingId(m.id);
      editFrom.current = 'composer';
      return true;
    }
    return false;
  }, [client, conversationId, selfId]);
  useReadReceipts(conversationId);
  const blocked = usePrivacy((s) => s.blocked);

  useEffect(() => {
    client.conversations.getState().setActive(conversationId);
    return () => client.conversations.getState().setActive(null);
  }, [client, conversationId]);

  // Set once the conversation was in the list (the pane is keyed by its id). If it leaves the list while open
  // (declined or blocked here, removed on another device), it is gone for this person: asking the API would 404.
  const [wasListed, setWasListed] = useState(false);
  if (conversation && !wasListed) setWasListed(true);

  useEffect(() => {
    if (conversation || wasListed) return;
    let cancelled = false;
    client.conversations
      .getState()
      .fetchOne(conversationId)
      .catch((error: unknown) => {
        if (!cancelled)
          setFetchError(error instanceof Error ? error : new Error(describeError(error)));
      });
    return () => {
      cancelled = true;
    };
  }, [client, conversationId, conversation, wasListed]);

  if (!conversation && wasListed) {
    return (
      <section className="pane-empty" aria-label="Conversation">
        <Link href="/c" className="button subtle back-link">
          ← Conversations
        </Link>
        <p role="status">This conversation is no longer in your list.</p>
      </section>
    );
  }
  if (!conversation) {
    const notFound =
      fetchError instanceof ApiError &&
      (fetchError.code === ErrorCode.CONVERSATION_NOT_FOUND ||
        fetchError.code === ErrorCode.NOT_FOUND);
    return (
      <section className="pane-empty" aria-label="Conversation">
        <Link href="/c" className="button subtle back-link">
          ← Conversations
        </Link>
        {fetchError ? (
          <p role="alert">
            {notFound
              ? 'This conversation does not exist or you are not a member.'
              : describeError(fetchError)}
          </p>
        ) : (
          <p>Loading conversation…</p>
        )}
      </section>
    );
  }

  const title = conversationTitle(conversation, selfId);
  const other = conversation.type === 'direct' ? otherMember(conversation, selfId) : null;
  const iBlocked = other !== null && blocked.some((b) => b.user.id === other.id);
  return (
    <section
      className={`pane-content${dragging ? ' dragging' : ''}${infoOpen && conversation.type === 'group' ? ' has-panel' : ''}`}
      aria-labelledby="pane-title"
      data-testid="conversation-drop-zone"
      onDragOver={(e) => {
        if (conversation.status === 'left' || !e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        if (conversation.status === 'left' || e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        uploads.add(e.dataTransfer.files);
      }}
    >
      <div className="pane-main">
        <header className="pane-header">
          <Link href="/c" className="icon-button back-button" aria-label="Back to conversations">
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path d="M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z" fill="currentColor" />
            </svg>
          </Link>
          {other && openProfile ? (
            // The title's button is the keyboard's way to the profile; the picture is a second target for pointers.
            <button
              type="button"
              className="avatar-button person-avatar"
              tabIndex={-1}
              aria-label={`View profile: ${other.displayName}`}
              data-target-key="pane-person"
              onClick={(e) => openProfile(other, e.currentTarget)}
            >
              <PresenceAvatar
                id={conversationAvatarId(conversation, selfId)}
                name={title}
                url={conversationAvatarUrl(conversation, selfId)}
                size={36}
                presenceUserId={other.id}
              />
            </button>
          ) : (
            <PresenceAvatar
              id={conversationAvatarId(conversation, selfId)}
              name={title}
              url={conversationAvatarUrl(conversation, selfId)}
              size={36}
              presenceUserId={other?.id ?? null}
            />
          )}
          <div className="pane-title-block">
            <h1 id="pane-title" className="pane-title">
              {other ? (
                <PersonName
                  user={other}
                  className="pane-title-button"
                  testId="pane-title-person"
                  equivalentTarget="pane-person"
                >
                  {title}
                </PersonName>
              ) : (
                title
              )}
            </h1>
            {other ? (
              other.accountState ? (
                <p className="pane-subtitle" data-testid="account-state">
                  {other.accountState === 'deleted' ? 'Deleted account' : 'Deactivated account'}
                </p>
              ) : (
                <PresenceLine
                  conversation={conversation}
                  selfId={selfId}
                  fallback={`@${other.username}`}
                />
              )
            ) : (
              <p className="pane-subtitle" data-testid="member-count">
                {conversation.status === 'left'
                  ? 'You left this group'
                  : `${conversation.members.length} members`}
              </p>
            )}
            {other || conversation.status === 'left' ? null : (
              <PresenceLine conversation={conversation} selfId={selfId} fallback="" />
            )}
          </div>
          <HeaderActions key={conversation.id}>
            {(done) => (
              <>
                {other && conversation.status === 'active' ? (
                  <BlockButton other={other} onDone={done} />
                ) : null}
                {other && !other.accountState ? (
                  <button
                    type="button"
                    className="button subtle small"
                    onClick={() => setReporting(true)}
                    aria-label={`Report ${other.displayName}`}
                    data-testid="report-person"
                  >
                    Report
                  </button>
                ) : null}
                <NotificationLevelControl conversation={conversation} />
              </>
            )}
          </HeaderActions>
          {conversation.type === 'group' ? (
            <button
              type="button"
              className="button subtle small pane-info-button"
              aria-expanded={infoOpen}
              onClick={() => setInfoOpen((open) => !open)}
              title="Group info"
            >
              <Icon d={INFO_ICON} />
              <span className="button-label">Group info</span>
            </button>
          ) : null}
        </header>
        {reporting && other ? (
          <ReportDialog
            subject={`Report ${other.displayName}`}
            send={(reason) => reportPerson(client.api, other.id, reason)}
            onClose={() => setReporting(false)}
          />
        ) : null}
        <MessageList
          // A new jump places the view afresh.
          key={jump?.nonce ?? 0}
          conversation={conversation}
          selfId={selfId}
          highlightSeq={jump?.seq ?? null}
          pane={paneActions}
        />
        {conversation.status === 'left' ? (
          <p className="left-banner" role="status" data-testid="left-banner">
            You are no longer a member of this group. You can read the messages up to when you left.
          </p>
        ) : other && iBlocked ? (
          <BlockedBanner other={other} />
        ) : other?.accountState ? (
          // The server refuses messages to a deactivated or deleted account (CONTACT_UNAVAILABLE); say so instead of
          // offering a composer whose sends would fail. A reactivation (user:updated) brings the composer back.
          <p className="left-banner" role="status" data-testid="account-gone-banner">
            {other.accountState === 'deleted'
              ? 'This account was deleted. You can read your messages, but not send new ones.'
              : `${other.displayName}'s account is deactivated. You can read your messages, but not send new ones.`}
          </p>
        ) : (
          <>
            {conversation.pending ? (
              <RequestBar conversation={conversation} selfId={selfId} />
            ) : null}
            <TypingLine conversation={conversation} selfId={selfId} />
            <Composer
              // Remounted once the drafts are loaded, so it starts from this conversation's draft.
              key={draftsReady ? 'draft' : 'loading'}
              initialText={draftsReady ? drafts.get(conversationId) : ''}
              onTextChange={(text) => drafts.update(conversationId, text)}
              disabled={!draftsReady}
              focusOnOpen
              onSend={send}
              holding={holding}
              uploads={uploads}
              onTyping={(typing) => client.typing(conversation.id, typing)}
              replyTo={
                replyTo
                  ? {
                      name:
                        replyTo.senderId === selfId
                          ? 'yourself'
                          : (conversationPeople(conversation).get(replyTo.senderId)?.displayName ??
                            'a former member'),
                      text: plainText(quoteOf(replyTo).snippet) || 'Attachment',
                    }
                  : null
              }
              onCancelReply={() => setReplyTo(null)}
              onEditLast={editLast}
              {...(conversation.type === 'group'
                ? {
                    mentionable: {
                      members: conversation.members,
                      selfId,
                      allowAll: conversation.members.some(
                        (m) => m.user.id === selfId && m.role === 'admin',
                      ),
                    },
                  }
                : {})}
            />
          </>
        )}
      </div>
      {infoOpen && conversation.type === 'group' ? (
        <GroupInfoPanel
          conversation={conversation}
          selfId={selfId}
          onClose={() => setInfoOpen(false)}
        />
      ) : null}
    </section>
  );
}
