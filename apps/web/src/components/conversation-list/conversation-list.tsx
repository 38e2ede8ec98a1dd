'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import { toast } from 'sonner';
import { describeError } from '@/lib/api-client';
import {
  conversationAvatarId,
  conversationTitle,
  fullDateTime,
  otherMember,
  relativeTime,
} from '@/lib/format';
import { conversationPreview } from '@/lib/preview';
import { matchesConversationFilter } from '@/lib/conversation-filter';
import { useChat, useConversations, useDrafts } from '@/components/providers/chat-provider';
import { PresenceAvatar } from '@/components/live/presence-avatar';
import { useNow } from '@/components/live/use-live';
import { conversationAvatarUrl } from '@/lib/media';
import { moveThroughList } from '@/lib/focus';

/**
 * The conversation list, most recent activity first, with previews, times and unread badges, and a field above it
 * that filters the loaded conversations by name (Escape clears it). Message requests and group invitations the
 * person has not accepted are listed apart, first, under "Requests".
 */
export function ConversationList({
  activeId,
  selfId,
}: {
  activeId: string | null;
  selfId: string;
}) {
  const { conversations } = useChat();
  const order = useConversations((s) => s.order);
  const byId = useConversations((s) => s.byId);
  const status = useConversations((s) => s.status);
  const nextCursor = useConversations((s) => s.nextCursor);
  const now = useNow(30_000);
  const drafts = useDrafts((s) => s.byConversation);
  const [filter, setFilter] = useState('');
  const filterId = useId();

  if (status === 'loading' && order.length === 0) {
    return <p className="list-note">Loading conversations…</p>;
  }
  if (status === 'error' && order.length === 0) {
    return (
      <div className="list-note">
        <p>Could not load your conversations.</p>
        <button
          type="button"
          className="button"
          onClick={() =>
            conversations
              .getState()
              .load()
              .catch((e: unknown) => toast.error(describeError(e)))
          }
        >
          Try again
        </button>
      </div>
    );
  }
  if (order.length === 0) {
    return <p className="list-note">No conversations yet. Start one with “New chat”.</p>;
  }
  const shown = order.filter((id) => {
    const c = byId[id];
    if (!c) return false;
    const other = c.type === 'direct' ? otherMember(c, selfId) : null;
    return matchesConversationFilter(filter, [
      conversationTitle(c, selfId),
      ...(other ? [other.username] : []),
    ]);
  });
  const renderItem = (id: string) => {
    const c = byId[id];
    if (!c) return null;
    const title = conversationTitle(c, selfId);
    const active = id === activeId;
    return (
      <li key={id}>
        <Link
          href={`/c/${id}`}
          className="conversation-item"
          aria-current={active ? 'page' : undefined}
          data-testid="conversation-item"
        >
          <PresenceAvatar
            id={conversationAvatarId(c, selfId)}
            name={title}
            url={conversationAvatarUrl(c, selfId)}
            presenceUserId={c.type === 'direct' ? (otherMember(c, selfId)?.id ?? null) : null}
          />
          <span className="conversation-text">
            <span className="conversation-top">
              <span className="conversation-title">{title}</span>
              <time
                className="conversation-time"
                dateTime={c.lastActivityAt}
                title={fullDateTime(c.lastActivityAt)}
              >
                {relativeTime(c.lastActivityAt, now)}
              </time>
            </span>
            <span className="conversation-bottom">
              {drafts[id] && !active ? (
                <span className="conversation-preview" data-testid="draft-preview">
                  <span className="draft-label">Draft:</span> {drafts[id].replace(/\s+/g, ' ')}
                </span>
              ) : (
                <span className="conversation-preview">{conversationPreview(c, selfId)}</span>
              )}
              {c.notificationLevel === 'none' ? (
                <span className="muted-icon" aria-label="Muted">
                  Muted
                </span>
              ) : null}
              {c.unreadMentionCount > 0 ? (
                <span
                  className="badge mention-badge"
                  aria-label={`${c.unreadMentionCount} unread ${c.unreadMentionCount === 1 ? 'mention' : 'mentions'}`}
                  data-testid="mention-badge"
                >
                  @
                </span>
              ) : null}
              {c.unreadCount > 0 ? (
                <span
                  className={`badge${c.notificationLevel === 'all' ? '' : ' muted'}`}
                  aria-label={`${c.unreadCount} unread${c.notificationLevel === 'all' ? '' : ', muted'}`}
                  data-testid="unread-badge"
                >
                  {c.unreadCount > 99 ? '99+' : c.unreadCount}
                </span>
              ) : null}
            </span>
          </span>
        </Link>
      </li>
    );
  };
  const requests = shown.filter((id) => byId[id]?.pending);
  const accepted = shown.filter((id) => !byId[id]?.pending);
  return (
    <nav
      aria-label="Conversations"
      className="conversation-nav"
      onKeyDown={(event) =>
        moveThroughList(event, document.getElementById(filterId), [
          ...event.currentTarget.querySelectorAll<HTMLElement>('.conversation-item'),
        ])
      }
    >
      <div className="conversation-filter">
        <label htmlFor={filterId} className="visually-hidden">
          Filter conversations
        </label>
        <input
          id={filterId}
          type="search"
          placeholder="Filter by name"
          autoComplete="off"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && filter) {
              e.preventDefault();
              setFilter('');
            }
          }}
        />
      </div>
      {shown.length === 0 ? (
        <p className="list-note" role="status">
          No conversation is called “{filter.trim()}”.
        </p>
      ) : null}
      {requests.length > 0 ? (
        <section className="requests" aria-labelledby={`${filterId}-requests`}>
          <h2 id={`${filterId}-requests`} className="requests-title">
            Requests <span className="requests-count">{requests.length}</span>
          </h2>
          <p className="requests-note">
            People you do not talk to yet. They do not see whether you are online or have read their
            messages until you accept.
          </p>
          <ul className="conversation-list" data-testid="request-list">
            {requests.map(renderItem)}
          </ul>
        </section>
      ) : null}
      <ul className="conversation-list">{accepted.map(renderItem)}</ul>
      {nextCursor ? (
        <button
          type="button"
          className="button subtle load-more"
          onClick={() =>
            conversations
              .getState()
              .loadMore()
              .catch((e: unknown) => toast.error(describeError(e)))
          }
        >
          Show older conversations
        </button>
      ) : null}
    </nav>
  );
}
