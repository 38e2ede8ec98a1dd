import type { GroupAddPolicy, LastSeenVisibility } from '@chat/shared';
import type { RecordPage, UserRecord } from './storage.types.js';

export interface CreateUserInput {
  username: string;
  displayName: string;
  passwordHash: string;
}

export interface SearchUsersInput {
  /** Prefix of the username or of any word of the display name, case-insensitive; empty lists everyone. */
  query: string;
  /** Left out of the results (usually the caller). */
  excludeUserId?: string;
  /** Opaque cursor from the previous page. */
  cursor?: string | null;
  /** 1..LIMITS.USER_SEARCH_PAGE_MAX. */
  limit: number;
  /**
   * `directory` (default): active accounts only (no deactivated or deleted ones). `admin`: active and
   * deactivated accounts (deleted ones never appear).
   */
  scope?: 'directory' | 'admin';
}

/** The display name of a deleted account's tombstone. */
export const DELETED_DISPLAY_NAME = 'Deleted account';

/**
 * The username a deleted account's tombstone takes: `~deleted~<id>`. `~` is outside USERNAME_PATTERN, so no
 * registration can ever take or clash with it, and the person's own username is free again.
 */
export function deletedUsername(id: string): string {
  return `~deleted~${id}`;
}

/**
 * Port for people. Usernames are unique case-insensitively; results are ordered by lower-cased username, then id.
 */
export abstract class UsersRepository {
  /** @throws UniqueViolationError('username') when the username is taken in any letter case. */
  abstract create(input: CreateUserInput): Promise<UserRecord>;
  abstract findById(id: string): Promise<UserRecord | null>;
  /** Case-insensitive lookup. */
  abstract findByUsername(username: string): Promise<UserRecord | null>;
  /** Users with these ids, in no particular order; unknown ids are left out. */
  abstract findManyByIds(ids: readonly string[]): Promise<UserRecord[]>;
  abstract search(input: SearchUsersInput): Promise<RecordPage<UserRecord>>;
  /** @returns the updated user, or null when it does not exist. */
  abstract updateProfile(
    id: string,
    changes: { displayName?: string; avatarUrl?: string | null },
  ): Promise<UserRecord | null>;
  /**
   * Changes privacy settings (only the given ones; updatedAt too). @returns the user, or null when it does not exist.
   */
  abstract updatePrivacy(
    id: string,
    changes: { lastSeenVisibility?: LastSeenVisibility; groupAddPolicy?: GroupAddPolicy },
  ): Promise<UserRecord | null>;
  /** Records when the person's last connection closed (presence). No-op for an unknown id. */
  abstract setLastSeen(id: string, at: Date): Promise<void>;
  /**
   * Switches an account off (`at`) or back on (null); updatedAt moves. A deactivation keeps an earlier
   * deactivation time.
   * @returns the updated user, or null when there is no such user or it is deleted.
   */
  abstract setDeactivated(id: string, at: Date | null): Promise<UserRecord | null>;
  /**
   * Turns the account into a tombstone in one atomic write: username `deletedUsername(id)` (the old one is free
   * again), display name DELETED_DISPLAY_NAME, password hash '!' (no bcrypt hash: no password verifies against it), no picture,
   * deactivatedAt null, deletedAt `at`. Deleting again changes nothing.
   * @returns the tombstone, or null when there is no such user.
   */
  abstract markDeleted(id: string, at: Date): Promise<UserRecord | null>;
}
