'use client';

import type { HTMLAttributes, ReactNode, Ref } from 'react';
import type { Attachment, PublicUser } from '@chat/shared';
import { fullDateTime, timeOfDay } from '@/lib/format';
import { Avatar } from '@/components/avatar/avatar';
import { PersonAvatar, PersonName } from '@/components/profile/user-profile';
import { MessageAttachments } from '@/components/attachments/message-attachments';
import { ReceiptTicks, type ReceiptState } from '@/components/live/receipt-ticks';
import { MessageText } from './message-text';

export interface BubbleProps {
  body: string;
  time: string;
  own: boolean;
  status: 'sent' | 'pending' | 'failed';
  /**
   * The sender, shown (name and avatar) on the first of a run of others' messages in a group. With `user` (a
   * person the client knows), the name and avatar open their profile.
   */
  sender?: { id: string; name: string; avatarUrl?: string | null; user?: PublicUser | null } | null;
  /** Files sent with the message: images as a thumbnail grid, others as cards. */
  attachments?: Attachment[];
  /** In a group, others' messages leave room for the avatar column so a run lines up. */
  grouped?: boolean;
  error?: string | null;
  seq?: number;
  /** Own stored messages: sent, delivered or read (from the other members' watermarks). */
  receipt?: ReceiptState | undefined;
  /** Groups, on the latest own message: how many other members have read it. */
  seenBy?: number | undefined;
  onRetry?: () => void;
  /** Lower-case usernames (and `all`) this message mentions: their `@name` is highlighted in the text. */
  mentionNames?: readonly string[];
  /** The message mentions the reader: the bubble is marked. */
  mentionsMe?: boolean;
  /** A reply's quote of the message it answers, shown above the text. */
  quote?: ReactNode;
  /** A copy forwarded from another message: marked "Forwarded". */
  forwarded?: boolean;
  /** Deleted for everyone: the bubble is a tombstone ("deleted by an admin" when an admin did it). */
  deletedBy?: 'author' | 'admin' | null;
  /** Last edit time (ISO 8601): an "edited" label whose title gives the time. */
  editedAt?: string | null;
  /** Replaces the text while the message is being edited. */
  editor?: ReactNode;
  /** Reaction chips under the bubble. */
  reactions?: ReactNode;
  /** The hover button that opens the message's action menu (placed beside the bubble). */
  actions?: ReactNode;
  /** Briefly highlighted (a reply's quote was followed to it). */
  highlighted?: boolean;
  /** Attributes of the message's root (focus, keys, long-press), and its element. */
  rootProps?: HTMLAttributes<HTMLDivElement>;
  rootRef?: Ref<HTMLDivElement>;
}

/** One message. Own messages sit on the right and show sending -> sent, or failed with a retry button. */
export function MessageBubble({
  body,
  time,
  own,
  status,
  sender,
  grouped = false,
  error,
  seq,
  receipt,
  seenBy,
  onRetry,
  attachments,
  mentionNames,
  mentionsMe = false,
  quote,
  forwarded = false,
  deletedBy = null,
  editedAt = null,
  editor,
  reactions,
  actions,
  highlighted = false,
  rootProps,
  rootRef,
}: BubbleProps) {
  const ticks: ReceiptState = receipt ?? status;
  const deleted = deletedBy !== null;
  return (
    <div
      {...rootProps}
      ref={rootRef}
      className={`message ${own ? 'own' : 'theirs'} ${status}${grouped ? ' grouped' : ''}${mentionsMe ? ' mentions-me' : ''}${deleted ? ' deleted' : ''}${highlighted ? ' highlighted' : ''}${editor ? ' editing' : ''}`}
      data-testid="message"
      data-own={own ? 'true' : 'false'}
      data-status={status}
      data-receipt={own ? ticks : undefined}
      data-seq={seq}
    >
      {grouped ? (
        <span className="message-avatar">
          {sender?.user ? (
            <PersonAvatar user={sender.user} size={28} targetKey={`sender-${seq ?? ''}`} />
          ) : sender ? (
            <Avatar id={sender.id} name={sender.name} size={28} url={sender.avatarUrl ?? null} />
          ) : null}
        </span>
      ) : null}
      <div className="bubble-line">
        <div className="bubble">
          {sender ? (
            <div className="bubble-sender" data-testid="message-sender">
              {sender.user ? (
                <PersonName user={sender.user} equivalentTarget={`sender-${seq ?? ''}`}>
                  {sender.name}
                </PersonName>
              ) : (
                sender.name
              )}
            </div>
          ) : null}
          {forwarded && !deleted ? (
            <div className="bubble-forwarded" data-testid="forwarded">
              <svg viewBox="0 0 24 24" width="13" height="13" aria-hidden="true">
                <path d="M14 5v4C7 10 4 15 3 20c2.5-3.5 6-5.1 11-5.1V19l7-7z" fill="currentColor" />
              </svg>
              Forwarded
            </div>
          ) : null}
          {quote}
          {deleted ? (
            <p className="bubble-tombstone" data-testid="tombstone">
              {deletedBy === 'admin'
                ? 'This message was deleted by an admin'
                : 'This message was deleted'}
            </p>
          ) : editor ? (
            editor
          ) : (
            <>
              {attachments && attachments.length > 0 ? (
                <MessageAttachments attachments={attachments} />
              ) : null}
              {body !== '' ? <MessageText body={body} mentionNames={mentionNames} /> : null}
            </>
          )}
          <div className="bubble-meta">
            {editedAt && !deleted ? (
              <span
                className="bubble-edited"
                data-testid="edited"
                title={`Edited ${fullDateTime(editedAt)}`}
              >
                edited
              </span>
            ) : null}
            <time dateTime={time} title={fullDateTime(time)}>
              {timeOfDay(time)}
            </time>
            {own ? <ReceiptTicks state={ticks} /> : null}
          </div>
        </div>
        {actions}
      </div>
      {reactions}
      {seenBy ? (
        <div className="seen-by" data-testid="seen-by">
          Seen by {seenBy}
        </div>
      ) : null}
      {status === 'failed' ? (
        <div className="message-failed" role="alert">
          <span>{error ?? 'Not sent.'}</span>
          <button type="button" className="button subtle small" onClick={onRetry}>
            Retry
          </button>
        </div>
      ) : null}
    </div>
  );
}
