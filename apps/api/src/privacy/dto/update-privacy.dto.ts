import type { GroupAddPolicy, LastSeenVisibility, UpdatePrivacyRequest } from '@chat/shared';
import { IsIn, IsOptional } from 'class-validator';

/** PATCH /api/users/me/privacy body: one or more of the settings. */
export class UpdatePrivacyDto implements UpdatePrivacyRequest {
  @IsOptional()
  @IsIn(['contacts', 'nobody'])
  lastSeen?: LastSeenVisibility;

  @IsOptional()
  @IsIn(['everyone', 'contacts', 'nobody'])
  groupAdd?: GroupAddPolicy;
}
