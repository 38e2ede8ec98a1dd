'use client';

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { ConversationSummary, Message } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { matchesConversationFilter } from '@/lib/conversation-filter';
import { conversationAvatarId, conversationTitle, otherMember } from '@/lib/format';
import { keepTabInside } from '@/lib/focus';
import { messageGist } from '@/lib/preview';
import { Avatar } from '@/components/avatar/avatar';
import { useChat, useConversations } from '@/components/providers/chat-provider';

/**
 * Forwards a copy of a message (text and attachments) to a conversation picked from the person's list, searched by
 * name or @username (every word, case and accents ignored). A modal <dialog>: focus trapped, Escape closes and the
 * caller puts the focus back on the message. Needs the connection (the copy is made by the server).
 */
export function ForwardDialog({
  message,
  selfId,
  onClose,
}: {
  message: Message;
  selfId: string;
  onClose: () => void;
}) {
  const client = useChat();
  const byId = useConversations((s) => s.byId);
  const order = useConversations((s) => s.order);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const searchId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    input.current?.focus();
    return () => dialog?.close();
  }, []);

  const targets = useMemo(
    () =>
      order
        .map((id) => byId[id])
        .filter((c): c is ConversationSummary => c !== undefined && c.status === 'active')
        .filter((c) => {
          const other = c.type === 'direct' ? otherMember(c, selfId) : null;
          return matchesConversationFilter(query, [
            conversationTitle(c, selfId),
            ...(other ? [`@${other.username}`] : []),
          ]);
        }),
    [order, byId, query, selfId],
  );

  async function forwardTo(targetId: string, title: string) {
    setBusy(targetId);
    setError(null);
    try {
      await client.forward(message.conversationId, message.id, targetId);
      toast.success(`Forwarded to ${title}`);
      onClose();
    } catch (e) {
      setError(`Could not forward: ${describeError(e)}`);
      setBusy(null);
    }
  }

  const gist = messageGist(message);
  return (
    <dialog
      ref={ref}
      className="modal forward-dialog"
      aria-labelledby={titleId}
      onClose={onClose}
      onKeyDown={keepTabInside}
    >
      <h2 id={titleId} className="modal-title">
        Forward message
      </h2>
      {gist ? <p className="forward-gist">{gist}</p> : null}
      <div className="field">
        <label htmlFor={searchId}>Search conversations</label>
        <input
          ref={input}
          id={searchId}
          type="search"
          value={query}
          autoComplete="off"
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            // A search field's own Escape would only clear it: here Escape closes the dialog, as everywhere else.
            if (e.key === 'Escape') {
              e.preventDefault();
              onClose();
            }
          }}
        />
      </div>
      {error ? (
        <p role="alert" className="form-error">
          {error}
        </p>
      ) : null}
      {targets.length === 0 ? (
        <p className="field-hint" role="status">
          No conversation matches.
        </p>
      ) : (
        <ul className="forward-list" aria-label="Conversations">
          {targets.map((c) => {
            const title = conversationTitle(c, selfId);
            return (
              <li key={c.id}>
                <button
                  type="button"
                  className="person forward-target"
                  disabled={busy !== null}
                  onClick={() => void forwardTo(c.id, title)}
                >
                  <Avatar id={conversationAvatarId(c, selfId)} name={title} size={32} />
                  <span className="person-name">{title}</span>
                  {busy === c.id ? <span className="person-busy">Sending…</span> : null}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="modal-actions">
        <button type="button" className="button subtle" onClick={onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
