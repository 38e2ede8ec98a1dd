import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
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

  /** An invite link's token (base64url), needed when registration is invite-only. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: '$property must be an invite token' })
  inviteToken?: string;
}
