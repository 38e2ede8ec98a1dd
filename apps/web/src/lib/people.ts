import type { ConversationSummary, PublicUser } from '@chat/shared';

/**
 * Everyone a conversation's history may name, by user id: its current members and its `formerMembers` (people who
 * left, or, for a viewer who left, the group as of their departure). A current member's entry wins over a former
 * one. Used wherever a message or timeline event needs a sender's or subject's name or picture.
 */
export function conversationPeople(conversation: ConversationSummary): Map<string, PublicUser> {
  const people = new Map<string, PublicUser>();
  for (const user of conversation.formerMembers ?? []) people.set(user.id, user);
  for (const member of conversation.members) people.set(member.user.id, member.user);
  return people;
}
