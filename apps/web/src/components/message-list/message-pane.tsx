'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { ErrorCode } from '@chat/shared';
import { ApiError, describeError } from '@/lib/api-client';
import type { HandedOffUploads } from '@/lib/chat-client';
import { conversationAvatarId, conversationTitle, otherMember } from '@/lib/format';
import {
  useChat,
  useConversations,
  useDrafts,
  useDraftsStore,
} from '@/components/providers/chat-provider';
import { Composer } from '@/components/composer/composer';
import { useAttachmentUploads } from '@/components/attachments/use-attachment-uploads';
import { PresenceAvatar } from '@/components/live/presence-avatar';
import { conversationAvatarUrl } from '@/lib/media';
import { PresenceLine } from '@/components/live/presence-line';
import { TypingLine } from '@/components/live/typing-line';
import { useReadReceipts } from '@/components/live/use-read-receipts';
import dynamic from 'next/dynamic';
import { MessageList } from './message-list';

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
  const uploads = useAttachmentUploads(conversationId);
  const [dragging, setDragging] = useState(false);
  const holding = useStore(client.heldSends, (s) => (s[conversationId] ?? 0) > 0);
  const jump = useStore(client.jumps, (s) =>
    s.target?.conversationId === conversationId ? s.target : null,
  );
  const drafts = useDraftsStore();
  const draftsReady = useDrafts((s) => s.userId === selfId);
  const send = useCallback(
    (body: string, attachments: Promise<HandedOffUploads> | null) => {
      drafts.clear(conversationId);
      if (attachments) client.sendAfterUploads(conversationId, body, attachments);
      else client.send(conversationId, body);
    },
    [client, conversationId, drafts],
  );
  useReadReceipts(conversationId);

  useEffect(() => {
    client.conversations.getState().setActive(conversationId);
    return () => client.conversations.getState().setActive(null);
  }, [client, conversationId]);

  useEffect(() => {
    if (conversation) return;
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
  }, [client, conversationId, conversation]);

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
  return (
    <section
      className={`pane-content${dragging ? ' dragging' : ''}`}
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
      <header className="pane-header">
        <Link href="/c" className="icon-button back-button" aria-label="Back to conversations">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z" fill="currentColor" />
          </svg>
        </Link>
        <PresenceAvatar
          id={conversationAvatarId(conversation, selfId)}
          name={title}
          url={conversationAvatarUrl(conversation, selfId)}
          size={36}
          presenceUserId={other?.id ?? null}
        />
        <div className="pane-title-block">
          <h1 id="pane-title" className="pane-title">
            {title}
          </h1>
          {other ? (
            <PresenceLine
              conversation={conversation}
              selfId={selfId}
              fallback={`@${other.username}`}
            />
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
        <NotificationLevelControl conversation={conversation} />
        {conversation.type === 'group' ? (
          <button
            type="button"
            className="button subtle small pane-info-button"
            aria-expanded={infoOpen}
            onClick={() => setInfoOpen((open) => !open)}
          >
            Group info
          </button>
        ) : null}
      </header>
      <MessageList
        // A new jump places the view afresh.
        key={jump?.nonce ?? 0}
        conversation={conversation}
        selfId={selfId}
        highlightSeq={jump?.seq ?? null}
      />
      {conversation.status === 'left' ? (
        <p className="left-banner" role="status" data-testid="left-banner">
          You are no longer a member of this group. You can read the messages up to when you left.
        </p>
      ) : (
        <>
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
