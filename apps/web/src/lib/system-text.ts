import { describeSystemEvent, type ConversationSummary, type Message } from '@chat/shared';

/** How a system message names someone who is no longer in the member list (the client knows no name for them). */
const UNKNOWN_NAME = 'Someone';

/**
 * The text of a system message as the viewer should read it: rendered from `message.system` with the names known
 * now ("You" for the viewer, current display names of members), falling back to the server's stored `body` when
 * a person mentioned is not a current member (their name is only in the body) or the event is unknown.
 */
export function systemText(
  message: Message,
  conversation: ConversationSummary,
  selfId: string,
): string {
  const event = message.system;
  if (!event) return message.body;
  const names = new Map(conversation.members.map((m) => [m.user.id, m.user.displayName]));
  let missing = false;
  if (event.type === 'admin_granted' && event.actorId === null && event.userId === selfId)
    return 'You are now an admin';
  const nameOf = (id: string | null): string => {
    // The actor always starts the sentence; anyone else is mid-sentence.
    if (id === selfId) return id === event.actorId ? 'You' : 'you';
    const name = id === null ? undefined : names.get(id);
    if (name === undefined) missing = true;
    return name ?? UNKNOWN_NAME;
  };
  try {
    const text = describeSystemEvent(event, nameOf);
    return missing ? message.body : text;
  } catch {
    return message.body; // an event type newer than this client
  }
}
