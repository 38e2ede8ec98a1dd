import { IsInt, Max, Min } from 'class-validator';
import { type HistoryAroundQuery, LIMITS } from '@chat/shared';
import { PageLimit } from '../../common/page-query.dto.js';
import { ToInt } from '../../common/transforms.js';

/**
 * GET /api/conversations/:id/messages/around?seq=&limit=. `seq` a non-negative integer (the message to centre on;
 * it need not exist); `limit` messages on each side, 1..LIMITS.HISTORY_AROUND_MAX (default
 * LIMITS.HISTORY_AROUND_DEFAULT).
 */
export class HistoryAroundQueryDto implements HistoryAroundQuery {
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seq: number;

  @PageLimit(LIMITS.HISTORY_AROUND_MAX)
  limit?: number;
}
