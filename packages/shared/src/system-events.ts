/**
 * Plain-text sentences for group timeline events (SystemEvent). One implementation for both sides: the API
 * composes a system message's fallback `body` with it when it stores the message, and clients render the
 * `system` field with it using the names they know now ("You" for the viewer, current display names).
 */
import type { SystemEvent } from './models.js';

/**
 * Names people for a sentence. `null` stands for "the system" (an automatic change, e.g. the longest-standing
 * member promoted because the last admin left); return a generic word for unknown ids rather than an id.
 */
export type NameOf = (userId: string | null) => string;

/** "Ana", "Ana and Ben", "Ana, Ben and Cy" (at most `max` names, then "and N others"). */
export function joinNames(names: readonly string[], max = 5): string {
  if (names.length === 0) return 'nobody';
  if (names.length > max) {
    const rest = names.length - max + 1;
    return `${names.slice(0, max - 1).join(', ')} and ${rest} others`;
  }
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/**
 * The sentence for one event, e.g. `Ana added Ben and Cy`, `Ben left`, `Cy is now an admin`.
 * @param nameOf gives display names (the API passes stored names; the web passes "You" for the viewer)
 */
export function describeSystemEvent(event: SystemEvent, nameOf: NameOf): string {
  switch (event.type) {
    case 'group_created':
      return `${nameOf(event.actorId)} created the group “${event.title}”`;
    case 'group_renamed':
      return `${nameOf(event.actorId)} renamed the group to “${event.title}”`;
    case 'group_avatar_changed':
      return `${nameOf(event.actorId)} changed the group picture`;
    case 'members_added':
      return `${nameOf(event.actorId)} added ${joinNames(event.userIds.map((id) => nameOf(id)))}`;
    case 'member_removed':
      return `${nameOf(event.actorId)} removed ${nameOf(event.userId)}`;
    case 'member_left':
      return `${nameOf(event.actorId)} left`;
    case 'admin_granted':
      return event.actorId === null
        ? `${nameOf(event.userId)} is now an admin`
        : `${nameOf(event.actorId)} made ${nameOf(event.userId)} an admin`;
    case 'admin_revoked':
      return `${nameOf(event.actorId)} removed ${nameOf(event.userId)} as admin`;
  }
}

/** Every user id an event mentions (actor first), for fetching names in one batch. */
export function systemEventUserIds(event: SystemEvent): string[] {
  const ids: string[] = [];
  if (event.actorId !== null) ids.push(event.actorId);
  switch (event.type) {
    case 'group_created':
      ids.push(...event.memberIds);
      break;
    case 'members_added':
      ids.push(...event.userIds);
      break;
    case 'member_removed':
    case 'admin_granted':
    case 'admin_revoked':
      ids.push(event.userId);
      break;
    default:
      break;
  }
  return ids;
}
