import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { SessionRenewPayload } from '@chat/shared';

/**
 * `session:renew` socket payload: `{ token }`, a fresh access token (a JWT of about 250 characters; 4096 is a
 * generous bound that still refuses junk before it reaches the verifier).
 */
export class SessionRenewPayloadDto implements SessionRenewPayload {
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  token: string;
}
