import { IsOptional, IsString, MaxLength } from 'class-validator';
import { LIMITS, type UserSearchQuery } from '@chat/shared';
import { PageCursor, PageLimit } from '../../common/page-query.dto.js';
import { Trim } from '../../common/transforms.js';
import { IsSingleLineText } from '../../common/validators.js';

/** GET /api/users?q=&cursor=&limit= (limit 1..LIMITS.USER_SEARCH_PAGE_MAX, q up to USER_SEARCH_QUERY_MAX). */
export class UserSearchQueryDto implements UserSearchQuery {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(LIMITS.USER_SEARCH_QUERY_MAX)
  @IsSingleLineText()
  q?: string;

  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.USER_SEARCH_PAGE_MAX)
  limit?: number;
}
