import { describeSystemEvent, type ConversationSummary, type Message } from '@chat/shared';
import { conversationPeople } from './people';

/** How a system message names someone who is no longer in the member list (the client knows no name for them). */
const UNKNOWN_NAME = 'Someone';

/**
 * The text of a system message as the viewer should read it: rendered from `message.system` with the names known
 * now ("You" for the viewer, current display names of members and former members). When someone mentioned is
 * unknown to the client (an account since deleted), the server's stored `body` is used instead, unless the
 * viewer is mentioned too: the viewer is always "You", so the unknown person is then called "Someone". An event
 * type newer than this client also falls back to `body`.
 */
export function systemText(
  message: Message,
  conversation: ConversationSummary,
  selfId: string,
): string {
  const event = message.system;
  if (!event) return message.body;
  const people = conversationPeople(conversation);
  let missing = false;
  let mentionsSelf = false;
  if (event.type === 'admin_granted' && event.actorId === null && event.userId === selfId)
    return 'You are now an admin';
  const nameOf = (id: string | null): string => {
    // The actor always starts the sentence; anyone else is mid-sentence.
    if (id === selfId) {
      mentionsSelf = true;
      return id === event.actorId ? 'You' : 'you';
    }
    const name = id === null ? undefined : people.get(id)?.displayName;
    if (name === undefined) missing = true;
    return name ?? UNKNOWN_NAME;
  };
  try {
    const text = describeSystemEvent(event, nameOf);
    return missing && !mentionsSelf ? message.body : text;
  } catch {
    return message.body; // an event type newer than this client
  }
}
