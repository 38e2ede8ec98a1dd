import type { PublicUser, SelfUser } from '@chat/shared';
import type { UserRecord } from '../storage/storage.types.js';

/** What anyone signed in may see of a person: never the password hash or timestamps of changes. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
  };
}

/** The signed-in person's own profile. */
export function toSelfUser(user: UserRecord): SelfUser {
  return { ...toPublicUser(user), createdAt: user.createdAt.toISOString() };
}
