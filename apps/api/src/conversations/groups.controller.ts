import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { ConversationSummary } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { AddMembersDto, CreateGroupDto, UpdateGroupDto, UpdateMemberDto } from './dto/group.dto.js';
import { GroupsService } from './groups.service.js';

/**
 * Group routes under /api/conversations (packages/shared/src/rest.ts, "Groups"). Every answer is the group as
 * the caller sees it after the change; the access rules live in GroupsService / ConversationsService.
 */
@Controller('conversations')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  /** 201 ConversationSummary; 400 VALIDATION_FAILED / MEMBER_LIMIT_EXCEEDED; 404 USER_NOT_FOUND. */
  @Post('group')
  @HttpCode(201)
  create(
    @CurrentUser() caller: AuthUser,
    @Body() body: CreateGroupDto,
  ): Promise<ConversationSummary> {
    return this.groups.create(caller.userId, body);
  }

  /** Rename (admins). 200; 400 NOT_A_GROUP; 403 ADMIN_REQUIRED / MEMBERSHIP_ENDED; 404 CONVERSATION_NOT_FOUND. */
  @Patch(':id')
  rename(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: UpdateGroupDto,
  ): Promise<ConversationSummary> {
    return this.groups.rename(caller.userId, id, body.title);
  }

  /** Add people (admins). 200; also 404 USER_NOT_FOUND, 409 ALREADY_MEMBER, 400 MEMBER_LIMIT_EXCEEDED. */
  @Post(':id/members')
  @HttpCode(200)
  addMembers(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: AddMembersDto,
  ): Promise<ConversationSummary> {
    return this.groups.addMembers(caller.userId, id, body.userIds);
  }

  /** Remove someone (admins); your own id means leaving. 200; also 404 NOT_A_MEMBER. */
  @Delete(':id/members/:userId')
  removeMember(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('userId', ParseIdPipe) userId: string,
  ): Promise<ConversationSummary> {
    return this.groups.removeMember(caller.userId, id, userId);
  }

  /** Promote or demote (admins). 200; also 404 NOT_A_MEMBER, 400 when the last admin steps down. */
  @Patch(':id/members/:userId')
  setRole(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('userId', ParseIdPipe) userId: string,
    @Body() body: UpdateMemberDto,
  ): Promise<ConversationSummary> {
    return this.groups.setRole(caller.userId, id, userId, body.role);
  }

  /** Leave (any active member). 200 with status 'left'; 400 NOT_A_GROUP; 403 MEMBERSHIP_ENDED. */
  @Post(':id/leave')
  @HttpCode(200)
  leave(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ConversationSummary> {
    return this.groups.leave(caller.userId, id);
  }
}
