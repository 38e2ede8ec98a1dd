import { Injectable } from '@nestjs/common';
import { type AuthResponse, ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { SessionsRepository } from '../storage/sessions.repository.js';
import { UniqueViolationError } from '../storage/storage.errors.js';
import { UsersRepository } from '../storage/users.repository.js';
import type { UserRecord } from '../storage/storage.types.js';
import { toSelfUser } from '../users/user.mapper.js';
import { PasswordService } from './password.service.js';
import { TokensService } from './tokens.service.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';

/** An authentication outcome: the body for the client and the refresh token for the httpOnly cookie. */
export interface AuthResult {
  response: AuthResponse;
  refreshToken: string;
  /** When the refresh cookie should expire. */
  refreshExpiresAt: Date;
}

/** Context of the request that starts a session (kept on the session for a future "devices" list). */
export interface ClientInfo {
  userAgent: string | null;
}

/**
 * Registration, sign-in and the refresh-token session lifecycle.
 * Refresh tokens rotate on every use; presenting a replaced one revokes the whole session (reuse detection,
 * RFC 9700 section 4.14.2), so a stolen token stops working for the thief and the victim alike.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly events: DomainEvents,
    private readonly admins: InstanceAdmins,
  ) {}

  /**
   * Creates an account and signs it in, if the registration mode lets it (InstanceAdmins.admitRegistration: open,
   * invite-only with a usable invite token, or the instance's very first account). The first account is recorded
   * as such (the administrator unless INSTANCE_ADMINS is set).
   * @throws AppError USERNAME_TAKEN (409) when the username exists in any letter case; REGISTRATION_CLOSED (403);
   *   INVITE_INVALID (403)
   */
  async register(input: RegisterDto, client: ClientInfo): Promise<AuthResult> {
    // Cheap pre-check so a taken name does not cost a bcrypt hash or an invite use; the unique index stays the
    // authority.
    if (await this.users.findByUsername(input.username)) throw usernameTaken();
    const invite = await this.admins.admitRegistration(input.inviteToken);
    let user: UserRecord;
    try {
      const passwordHash = await this.passwords.hash(input.password);
      user = await this.users.create({
        username: input.username,
        displayName: input.displayName ?? input.username,
        passwordHash,
      });
    } catch (error) {
      // The account was not made: the invite use goes back.
      await this.admins.releaseInvite(invite);
      if (error instanceof UniqueViolationError) throw usernameTaken();
      throw error;
    }
    await this.admins.registered(user);
    return this.startSession(user, client);
  }

  /**
   * Signs in. Unknown username and wrong password get the same error after the same amount of bcrypt work. A
   * deactivated account is told so only after its password was verified (so the state is no oracle for guessers).
   * @throws AppError INVALID_CREDENTIALS (401); ACCOUNT_DEACTIVATED (403)
   */
  async login(input: LoginDto, client: ClientInfo): Promise<AuthResult> {
    const found = await this.users.findByUsername(input.username);
    // A deleted account's tombstone has no password (and a placeholder username no one can type): unknown.
    const user = found && !found.deletedAt ? found : null;
    const ok = await this.passwords.verify(input.password, user?.passwordHash ?? null);
    if (!user || !ok) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong username or password.');
    }
    if (user.deactivatedAt) throw accountDeactivated();
    const result = await this.startSession(user, client);
    // An administrator may have deactivated the account while this sign-in ran, after revoking the sessions it
    // could see: look again, so the new session cannot outlive the deactivation.
    const after = await this.users.findById(user.id);
    if (!after || after.deactivatedAt || after.deletedAt) {
      await this.sessions.revokeByTokenHash(
        this.tokens.hashRefreshToken(result.refreshToken),
        new Date(),
      );
      throw accountDeactivated();
    }
    return result;
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token (the old one stops working).
   * @throws AppError REFRESH_TOKEN_INVALID (401) for a missing, unknown, expired, revoked or reused token; reuse
   *   also revokes the session
   */
  async refresh(refreshToken: string | undefined): Promise<AuthResult> {
    if (!refreshToken) throw refreshInvalid();
    const now = new Date();
    const next = this.tokens.newRefreshToken();
    const refreshExpiresAt = this.tokens.refreshExpiry(now);
    const result = await this.sessions.rotate(
      this.tokens.hashRefreshToken(refreshToken),
      next.hash,
      refreshExpiresAt,
      now,
    );
    if (result.status === 'reused') await this.revoked(result.session.id);
    if (result.status !== 'rotated') throw refreshInvalid();
    const user = await this.users.findById(result.session.userId);
    if (!user || user.deletedAt || user.deactivatedAt) {
      await this.sessions.revoke(result.session.id, now);
      if (user?.deactivatedAt) throw accountDeactivated();
      throw refreshInvalid();
    }
    return this.authResult(user, result.session.id, next.token, refreshExpiresAt, now);
  }

  /**
   * Revokes the session holding this refresh token and publishes `session.revoked` (its live sockets are cut with
   * `session:expired` SESSION_REVOKED); silently does nothing for a missing or unknown token.
   */
  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const session = await this.sessions.revokeByTokenHash(
      this.tokens.hashRefreshToken(refreshToken),
      new Date(),
    );
    if (session) await this.revoked(session.id);
  }

  /**
   * Publishes `session.revoked`: its sockets are cut (`session:expired` SESSION_REVOKED) and the session-liveness
   * cache forgets it, so its access tokens stop working on REST too.
   */
  private async revoked(sessionId: string): Promise<void> {
    await this.events.publish('session.revoked', {
      sessionId,
      reason: { code: ErrorCode.SESSION_REVOKED, message: 'This session was signed out.' },
    });
  }

  private async startSession(user: UserRecord, client: ClientInfo): Promise<AuthResult> {
    const now = new Date();
    const refresh = this.tokens.newRefreshToken();
    const refreshExpiresAt = this.tokens.refreshExpiry(now);
    const session = await this.sessions.create({
      userId: user.id,
      tokenHash: refresh.hash,
      userAgent: client.userAgent,
      expiresAt: refreshExpiresAt,
    });
    return this.authResult(user, session.id, refresh.token, refreshExpiresAt, now);
  }

  /** A new access token for the session, with the (new) refresh token for the cookie. */
  private async authResult(
    user: UserRecord,
    sessionId: string,
    refreshToken: string,
    refreshExpiresAt: Date,
    now: Date,
  ): Promise<AuthResult> {
    const access = await this.tokens.issueAccessToken({ userId: user.id, sessionId }, now);
    return {
      response: {
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt.toISOString(),
        user: toSelfUser(user, await this.admins.isAdmin(user)),
      },
      refreshToken,
      refreshExpiresAt,
    };
  }
}

function usernameTaken(): AppError {
  return new AppError(ErrorCode.USERNAME_TAKEN, 'That username is taken.', {
    username: ['is already taken'],
  });
}

function accountDeactivated(): AppError {
  return new AppError(
    ErrorCode.ACCOUNT_DEACTIVATED,
    'This account has been deactivated by an administrator.',
  );
}

function refreshInvalid(): AppError {
  return new AppError(ErrorCode.REFRESH_TOKEN_INVALID, 'The session has ended; sign in again.');
}
