/**
 * Instance administration, reports and "my data" on the wire: the REST payloads of `/api/instance`,
 * `/api/admin/*`, `/api/reports` and `/api/me/*`. Who may call what is in docs/protocol.md ("Instance
 * administration") and the OpenAPI document.
 */
import type { PublicUser } from './models.js';

/**
 * Who may create an account. `open`: anyone; `invite-only`: only with a valid invite token (an invite link);
 * `closed`: nobody. The very first account of an instance may always register (it becomes the administrator).
 */
export type RegistrationMode = 'open' | 'invite-only' | 'closed';

export const REGISTRATION_MODES: readonly RegistrationMode[] = ['open', 'invite-only', 'closed'];

/** GET /api/instance (public): what the register page needs to know. */
export interface InstanceInfo {
  registrationMode: RegistrationMode;
}

/** GET/PUT /api/admin/settings. */
export interface InstanceSettings {
  registrationMode: RegistrationMode;
  /**
   * Where the mode comes from: `env` (REGISTRATION_MODE or its default, never changed in the admin page) or
   * `admin` (set in the admin page; stored in the database, wins over the environment).
   */
  registrationModeSource: 'env' | 'admin';
}

export interface UpdateInstanceSettingsRequest {
  registrationMode: RegistrationMode;
}

/** An invite link: `/register?invite=<token>` on the web app. */
export interface Invite {
  id: string;
  /** The secret part of the link (shown to administrators only). */
  token: string;
  createdBy: PublicUser;
  createdAt: string;
  expiresAt: string;
  /** Registrations the invite allows in total. */
  maxUses: number;
  /** Registrations made with it so far. */
  uses: number;
  /** Set when an administrator revoked it. */
  revokedAt: string | null;
  /** `usable` while not expired, not revoked and not used up. */
  state: 'usable' | 'expired' | 'revoked' | 'used-up';
}

export interface CreateInviteRequest {
  /** 1..LIMITS.INVITE_TTL_HOURS_MAX. */
  expiresInHours: number;
  /** 1..LIMITS.INVITE_MAX_USES_MAX. */
  maxUses: number;
}

/** One account as administrators see it (GET /api/admin/users). */
export interface AdminUserView {
  user: PublicUser;
  createdAt: string;
  /** When it was deactivated; null while active. */
  deactivatedAt: string | null;
  instanceAdmin: boolean;
}

export interface AdminUserQuery {
  /** Prefix of the username or of a word of the display name; empty lists every account. */
  q?: string;
  cursor?: string;
  limit?: number;
}

/** What a report is about. */
export type ReportTarget = 'message' | 'user';
export type ReportStatus = 'open' | 'resolved';

/** POST /api/reports: report a person, or a message the caller can read. */
export interface CreateReportRequest {
  target: ReportTarget;
  /** For `user`: the person. Ignored for `message` (the sender is taken from the message). */
  userId?: string;
  /** For `message`: the conversation and the message's seq. */
  conversationId?: string;
  seq?: number;
  /** LIMITS.REPORT_REASON_MIN..MAX characters. */
  reason: string;
}

export interface Report {
  id: string;
  target: ReportTarget;
  reporter: PublicUser;
  /** The person reported (for a message: its sender). */
  reportedUser: PublicUser;
  /** For a message report: where it is and what it said when reported (a copy, so deleting it later keeps it). */
  message: { conversationId: string; seq: number; body: string; sentAt: string } | null;
  reason: string;
  status: ReportStatus;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: PublicUser | null;
}

export interface ReportQuery {
  status?: ReportStatus;
  cursor?: string;
  limit?: number;
}

/** DELETE /api/me: the password is asked again. */
export interface DeleteAccountRequest {
  password: string;
}
