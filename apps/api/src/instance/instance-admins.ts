import { Injectable } from '@nestjs/common';
import { ErrorCode, type RegistrationMode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { InstanceRepository, type InviteRecord } from '../storage/instance.repository.js';
import type { UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';

/**
 * Who administers the instance, and who may register. The one place both rules live:
 * - administrators: the usernames in INSTANCE_ADMINS when it is set; otherwise the first account ever created
 *   (recorded atomically by InstanceRepository.claimFirstUser). A deactivated or deleted account is never one.
 * - registration: the mode chosen in the admin page (stored), else REGISTRATION_MODE; the very first account may
 *   always register, whatever the mode, so a fresh instance can get its administrator.
 */
@Injectable()
export class InstanceAdmins {
  /** The first account never changes once recorded: remembered after the first read that finds it. */
  private firstUserId: string | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly instance: InstanceRepository,
    private readonly users: UsersRepository,
  ) {}

  /** True when `user` is an instance administrator now. */
  async isAdmin(user: UserRecord): Promise<boolean> {
    if (user.deactivatedAt || user.deletedAt) return false;
    if (this.config.instanceAdmins.length > 0) {
      return this.config.instanceAdmins.includes(user.username.toLowerCase());
    }
    return user.id === (await this.firstUser());
  }

  /**
   * Resolves with the caller's record when they are an instance administrator.
   * @throws AppError INSTANCE_ADMIN_REQUIRED (403) otherwise; UNAUTHENTICATED when the account is gone
   */
  async requireAdmin(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
    if (!(await this.isAdmin(user))) {
      throw new AppError(
        ErrorCode.INSTANCE_ADMIN_REQUIRED,
        'Only instance administrators can do that.',
      );
    }
    return user;
  }

  /** The registration mode in force and where it comes from. */
  async registrationMode(): Promise<{ mode: RegistrationMode; source: 'env' | 'admin' }> {
    const settings = await this.instance.getSettings();
    return settings.registrationMode
      ? { mode: settings.registrationMode, source: 'admin' }
      : { mode: this.config.registrationMode, source: 'env' };
  }

  /**
   * Decides whether a registration may go ahead, taking one use of the invite when the mode is invite-only.
   * @returns the invite used (give it back with `releaseInvite` if the registration then fails), or null
   * @throws AppError REGISTRATION_CLOSED (mode closed); INVITE_INVALID (invite-only, and the token is missing,
   *   unknown, expired, revoked or used up)
   */
  async admitRegistration(inviteToken: string | undefined): Promise<InviteRecord | null> {
    if ((await this.firstUser()) === null) return null;
    const { mode } = await this.registrationMode();
    if (mode === 'open') return null;
    if (mode === 'closed') {
      throw new AppError(ErrorCode.REGISTRATION_CLOSED, 'Registration is closed on this server.');
    }
    const invite = inviteToken ? await this.instance.consumeInvite(inviteToken, new Date()) : null;
    if (!invite) {
      throw new AppError(
        ErrorCode.INVITE_INVALID,
        inviteToken
          ? 'This invite link is not valid (expired, revoked or used up).'
          : 'Registration needs an invite link on this server.',
      );
    }
    return invite;
  }

  /** Gives back the invite use of a registration that failed after admitRegistration. */
  async releaseInvite(invite: InviteRecord | null): Promise<void> {
    if (invite) await this.instance.releaseInvite(invite.id);
  }

  /** After an account was created: records it as the first account if it is. */
  async registered(user: UserRecord): Promise<void> {
    if (this.firstUserId !== null) return;
    if (await this.instance.claimFirstUser(user.id)) this.firstUserId = user.id;
  }

  private async firstUser(): Promise<string | null> {
    if (this.firstUserId === null) {
      this.firstUserId = (await this.instance.getSettings()).firstUserId;
    }
    return this.firstUserId;
  }
}
