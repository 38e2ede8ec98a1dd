import { IsString, Length } from 'class-validator';
import { LIMITS, type UserSearchQuery } from '@chat/shared';
import { PageCursor, PageLimit } from '../../common/page-query.dto.js';
import { Trim } from '../../common/transforms.js';
import { IsSingleLineText } from '../../common/validators.js';

/**
 * GET /api/users?q=&cursor=&limit= (limit 1..LIMITS.USER_SEARCH_PAGE_MAX). `q` is required: 1..USER_SEARCH_QUERY_MAX
 * characters after trimming, no control characters, so an empty query never lists the whole directory.
 */
export class UserSearchQueryDto implements UserSearchQuery {
  @Trim()
  @IsString()
  @Length(1, LIMITS.USER_SEARCH_QUERY_MAX)
  @IsSingleLineText()
  q: string;

  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.USER_SEARCH_PAGE_MAX)
  limit?: number;
}
