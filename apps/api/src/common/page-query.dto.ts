import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { LIMITS, type PageQuery } from '@chat/shared';
import { ToInt } from './transforms.js';

/** Longest opaque cursor accepted (adapters make short ones; this only bounds the input). */
export const CURSOR_MAX_LENGTH = 512;

/** `?cursor=&limit=` for the conversation list (limit 1..LIMITS.CONVERSATION_PAGE_MAX). */
export class ConversationPageQueryDto implements PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(LIMITS.CONVERSATION_PAGE_MAX)
  limit?: number;
}
