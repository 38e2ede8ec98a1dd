'use client';

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
}: BubbleProps) {
  const ticks: ReceiptState = receipt ?? status;
  return (
    <div
      className={`message ${own ? 'own' : 'theirs'} ${status}${grouped ? ' grouped' : ''}${mentionsMe ? ' mentions-me' : ''}`}
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
        {attachments && attachments.length > 0 ? (
          <MessageAttachments attachments={attachments} />
        ) : null}
        {body !== '' ? <MessageText body={body} mentionNames={mentionNames} /> : null}
        <div className="bubble-meta">
          <time dateTime={time} title={fullDateTime(time)}>
            {timeOfDay(time)}
          </time>
          {own ? <ReceiptTicks state={ticks} /> : null}
        </div>
      </div>
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
