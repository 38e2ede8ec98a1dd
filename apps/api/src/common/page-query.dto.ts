import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { LIMITS, type PageQuery } from '@chat/shared';
import { ToInt } from './transforms.js';

/** Longest opaque cursor accepted (adapters make short ones; this only bounds the input). */
export const CURSOR_MAX_LENGTH = 512;

/**
 * The `cursor` query field of a paged GET: optional string, at most CURSOR_MAX_LENGTH characters (the cursor is
 * opaque; only the adapter that made it reads it). Shared by every cursor-paged query DTO.
 */
export function PageCursor(): PropertyDecorator {
  // applyDecorators applies in array order; reversed so the validators register in the order they would as
  // stacked decorators (which apply bottom-up), keeping error details in the same order as before.
  return applyDecorators(...[IsOptional(), IsString(), MaxLength(CURSOR_MAX_LENGTH)].reverse());
}

/**
 * The `limit` query field of a paged GET: optional, a plain decimal integer from 1 to `max` (see ToInt for what
 * counts as an integer). `max` is the route's LIMITS entry, e.g. LIMITS.CONVERSATION_PAGE_MAX.
 */
export function PageLimit(max: number): PropertyDecorator {
  return applyDecorators(...[IsOptional(), ToInt(), IsInt(), Min(1), Max(max)].reverse());
}

/** `?cursor=&limit=` for the conversation list (limit 1..LIMITS.CONVERSATION_PAGE_MAX). */
export class ConversationPageQueryDto implements PageQuery {
  @PageCursor()
  cursor?: string;

  @PageLimit(LIMITS.CONVERSATION_PAGE_MAX)
  limit?: number;
}
