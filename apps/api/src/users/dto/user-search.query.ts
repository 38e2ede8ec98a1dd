import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { LIMITS, type UserSearchQuery } from '@chat/shared';
import { CURSOR_MAX_LENGTH } from '../../common/page-query.dto.js';
import { ToInt, Trim } from '../../common/transforms.js';

/** GET /api/users?q=&cursor=&limit= (limit 1..LIMITS.USER_SEARCH_PAGE_MAX, q up to USER_SEARCH_QUERY_MAX). */
export class UserSearchQueryDto implements UserSearchQuery {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(LIMITS.USER_SEARCH_QUERY_MAX)
  q?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(LIMITS.USER_SEARCH_PAGE_MAX)
  limit?: number;
}
