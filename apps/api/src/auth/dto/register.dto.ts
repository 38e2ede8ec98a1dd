import { IsOptional } from 'class-validator';
import type { RegisterRequest } from '@chat/shared';
import { Trim } from '../../common/transforms.js';
import { IsDisplayName, IsUsername } from '../../common/validators.js';
import { IsAcceptablePassword } from '../password-rules.js';

/** POST /api/auth/register body. */
export class RegisterDto implements RegisterRequest {
  @IsUsername()
  username: string;

  @IsAcceptablePassword()
  password: string;

  @IsOptional()
  @Trim()
  @IsDisplayName()
  displayName?: string;
}
