import type { UpdateProfileRequest } from '@chat/shared';
import { Trim } from '../../common/transforms.js';
import { IsDisplayName } from '../../common/validators.js';

/** PATCH /api/users/me body. */
export class UpdateProfileDto implements UpdateProfileRequest {
  @Trim()
  @IsDisplayName()
  displayName: string;
}
