import { LIMITS, type Message, type Reaction, type ReplyQuote } from '@chat/shared';

/**
 * A change to a stored message that the signed-in person made and the server has not confirmed yet: shown at once
 * (optimistic), kept in the action outbox (IndexedDB) until acknowledged, dropped (rolled back) when refused.
 */
export type MessageAction =
  | { kind: 'edit'; body: string }
  | { kind: 'delete' }
  | { kind: 'react'; emoji: string; add: boolean };

/** A MessageAction with what identifies and orders it. */
export type PendingAction = MessageAction & {
  /** Made by the client; names the action in the outbox (the server's idempotency comes from set semantics). */
  actionId: string;
  conversationId: string;
  messageId: string;
  /** Local clock (ISO 8601): shown as the edit or deletion time until the server's view arrives. */
  createdAt: string;
  /** Queue position: actions are sent, and shown, in this order (strictly increasing per browser). */
  order: number;
};

/** Whether `message` is a tombstone (deleted for everyone). */
export function isDeleted(message: Pick<Message, 'deletedAt'>): boolean {
  return message.deletedAt !== null;
}

/**
 * `reactions` with `userId`'s reaction `emoji` added or removed, with set semantics: adding one they already have
 * or removing one they do not have returns the same array. A new emoji goes last (the server lists them earliest
 * first); an emoji nobody keeps disappears.
 */
export function toggleReaction(
  reactions: readonly Reaction[],
  emoji: string,
  userId: string,
  add: boolean,
): Reaction[] {
  const index = reactions.findIndex((r) => r.emoji === emoji);
  const current = index >= 0 ? reactions[index]! : null;
  const has = current?.userIds.includes(userId) ?? false;
  if (add === has) return reactions as Reaction[];
  if (add) {
    if (!current) return [...reactions, { emoji, count: 1, userIds: [userId] }];
    const userIds = [...current.userIds, userId];
    return reactions.map((r, i) => (i === index ? { emoji, count: userIds.length, userIds } : r));
  }
  const userIds = current!.userIds.filter((id) => id !== userId);
  if (userIds.length === 0) return reactions.filter((_, i) => i !== index);
  return reactions.map((r, i) => (i === index ? { emoji, count: userIds.length, userIds } : r));
}

/**
 * The message as the signed-in person should see it with their unconfirmed actions on it, in queue order. An action
 * that could not apply (an edit or reaction on a tombstone) is skipped, as the server will refuse it. Returns
 * `message` itself when nothing changes, so memoised rows stay put.
 */
export function withPendingActions(
  message: Message,
  actions: readonly PendingAction[],
  selfId: string,
): Message {
  let view = message;
  for (const action of actions) {
    if (action.messageId !== message.id || isDeleted(view)) continue;
    switch (action.kind) {
      case 'edit':
        if (action.body !== view.body)
          view = { ...view, body: action.body, editedAt: action.createdAt };
        break;
      case 'delete':
        view = {
          ...view,
          body: '',
          attachments: [],
          reactions: [],
          deletedAt: action.createdAt,
          deletedBy: view.senderId === selfId ? 'author' : 'admin',
        };
        break;
      case 'react': {
        const reactions = toggleReaction(view.reactions, action.emoji, selfId, action.add);
        if (reactions !== view.reactions) view = { ...view, reactions };
        break;
      }
    }
  }
  return view;
}

/**
 * `messages` with the pending actions applied (see withPendingActions) and the quotes of replies following the
 * originals as shown (an optimistic edit or deletion shows in the replies to it too). The same array when there
 * are no actions.
 */
export function applyPendingActions(
  messages: readonly Message[],
  actions: readonly PendingAction[],
  selfId: string,
): Message[] {
  if (actions.length === 0) return messages as Message[];
  const targets = new Set(actions.map((a) => a.messageId));
  const changed = new Map<string, Message>();
  const out = messages.map((m) => {
    if (!targets.has(m.id)) return m;
    const view = withPendingActions(m, actions, selfId);
    if (view !== m) changed.set(m.id, view);
    return view;
  });
  if (changed.size === 0) return messages as Message[];
  return out.map((m) => {
    const original = m.replyTo ? changed.get(m.replyTo.messageId) : undefined;
    return original ? { ...m, replyTo: quoteOf(original) } : m;
  });
}

/**
 * A reply's quote of `original` as it is now: its sender, seq, and the start of its body (at most
 * LIMITS.REPLY_SNIPPET_MAX code points, white space folded, "…" when cut), or deleted. The server makes the same
 * quote when it answers; the client makes it for pending replies and when an original changes live.
 */
export function quoteOf(original: Message): ReplyQuote {
  const deleted = isDeleted(original);
  const text = deleted ? '' : original.body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  const snippet =
    chars.length > LIMITS.REPLY_SNIPPET_MAX
      ? `${chars.slice(0, LIMITS.REPLY_SNIPPET_MAX).join('')}…`
      : text;
  return {
    messageId: original.id,
    seq: original.seq,
    senderId: original.senderId,
    snippet,
    deleted,
  };
}

/** Whether `incoming` is a newer view of the message `held` than `held` (higher changeSeq). */
export function isNewerView(held: Message, incoming: Message): boolean {
  return incoming.changeSeq > held.changeSeq;
}

/**
 * Merges changed messages (live `message:updated`, a changes page, an action's ack) into a seq-ordered thread:
 * each held message with a newer view is replaced, and replies quoting a changed message get its new quote (from a
 * newer view of a held original, or any view of one not held). Messages not held are not added (their page brings them as they are when it loads). Returns `messages` itself when nothing
 * changed.
 */
export function mergeChanges(messages: readonly Message[], changes: readonly Message[]): Message[] {
  if (changes.length === 0 || messages.length === 0) return messages as Message[];
  const newest = new Map<string, Message>();
  for (const c of changes) {
    const seen = newest.get(c.id);
    if (!seen || isNewerView(seen, c)) newest.set(c.id, c);
  }
  let changed = false;
  const replaced = messages.map((m) => {
    const incoming = newest.get(m.id);
    if (!incoming) return m;
    // An older view of a held message says nothing new, to it or to the quotes of replies to it.
    if (!isNewerView(m, incoming)) {
      newest.delete(m.id);
      return m;
    }
    changed = true;
    return incoming;
  });
  const out = replaced.map((m) => {
    const original = m.replyTo ? newest.get(m.replyTo.messageId) : undefined;
    if (!original || !m.replyTo) return m;
    const quote = quoteOf(original);
    if (quote.snippet === m.replyTo.snippet && quote.deleted === m.replyTo.deleted) return m;
    changed = true;
    return { ...m, replyTo: quote };
  });
  return changed ? out : (messages as Message[]);
}
