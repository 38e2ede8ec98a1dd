import type { PublicUser, SelfUser } from '@chat/shared';
import type { UserRecord } from '../storage/storage.types.js';

/** What anyone signed in may see of a person: never the password hash or timestamps of changes. */
export function toPublicUser(user: UserRecord): PublicUser {
  const accountState = user.deletedAt ? 'deleted' : user.deactivatedAt ? 'deactivated' : null;
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    ...(accountState ? { accountState } : {}),
  };
}

/**
 * The signed-in person's own profile.
 * @param instanceAdmin whether they are an instance administrator (InstanceAdmins.isAdmin)
 */
export function toSelfUser(user: UserRecord, instanceAdmin: boolean): SelfUser {
  return { ...toPublicUser(user), createdAt: user.createdAt.toISOString(), instanceAdmin };
}
