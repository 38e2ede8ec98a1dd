import type { RegistrationMode, ReportStatus, ReportTarget } from '@chat/shared';
import type { RecordPage } from './storage.types.js';

/** The instance-wide settings row. */
export interface InstanceSettingsRecord {
  /** Set in the admin page; null: the environment's REGISTRATION_MODE applies. */
  registrationMode: RegistrationMode | null;
  /** The first account ever created (the instance administrator when INSTANCE_ADMINS is unset); null before. */
  firstUserId: string | null;
}

export interface InviteRecord {
  id: string;
  /** Random secret of the link (base64url, 128 bits or more). */
  token: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  maxUses: number;
  uses: number;
  revokedAt: Date | null;
}

export interface CreateInviteInput {
  token: string;
  createdBy: string;
  expiresAt: Date;
  maxUses: number;
}

export interface ReportRecord {
  id: string;
  target: ReportTarget;
  reporterId: string;
  reportedUserId: string;
  /** For a message report: where, and a copy of what it said when reported. */
  conversationId: string | null;
  seq: number | null;
  messageBody: string | null;
  messageSentAt: Date | null;
  reason: string;
  status: ReportStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

export type CreateReportInput = Omit<
  ReportRecord,
  'id' | 'status' | 'createdAt' | 'resolvedAt' | 'resolvedBy'
>;

/**
 * Port for instance administration: the settings row, invite links and reports. Lists are newest first, keyset
 * on (createdAt, id) descending.
 */
export abstract class InstanceRepository {
  /** The settings; both fields null on a fresh instance. */
  abstract getSettings(): Promise<InstanceSettingsRecord>;
  /** Stores the registration mode chosen in the admin page (null: back to the environment's). */
  abstract setRegistrationMode(mode: RegistrationMode | null): Promise<InstanceSettingsRecord>;
  /**
   * Records `userId` as the first account if none is recorded yet, atomically (of two concurrent calls exactly
   * one wins). @returns true when this call recorded it.
   */
  abstract claimFirstUser(userId: string): Promise<boolean>;

  abstract createInvite(input: CreateInviteInput): Promise<InviteRecord>;
  abstract listInvites(input: {
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<InviteRecord>>;
  /**
   * Takes one use of the invite holding `token` if, at `now`, it is not revoked, not expired and has uses left;
   * atomically (two concurrent registrations cannot both take the last use).
   * @returns the invite after the use, or null when it cannot be used.
   */
  abstract consumeInvite(token: string, now: Date): Promise<InviteRecord | null>;
  /** Gives back one use taken by consumeInvite (the registration failed afterwards); never below 0. */
  abstract releaseInvite(id: string): Promise<void>;
  /** @returns the invite (revoked now or before), or null when unknown. */
  abstract revokeInvite(id: string, now: Date): Promise<InviteRecord | null>;

  abstract createReport(input: CreateReportInput): Promise<ReportRecord>;
  abstract listReports(input: {
    status?: ReportStatus;
    cursor?: string | null;
    limit: number;
  }): Promise<RecordPage<ReportRecord>>;
  /** Marks an open report resolved (a resolved one keeps its first resolution). @returns it, or null if unknown. */
  abstract resolveReport(id: string, by: string, now: Date): Promise<ReportRecord | null>;
}
