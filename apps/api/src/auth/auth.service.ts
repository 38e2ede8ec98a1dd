import { Injectable } from '@nestjs/common';
import { type AuthResponse, ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
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
  ) {}

  /**
   * Creates an account and signs it in.
   * @throws AppError USERNAME_TAKEN (409) when the username exists in any letter case
   */
  async register(input: RegisterDto, client: ClientInfo): Promise<AuthResult> {
    // Cheap pre-check so a taken name does not cost a bcrypt hash; the unique index stays the authority.
    if (await this.users.findByUsername(input.username)) throw usernameTaken();
    const passwordHash = await this.passwords.hash(input.password);
    let user: UserRecord;
    try {
      user = await this.users.create({
        username: input.username,
        displayName: input.displayName ?? input.username,
        passwordHash,
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw usernameTaken();
      throw error;
    }
    return this.startSession(user, client);
  }

  /**
   * Signs in. Unknown username and wrong password get the same error after the same amount of bcrypt work.
   * @throws AppError INVALID_CREDENTIALS (401)
   */
  async login(input: LoginDto, client: ClientInfo): Promise<AuthResult> {
    const user = await this.users.findByUsername(input.username);
    const ok = await this.passwords.verify(input.password, user?.passwordHash ?? null);
    if (!user || !ok) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong username or password.');
    }
    return this.startSession(user, client);
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
    if (!user) {
      await this.sessions.revoke(result.session.id, now);
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
        user: toSelfUser(user),
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

function refreshInvalid(): AppError {
  return new AppError(ErrorCode.REFRESH_TOKEN_INVALID, 'The session has ended; sign in again.');
}
