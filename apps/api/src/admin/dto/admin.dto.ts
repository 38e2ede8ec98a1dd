import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import {
  LIMITS,
  REGISTRATION_MODES,
  type AdminUserQuery,
  type CreateInviteRequest,
  type CreateReportRequest,
  type RegistrationMode,
  type ReportQuery,
  type ReportStatus,
  type ReportTarget,
  type UpdateInstanceSettingsRequest,
} from '@chat/shared';
import { IsId } from '../../common/ids.js';
import { PageCursor, PageLimit } from '../../common/page-query.dto.js';
import { Trim } from '../../common/transforms.js';
import { IsMultiLineText, IsSingleLineText, NormalizeLineBreaks } from '../../common/validators.js';

/** PUT /api/admin/settings body. */
export class UpdateInstanceSettingsDto implements UpdateInstanceSettingsRequest {
  @IsIn(REGISTRATION_MODES)
  registrationMode: RegistrationMode;
}

/** POST /api/admin/invites body. */
export class CreateInviteDto implements CreateInviteRequest {
  @IsInt()
  @Min(1)
  @Max(LIMITS.INVITE_TTL_HOURS_MAX)
  expiresInHours: number;

  @IsInt()
  @Min(1)
  @Max(LIMITS.INVITE_MAX_USES_MAX)
  maxUses: number;
}

/** GET /api/admin/invites query. */
export class AdminPageQueryDto {
  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.ADMIN_PAGE_MAX)
  limit?: number;
}

/** GET /api/admin/users?q=&cursor=&limit= (an empty q lists every account). */
export class AdminUserQueryDto implements AdminUserQuery {
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, LIMITS.USER_SEARCH_QUERY_MAX)
  @IsSingleLineText()
  q?: string;

  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.ADMIN_PAGE_MAX)
  limit?: number;
}

/** GET /api/admin/reports?status=&cursor=&limit= */
export class ReportQueryDto implements ReportQuery {
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: ReportStatus;

  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.ADMIN_PAGE_MAX)
  limit?: number;
}

/** POST /api/reports body. */
export class CreateReportDto implements CreateReportRequest {
  @IsIn(['message', 'user'])
  target: ReportTarget;

  @IsOptional()
  @IsId()
  userId?: string;

  @IsOptional()
  @IsId()
  conversationId?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  seq?: number;

  @NormalizeLineBreaks()
  @Trim()
  @IsString()
  @Length(LIMITS.REPORT_REASON_MIN, LIMITS.REPORT_REASON_MAX)
  @IsMultiLineText()
  reason: string;
}
