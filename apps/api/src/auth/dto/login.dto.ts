import { IsString, MaxLength, MinLength } from 'class-validator';
import type { LoginRequest } from '@chat/shared';
import { IsSingleLineText } from '../../common/validators.js';

/**
 * POST /api/auth/login body. Deliberately loose: the rules of registration are not repeated here, so a wrong
 * guess of any shape gets INVALID_CREDENTIALS rather than a hint. The caps only bound the work per request.
 */
export class LoginDto implements LoginRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @IsSingleLineText()
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}
