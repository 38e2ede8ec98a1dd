import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  LIMITS,
  type AdminUserView,
  type Invite,
  type InstanceSettings,
  type Page,
  type PublicUser,
  type RegistrationMode,
  type Report,
  type ReportStatus,
} from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import {
  InstanceRepository,
  type InviteRecord,
  type ReportRecord,
} from '../storage/instance.repository.js';
import { SessionsRepository } from '../storage/sessions.repository.js';
import type { UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser } from '../users/user.mapper.js';

/** Random bytes of an invite token: 128 bits, base64url (22 characters), as OWASP asks of session-like secrets. */
const INVITE_TOKEN_BYTES = 16;

/**
 * What instance administrators do: the registration mode, invite links, switching accounts off and on, and
 * reports. Callers have passed InstanceAdminGuard; the rules about whom an action may touch live here.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly admins: InstanceAdmins,
    private readonly instance: InstanceRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly events: DomainEvents,
  ) {}

  async settings(): Promise<InstanceSettings> {
    const { mode, source } = await this.admins.registrationMode();
    return { registrationMode: mode, registrationModeSource: source };
  }

  /** Stores the mode (it wins over REGISTRATION_MODE from then on). */
  async setRegistrationMode(mode: RegistrationMode): Promise<InstanceSettings> {
    await this.instance.setRegistrationMode(mode);
    return this.settings();
  }

  /** A new invite link made by `adminId`, valid `expiresInHours` hours for `maxUses` registrations. */
  async createInvite(adminId: string, expiresInHours: number, maxUses: number): Promise<Invite> {
    const record = await this.instance.createInvite({
      token: randomBytes(INVITE_TOKEN_BYTES).toString('base64url'),
      createdBy: adminId,
      expiresAt: new Date(Date.now() + expiresInHours * 3_600_000),
      maxUses,
    });
    return (await this.toInvites([record]))[0]!;
  }

  async listInvites(query: { cursor?: string; limit?: number }): Promise<Page<Invite>> {
    const page = await this.instance.listInvites({
      cursor: query.cursor ?? null,
      limit: query.limit ?? LIMITS.ADMIN_PAGE_DEFAULT,
    });
    return { items: await this.toInvites(page.items), nextCursor: page.nextCursor };
  }

  /** @throws AppError NOT_FOUND for an unknown invite */
  async revokeInvite(id: string): Promise<Invite> {
    const record = await this.instance.revokeInvite(id, new Date());
    if (!record) throw new AppError(ErrorCode.NOT_FOUND, 'Invite not found.');
    return (await this.toInvites([record]))[0]!;
  }

  /** Every account but deleted ones (deactivated included), by username; `q` narrows as the directory does. */
  async listUsers(query: {
    q?: string;
    cursor?: string;
    limit?: number;
  }): Promise<Page<AdminUserView>> {
    const page = await this.users.search({
      query: query.q ?? '',
      scope: 'admin',
      cursor: query.cursor ?? null,
      limit: query.limit ?? LIMITS.ADMIN_PAGE_DEFAULT,
    });
    const items = await Promise.all(page.items.map((user) => this.toAdminView(user)));
    return { items, nextCursor: page.nextCursor };
  }

  /**
   * Switches an account off: it is marked deactivated, every session of it is revoked and each revocation is
   * published as `session.revoked` with ACCOUNT_DEACTIVATED (its sockets get `session:expired` with that code and
   * are cut; its access tokens stop working on REST), and people who share a conversation with it hear
   * `user:updated` with `accountState: 'deactivated'`. Sign-in is refused until it is reactivated.
   * @throws AppError USER_NOT_FOUND (unknown or deleted account); FORBIDDEN (oneself, or another instance
   *   administrator: remove them from INSTANCE_ADMINS first)
   */
  async deactivate(adminId: string, userId: string): Promise<AdminUserView> {
    const target = await this.requireTarget(userId);
    if (target.id === adminId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'You cannot deactivate your own account.');
    }
    if (await this.admins.isAdmin(target)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'An instance administrator cannot be deactivated.');
    }
    const now = new Date();
    const updated = await this.users.setDeactivated(userId, now);
    if (!updated) throw userNotFound();
    const revoked = await this.sessions.revokeAllForUser(userId, now);
    for (const sessionId of revoked) {
      await this.events.publish('session.revoked', {
        sessionId,
        reason: {
          code: ErrorCode.ACCOUNT_DEACTIVATED,
          message: 'This account has been deactivated by an administrator.',
        },
      });
    }
    await this.events.publish('user.updated', { user: toPublicUser(updated) });
    return this.toAdminView(updated);
  }

  /** Switches an account back on (it may sign in again). @throws AppError USER_NOT_FOUND */
  async reactivate(userId: string): Promise<AdminUserView> {
    await this.requireTarget(userId);
    const updated = await this.users.setDeactivated(userId, null);
    if (!updated) throw userNotFound();
    await this.events.publish('user.updated', { user: toPublicUser(updated) });
    return this.toAdminView(updated);
  }

  async listReports(query: {
    status?: ReportStatus;
    cursor?: string;
    limit?: number;
  }): Promise<Page<Report>> {
    const page = await this.instance.listReports({
      ...(query.status ? { status: query.status } : {}),
      cursor: query.cursor ?? null,
      limit: query.limit ?? LIMITS.ADMIN_PAGE_DEFAULT,
    });
    return { items: await this.toReports(page.items), nextCursor: page.nextCursor };
  }

  /** Marks a report resolved (idempotent: a resolved report keeps its first resolution). @throws NOT_FOUND */
  async resolveReport(adminId: string, id: string): Promise<Report> {
    const record = await this.instance.resolveReport(id, adminId, new Date());
    if (!record) throw new AppError(ErrorCode.NOT_FOUND, 'Report not found.');
    return (await this.toReports([record]))[0]!;
  }

  /** Reports as the wire shows them, with the people involved looked up in one batch. */
  async toReports(records: readonly ReportRecord[]): Promise<Report[]> {
    const people = await this.people(
      records.flatMap((r) => [
        r.reporterId,
        r.reportedUserId,
        ...(r.resolvedBy ? [r.resolvedBy] : []),
      ]),
    );
    return records.map((r) => ({
      id: r.id,
      target: r.target,
      reporter: people(r.reporterId),
      reportedUser: people(r.reportedUserId),
      message:
        r.target === 'message' && r.conversationId !== null && r.seq !== null
          ? {
              conversationId: r.conversationId,
              seq: r.seq,
              body: r.messageBody ?? '',
              sentAt: (r.messageSentAt ?? r.createdAt).toISOString(),
            }
          : null,
      reason: r.reason,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
      resolvedBy: r.resolvedBy ? people(r.resolvedBy) : null,
    }));
  }

  private async toInvites(records: readonly InviteRecord[]): Promise<Invite[]> {
    const people = await this.people(records.map((r) => r.createdBy));
    const now = Date.now();
    return records.map((r) => ({
      id: r.id,
      token: r.token,
      createdBy: people(r.createdBy),
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      maxUses: r.maxUses,
      uses: r.uses,
      revokedAt: r.revokedAt?.toISOString() ?? null,
      state: r.revokedAt
        ? 'revoked'
        : r.expiresAt.getTime() <= now
          ? 'expired'
          : r.uses >= r.maxUses
            ? 'used-up'
            : 'usable',
    }));
  }

  private async toAdminView(user: UserRecord): Promise<AdminUserView> {
    return {
      user: toPublicUser(user),
      createdAt: user.createdAt.toISOString(),
      deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
      instanceAdmin: await this.admins.isAdmin(user),
    };
  }

  /** Looks up people by id once; an id with no record reads as a deleted account placeholder. */
  private async people(ids: readonly string[]): Promise<(id: string) => PublicUser> {
    const found = new Map(
      (await this.users.findManyByIds(ids)).map((u) => [u.id, toPublicUser(u)] as const),
    );
    return (id) =>
      found.get(id) ?? {
        id,
        username: '',
        displayName: 'Unknown account',
        avatarUrl: null,
        accountState: 'deleted',
      };
  }

  private async requireTarget(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw userNotFound();
    return user;
  }
}

function userNotFound(): AppError {
  return new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
}
