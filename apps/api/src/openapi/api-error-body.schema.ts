import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { type ApiErrorBody, ErrorCode } from '@chat/shared';

/**
 * The OpenAPI schema of `ApiErrorBody`, the JSON body of every non-2xx response (packages/shared/src/errors.ts).
 * A class only because @nestjs/swagger builds schemas from classes; nothing constructs it.
 */
@ApiSchema({ name: 'ApiErrorBody' })
export class ApiErrorBodySchema implements ApiErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated.', example: 404 })
  statusCode: number;

  @ApiProperty({
    enum: Object.values(ErrorCode),
    enumName: 'ErrorCode',
    description: 'Stable code: clients branch on it, never on `message`.',
  })
  code: ErrorCode;

  @ApiProperty({ description: 'For people; may change.' })
  message: string;

  @ApiPropertyOptional({
    description: 'VALIDATION_FAILED only: per-field problems, `{ field: ["reason", ...] }`.',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  details?: Record<string, string[]>;

  @ApiPropertyOptional({
    description:
      'RATE_LIMITED from the per-person write limit only: milliseconds to wait before the next write can succeed ' +
      '(also sent as the `Retry-After` header, in whole seconds).',
    type: 'integer',
    example: 250,
  })
  retryAfterMs?: number;
}
