import { IsBoolean, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { Transform } from 'class-transformer';
import { LIMITS, type MessageSearchQuery } from '@chat/shared';
import { IsId } from '../../common/ids.js';
import { PageCursor, PageLimit } from '../../common/page-query.dto.js';
import { Trim } from '../../common/transforms.js';
import { IsSingleLineText } from '../../common/validators.js';

/** `true` / `false` query strings to booleans; anything else stays as it is (and fails IsBoolean). */
const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );

/**
 * GET /api/search/messages?q=&conversationId=&senderId=&hasFile=&from=&to=&cursor=&limit=. `q` 1..SEARCH_QUERY_MAX
 * characters after trimming, one line; ids well-formed; `hasFile` true or false; `from` / `to` ISO 8601 times;
 * limit 1..LIMITS.SEARCH_PAGE_MAX (default LIMITS.SEARCH_PAGE_DEFAULT).
 */
export class MessageSearchQueryDto implements MessageSearchQuery {
  @Trim()
  @IsString()
  @Length(1, LIMITS.SEARCH_QUERY_MAX)
  @IsSingleLineText()
  q: string;

  @IsOptional()
  @IsId()
  conversationId?: string;

  @IsOptional()
  @IsId()
  senderId?: string;

  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  hasFile?: boolean;

  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.SEARCH_PAGE_MAX)
  limit?: number;
}
