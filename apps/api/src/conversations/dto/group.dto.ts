import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import {
  type AddMembersRequest,
  type CreateGroupRequest,
  LIMITS,
  type MemberRole,
  type UpdateGroupRequest,
  type UpdateMemberRequest,
} from '@chat/shared';
import { ID_MAX_LENGTH, ID_PATTERN } from '../../common/ids.js';
import { Trim } from '../../common/transforms.js';
import { IsSingleLineText } from '../../common/validators.js';

/**
 * A group name: trimmed, then LIMITS.GROUP_TITLE_MIN..MAX (1..100) UTF-16 code units without control characters.
 */
function IsGroupTitle(): PropertyDecorator {
  return applyDecorators(
    Trim(),
    IsString(),
    Length(LIMITS.GROUP_TITLE_MIN, LIMITS.GROUP_TITLE_MAX),
    IsSingleLineText(),
  );
}

/**
 * A list of other people to put in a group: 1..LIMITS.GROUP_MEMBERS_MAX - 1 (255) distinct ids. Whether they
 * exist, are already members or would overfill the group is the service's check (USER_NOT_FOUND,
 * ALREADY_MEMBER, MEMBER_LIMIT_EXCEEDED).
 */
function IsUserIdList(): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(LIMITS.GROUP_MEMBERS_MAX - 1),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, ID_MAX_LENGTH, { each: true }),
    Matches(ID_PATTERN, { each: true, message: 'each value in $property must be an id' }),
  );
}

/** POST /api/conversations/group body. */
export class CreateGroupDto implements CreateGroupRequest {
  @IsGroupTitle()
  title: string;

  @IsUserIdList()
  memberIds: string[];
}

/** PATCH /api/conversations/:id body (rename). */
export class UpdateGroupDto implements UpdateGroupRequest {
  @IsGroupTitle()
  title: string;
}

/** POST /api/conversations/:id/members body. */
export class AddMembersDto implements AddMembersRequest {
  @IsUserIdList()
  userIds: string[];
}

const ROLES: readonly MemberRole[] = ['member', 'admin'];

/** PATCH /api/conversations/:id/members/:userId body (promote or demote). */
export class UpdateMemberDto implements UpdateMemberRequest {
  @IsIn(ROLES)
  role: MemberRole;
}
