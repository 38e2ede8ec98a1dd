import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { type HistoryQuery, LIMITS } from '@chat/shared';
import { ToInt } from '../../common/transforms.js';

/**
 * GET /api/conversations/:id/messages?before=&after=&limit=. Sequence numbers are non-negative integers;
 * limit is 1..LIMITS.HISTORY_PAGE_MAX (default LIMITS.HISTORY_PAGE_DEFAULT).
 */
export class HistoryQueryDto implements HistoryQuery {
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(LIMITS.HISTORY_PAGE_MAX)
  limit?: number;
}
